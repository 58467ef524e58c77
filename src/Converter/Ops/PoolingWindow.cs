using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Converter.Ops;

/// <summary>The window a pooling operator sweeps (MaxPool, AveragePool, LpPool): the attributes they share.</summary>
public interface IPoolingWindow
{
    string OpType { get; }
    long[] KernelShape { get; }
    long[] Strides { get; }
    long[] Dilations { get; }
    SpatialPadding Padding { get; }
    bool CeilMode { get; }
    int SpatialRank { get; }
}

public static class PoolingWindow
{
    /// <summary>[N, C, output spatial...] of the window swept over X [N, C, spatial...].</summary>
    public static long[] OutputShape(this IPoolingWindow window, long[] x)
    {
        WindowAttributes.CheckRank(window.OpType, "X", x, window.SpatialRank);
        long[] spatial = x[2..];
        long[] pads = window.Padding.Resolve(spatial, window.KernelShape, window.Strides, window.Dilations);
        var geometry = PoolGeometry.Compute(spatial, window.KernelShape, window.Strides, window.Dilations, pads, window.CeilMode);
        return [x[0], x[1], .. geometry.Output];
    }
}
