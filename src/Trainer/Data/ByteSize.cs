using System.Globalization;

namespace ZilOnnx.Trainer.Data;

/// <summary>Sizes in messages, in decimal units as --max-data-gb takes them (1 GB = 10^9 bytes).</summary>
public static class ByteSize
{
    public const double Gigabyte = 1e9;

    public static string Format(double bytes) => bytes switch
    {
        >= 1e12 => Scaled(bytes / 1e12, "TB"),
        >= Gigabyte => Scaled(bytes / Gigabyte, "GB"),
        >= 1e6 => Scaled(bytes / 1e6, "MB"),
        >= 1e3 => Scaled(bytes / 1e3, "kB"),
        _ => $"{bytes.ToString("0", CultureInfo.InvariantCulture)} bytes",
    };

    /// <summary>Two or three significant figures: 4.7 GB, 21.9 GB, 470 GB (beyond 999 TB, all the digits).</summary>
    private static string Scaled(double value, string unit) =>
        $"{value.ToString(value >= 100 ? "0" : "0.#", CultureInfo.InvariantCulture)} {unit}";
}
