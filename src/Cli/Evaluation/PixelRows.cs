namespace ZilOnnx.Cli.Evaluation;

/// <summary>
/// A segmentation output [N, C, H, W] as one row of C class scores per pixel, [N*H*W, C] in (n, h, w) order: the
/// order of labels [N, H, W], so every pixel is a classification sample of its own.
/// </summary>
public static class PixelRows
{
    public static double[] Of(ReadOnlySpan<double> scores, long[] shape)
    {
        int n = (int)shape[0], classes = (int)shape[1], pixels = (int)(shape[2] * shape[3]);
        var rows = new double[scores.Length];
        for (int sample = 0; sample < n; sample++)
            for (int c = 0; c < classes; c++)
                for (int p = 0; p < pixels; p++)
                    rows[((long)sample * pixels + p) * classes + c] = scores[(sample * classes + c) * pixels + p];
        return rows;
    }
}
