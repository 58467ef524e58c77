namespace ZilOnnx.Trainer.Data;

/// <summary>
/// The note an .npz or .npy source gives when its inputs are uint8: they are read as images and scaled to [0, 1],
/// like IDX pixels. Earlier builds fed them unscaled (0..255), so a user whose results change is told why.
/// </summary>
internal static class PixelNotice
{
    public static void AddTo(ArrayPairReader reader)
    {
        if (SampleTypes.IsPixels(reader.Inputs.ElementType))
            reader.Notices.Add($"{reader.Origin}: x is uint8, read as pixel intensities and scaled to [0, 1] (v / 255) like IDX images " +
                               "(earlier builds fed uint8 inputs unscaled, 0..255)");
    }
}
