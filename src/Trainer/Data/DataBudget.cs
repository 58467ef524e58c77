using System.Globalization;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// The memory the data of one command may take. Every array's declared size is reserved here from its header, before
/// anything is allocated or inflated, so a header that claims more than the machine can hold (a zip bomb, a corrupt
/// shape) is an error naming the array instead of the kernel's out-of-memory killer. The arrays of one command share
/// the budget (training and held-out data together).
/// </summary>
public sealed class DataBudget
{
    public const string OptionName = "--max-data-gb";

    private DataBudget(long bytes, string origin)
    {
        Bytes = bytes;
        Origin = origin;
    }

    /// <summary>The budget in bytes.</summary>
    public long Bytes { get; }

    /// <summary>Where the number comes from, said in the error.</summary>
    public string Origin { get; }

    /// <summary>Bytes reserved so far.</summary>
    public long Reserved { get; private set; }

    /// <summary>--max-data-gb's gigabytes (10^9 bytes), or, without it, the memory available now (<see cref="MachineMemory"/>).</summary>
    public static DataBudget Of(double? gigabytes)
    {
        if (gigabytes is not { } gb)
            return new(MachineMemory.AvailableBytes(), $"the memory available now; {OptionName} sets another");
        if (!(double.IsFinite(gb) && gb > 0))
            throw new ArgumentException($"{OptionName} must be a positive number of gigabytes, got {gb.ToString(CultureInfo.InvariantCulture)}");
        return new((long)Math.Min(gb * ByteSize.Gigabyte, long.MaxValue), OptionName);
    }

    /// <summary>A budget of the given bytes (tests).</summary>
    public static DataBudget OfBytes(long bytes, string origin) => new(bytes, origin);

    /// <summary>
    /// Takes the memory the array will be held in (<paramref name="heldBytes"/>; its declared size in the file is what the
    /// message speaks of), or throws a <see cref="DataFormatException"/> naming the file, the array and both sizes.
    /// </summary>
    public void Reserve(string file, string? arrayName, ArrayLayout layout, double heldBytes)
    {
        if (heldBytes <= Bytes - Reserved)
        {
            Reserved += (long)heldBytes;
            return;
        }
        string held = Math.Abs(heldBytes - layout.StoredBytes) > 0.5 ? $", {ByteSize.Format(heldBytes)} as held in memory" : "";
        string before = Reserved > 0 ? $", of which {ByteSize.Format(Reserved)} is taken by the data read before" : "";
        throw new DataFormatException(file, arrayName,
            $"the array declares {layout.Describe()} ({ByteSize.Format(layout.StoredBytes)}{held}), over the data budget of " +
            $"{ByteSize.Format(Bytes)} ({Origin}){before}");
    }

    /// <inheritdoc cref="Reserve(string, string?, ArrayLayout, double)"/>
    public void Reserve(string file, string? arrayName, ArrayLayout layout) => Reserve(file, arrayName, layout, layout.HeldBytes);
}
