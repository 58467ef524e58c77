using ZilOnnx.Cli.CommandLine;
using ZilOnnx.Trainer.Compute;
using ZilOnnx.Trainer.Data;
using ZilOnnx.Trainer.Settings;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Tests.Trainer.Data;

/// <summary>The data budget: what it lets through, what it refuses and how it says so; where its default comes from.</summary>
public sealed class DataBudgetTests
{
    private static readonly ArrayLayout Bomb = new("x", DataType.Float, [1_500_000, 1, 28, 28], 4);

    [Fact]
    public void An_array_over_the_budget_is_refused_naming_the_file_the_array_its_shape_and_both_sizes()
    {
        var budget = DataBudget.Of(2);
        var e = Assert.Throws<DataFormatException>(() => budget.Reserve("bomb.npz", "x", Bomb));
        Assert.Equal("bomb.npz, array 'x': the array declares 1500000 x 1 x 28 x 28 float32 (4.7 GB), over the data budget of 2 GB (dataBudget)", e.Message);
        Assert.EndsWith("over the data budget of 2 GB (--max-data-gb)", SettingFlags.MessageOf(e));
        Assert.Equal(0, budget.Reserved);
    }

    [Fact]
    public void Arrays_of_one_command_share_the_budget()
    {
        var budget = DataBudget.Of(5);
        budget.Reserve("train.npz", "x", Bomb);
        Assert.Equal(4_704_000_000, budget.Reserved);
        var e = Assert.Throws<DataFormatException>(() => budget.Reserve("test.npz", "x", Bomb with { Shape = [300_000, 1, 28, 28] }));
        Assert.Contains("over the data budget of 5 GB (--max-data-gb), of which 4.7 GB is taken by the data read before", SettingFlags.MessageOf(e));
    }

    [Fact]
    public void The_budget_counts_what_an_array_is_held_in_not_what_it_is_stored_in()
    {
        // float16 is held as float32: 2 GB stored, 4 GB held.
        var halves = new ArrayLayout("x", DataType.Float16, [1_000_000_000], 2);
        var e = Assert.Throws<DataFormatException>(() => DataBudget.Of(3).Reserve("h.npy", "x", halves));
        Assert.Contains("1000000000 float16 (2 GB, 4 GB as held in memory)", e.Message);
        DataBudget.Of(4).Reserve("h.npy", "x", halves);
    }

    [Fact]
    public void A_shape_beyond_64_bits_is_over_any_budget_not_an_overflow()
    {
        var absurd = new ArrayLayout("x", DataType.Double, [long.MaxValue, long.MaxValue], 8);
        var e = Assert.Throws<DataFormatException>(() => DataBudget.OfBytes(long.MaxValue, "test").Reserve("a.npy", "x", absurd));
        Assert.Contains("over the data budget", e.Message);
    }

    [Fact]
    public void A_large_array_that_inflates_over_a_hundred_times_is_refused_unless_the_budget_is_given()
    {
        var deflated = Bomb with { CompressedBytes = 4_572_205 };
        var e = Assert.Throws<DataFormatException>(() => DataBudget.OfBytes(long.MaxValue, "the memory available now").Reserve("bomb.npz", "x", deflated));
        Assert.Contains("declares 1500000 x 1 x 28 x 28 float32 (4.7 GB) in 4.6 MB of compressed data, over 100 times as much", e.Message);
        Assert.Contains("give --max-data-gb to read it all the same", SettingFlags.MessageOf(e));

        DataBudget.Of(10).Reserve("bomb.npz", "x", deflated); // given: read
        DataBudget.OfBytes(long.MaxValue, "test").Reserve("ok.npz", "x", Bomb with { CompressedBytes = 4_704_000_000 / 99 });
        DataBudget.OfBytes(long.MaxValue, "test").Reserve("small.npz", "x", Bomb with { Shape = [300_000, 1, 28, 28], CompressedBytes = 1000 });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void The_option_takes_positive_finite_gigabytes_only(double gigabytes)
    {
        var e = Assert.Throws<SettingException>(() => DataBudget.Of(gigabytes));
        Assert.StartsWith("--max-data-gb must be a positive number of gigabytes", SettingFlags.MessageOf(e));
    }

    [Fact]
    public void Without_the_option_the_budget_is_the_memory_available_now()
    {
        var budget = DataBudget.Of(null);
        Assert.False(budget.Given);
        long total = long.Parse(File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:"))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        Assert.InRange(budget.Bytes, 1, total);
        Assert.Contains("the memory available now", budget.Origin);
    }

    [Fact]
    public void MemAvailable_and_a_cgroup_limit_are_read_from_the_kernels_texts()
    {
        Assert.Equal(21_474_836_480L, AvailableMemory.MemAvailable("MemTotal:       32000000 kB\nMemFree:         1000 kB\nMemAvailable:   20971520 kB\n"));
        Assert.Null(AvailableMemory.MemAvailable("MemTotal: 1 kB\n"));
        Assert.Equal(1_000_000, AvailableMemory.Headroom("3000000\n", "2000000\n"));
        Assert.Equal(0, AvailableMemory.Headroom("1000\n", "2000\n"));
        Assert.Null(AvailableMemory.Headroom("max\n", "2000\n"));
    }

    [Theory]
    [InlineData(784, "784 bytes")]
    [InlineData(47_040_000, "47 MB")]
    [InlineData(4_704_000_000, "4.7 GB")]
    [InlineData(21_944_000_000, "21.9 GB")]
    [InlineData(3.136e18, "3136000 TB")]
    public void Sizes_are_said_in_decimal_units(double bytes, string said) => Assert.Equal(said, ByteSize.Format(bytes));
}
