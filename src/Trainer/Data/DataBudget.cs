using System.Globalization;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Settings;

namespace ZilOnnx.Trainer.Data;

/// <summary>
/// The memory the data of one command may take. Every array's declared size is reserved here from its header, before
/// anything is allocated or inflated, so a header that claims more than the machine can hold (a zip bomb, a corrupt
/// shape) is an error naming the array instead of the kernel's out-of-memory killer. The arrays of one command share
/// the budget (training and held-out data together).
/// </summary>
public sealed class DataBudget
{
    /// <summary>
    /// How many times its compressed size a large array may inflate to unless the budget is given explicitly: the
    /// zip-bomb rule of Apache POI (a minimum inflate ratio of 0.01). Real data compress a few times at most; a
    /// deflated stream of zeros reaches a thousand.
    /// </summary>
    public const double MaxInflation = 100;

    /// <summary>Arrays up to this size (1 GB) are never refused for their compression ratio: they fit in memory anyway.</summary>
    public const double InflationCheckedAbove = 1e9;

    private DataBudget(long bytes, string origin, bool given)
    {
        Bytes = bytes;
        Origin = origin;
        Given = given;
    }

    /// <summary>The user gave the budget (--max-data-gb): arrays that fit it are read however well they compress.</summary>
    public bool Given { get; }

    /// <summary>The budget in bytes.</summary>
    public long Bytes { get; }

    /// <summary>Where the number comes from, said in the error (naming a setting by its marker).</summary>
    public string Origin { get; }

    /// <summary>Bytes reserved so far.</summary>
    public long Reserved { get; private set; }

    /// <summary>
    /// --max-data-gb's gigabytes (10^9 bytes), or, without it, the memory available now (<see cref="AvailableMemory"/>),
    /// and no more than .NET's garbage collector will hold, since data sets are managed arrays.
    /// </summary>
    public static DataBudget Of(double? gigabytes)
    {
        if (gigabytes is not { } gb)
            return new(Math.Min(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, AvailableMemory.Now()?.Bytes ?? long.MaxValue),
                $"the memory available now; {Setting.DataBudget} sets another", given: false);
        if (!(double.IsFinite(gb) && gb > 0))
            throw new SettingException($"{Setting.DataBudget} must be a positive number of gigabytes, got " +
                $"{gb.ToString(CultureInfo.InvariantCulture)}");
        return new((long)Math.Min(gb * ByteSize.Gigabyte, long.MaxValue), Setting.DataBudget, given: true);
    }

    /// <summary>A budget of the given bytes (tests).</summary>
    public static DataBudget OfBytes(long bytes, string origin, bool given = false) => new(bytes, origin, given);

    /// <summary>
    /// Takes the memory the array will be held in (<paramref name="heldBytes"/>; its declared size in the file is what the
    /// message speaks of), or throws a <see cref="DataFormatException"/> naming the file, the array and both sizes.
    /// </summary>
    public void Reserve(string file, string? arrayName, ArrayLayout layout, double heldBytes)
    {
        CheckInflation(file, arrayName, layout);
        if (TryTake(heldBytes)) return;
        string held = Math.Abs(heldBytes - layout.StoredBytes) > 0.5 ? $", {ByteSize.Format(heldBytes)} as held in memory" : "";
        throw new DataFormatException(file, arrayName,
            $"the array declares {layout.Describe()} ({ByteSize.Format(layout.StoredBytes)}{held}), over {Described}");
    }

    /// <summary>
    /// Takes what a streamed source holds (its file list and labels, or the batches prepared ahead of the step), or throws a
    /// <see cref="DataFormatException"/> naming the file and <paramref name="what"/>: its samples stay in their files.
    /// </summary>
    public void Reserve(string file, string what, long heldBytes)
    {
        if (!TryTake(heldBytes))
            throw new DataFormatException(file, null, $"{what} take {ByteSize.Format(heldBytes)}, over {Described}");
    }

    private bool TryTake(double heldBytes)
    {
        if (heldBytes > Bytes - Reserved) return false;
        Reserved += (long)heldBytes;
        return true;
    }

    private string Described =>
        $"the data budget of {ByteSize.Format(Bytes)} ({Origin})" + (Reserved > 0
            ? $", of which {ByteSize.Format(Reserved)} is taken by the data read before" : "");

    /// <summary>
    /// A large array that inflates over <see cref="MaxInflation"/> times its compressed size is refused unless the user
    /// gave the budget: a 4.5 MB zip of zeros can declare 4.7 GB, which the machine may well hold, but nobody meant.
    /// </summary>
    private void CheckInflation(string file, string? arrayName, ArrayLayout layout)
    {
        if (Given || layout.CompressedBytes is not { } compressed || layout.StoredBytes <= InflationCheckedAbove
            || layout.StoredBytes <= MaxInflation * compressed) return;
        throw new DataFormatException(file, arrayName,
            $"the array declares {layout.Describe()} ({ByteSize.Format(layout.StoredBytes)}) in {ByteSize.Format(compressed)} of " +
            $"compressed data, over {MaxInflation:0} times as much: a zip bomb, or data so repetitive that they hold little; " +
            $"give {Setting.DataBudget} to read it all the same");
    }

    /// <inheritdoc cref="Reserve(string, string?, ArrayLayout, double)"/>
    public void Reserve(string file, string? arrayName, ArrayLayout layout) => Reserve(file, arrayName, layout, layout.HeldBytes);
}
