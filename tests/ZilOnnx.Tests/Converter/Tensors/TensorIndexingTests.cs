using ZilOnnx.Converter.Onnx.Proto;
using ZilOnnx.Converter.Tensors;

namespace ZilOnnx.Tests.Converter.Tensors;

/// <summary>The index helpers on small tensors whose results are written out by hand.</summary>
public sealed class TensorIndexingTests
{
    /// <summary>[[0, 1, 2], [3, 4, 5]]</summary>
    private static HostTensor TwoByThree() => new(TensorProto.Types.DataType.Int64, [2, 3], [0, 1, 2, 3, 4, 5]);

    [Fact]
    public void Strides_are_row_major()
    {
        Assert.Equal([12, 4, 1], TensorIndexing.Strides([2, 3, 4]));
        Assert.Empty(TensorIndexing.Strides([]));
    }

    [Fact]
    public void Transpose_swaps_axes_and_keeps_the_element_type()
    {
        var t = TensorIndexing.Transpose(TwoByThree(), [1, 0]);
        Assert.Equal([3, 2], t.Shape);
        Assert.Equal([0, 3, 1, 4, 2, 5], t.Values);
        Assert.Equal(TensorProto.Types.DataType.Int64, t.ElementType);
    }

    [Fact]
    public void Transpose_of_rank_three_follows_the_permutation()
    {
        var x = new HostTensor(TensorProto.Types.DataType.Float, [2, 1, 3], [0, 1, 2, 3, 4, 5]);
        var t = TensorIndexing.Transpose(x, [2, 0, 1]);
        Assert.Equal([3, 2, 1], t.Shape);
        Assert.Equal([0, 3, 1, 4, 2, 5], t.Values);
    }

    [Fact]
    public void Window_with_a_negative_step_reads_backwards()
    {
        // Rows 1..0 backwards, columns 0 and 2.
        var w = TensorIndexing.Window(TwoByThree(), new StridedWindow([1, 0], [-1, 2], [2, 2]));
        Assert.Equal([2, 2], w.Shape);
        Assert.Equal([3, 5, 0, 2], w.Values);
    }

    [Fact]
    public void Window_may_be_empty()
    {
        var w = TensorIndexing.Window(TwoByThree(), new StridedWindow([0, 0], [1, 1], [2, 0]));
        Assert.Equal([2, 0], w.Shape);
        Assert.Empty(w.Values);
    }

    [Fact]
    public void Take_replaces_the_axis_by_the_indices_shape()
    {
        var rows = TensorIndexing.Take(TwoByThree(), 1, [2, 0, 2, 1], [2, 2]);
        Assert.Equal([2, 2, 2], rows.Shape);
        Assert.Equal([2, 0, 2, 1, 5, 3, 5, 4], rows.Values);

        var scalar = TensorIndexing.Take(TwoByThree(), 0, [1], []);
        Assert.Equal([3], scalar.Shape);
        Assert.Equal([3, 4, 5], scalar.Values);
    }

    [Fact]
    public void Concat_interleaves_blocks_along_inner_axes()
    {
        var b = new HostTensor(TensorProto.Types.DataType.Int64, [2, 1], [9, 8]);
        var c = TensorIndexing.Concat([TwoByThree(), b], 1);
        Assert.Equal([2, 4], c.Shape);
        Assert.Equal([0, 1, 2, 9, 3, 4, 5, 8], c.Values);

        var rows = TensorIndexing.Concat([TwoByThree(), TwoByThree()], 0);
        Assert.Equal([4, 3], rows.Shape);
        Assert.Equal([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5], rows.Values);
    }

    [Fact]
    public void BroadcastTo_repeats_size_one_and_missing_axes()
    {
        var column = new HostTensor(TensorProto.Types.DataType.Float, [2, 1], [1, 2]);
        var t = TensorIndexing.BroadcastTo(column, [2, 2, 3]);
        Assert.Equal([2, 2, 3], t.Shape);
        Assert.Equal([1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2], t.Values);
    }

    [Theory]
    [InlineData(1.5, TensorProto.Types.DataType.Int64, 1)]
    [InlineData(-1.5, TensorProto.Types.DataType.Int32, -1)]
    [InlineData(300, TensorProto.Types.DataType.Uint8, 44)]
    [InlineData(-1, TensorProto.Types.DataType.Uint8, 255)]
    [InlineData(0.5, TensorProto.Types.DataType.Bool, 1)]
    [InlineData(0.1, TensorProto.Types.DataType.Float, (double)0.1f)]
    [InlineData(1.0009765625, TensorProto.Types.DataType.Float16, 1.0009765625)]
    [InlineData(1.00048828125, TensorProto.Types.DataType.Float16, 1.0)] // a tie rounds to even
    [InlineData(1.00390625, TensorProto.Types.DataType.Bfloat16, 1.0)]   // a tie rounds to even
    [InlineData(1.01171875, TensorProto.Types.DataType.Bfloat16, 1.015625)]
    public void ElementCast_follows_the_target_type(double value, TensorProto.Types.DataType to, double expected) =>
        Assert.Equal(expected, ElementCast.Convert(value, to));
}
