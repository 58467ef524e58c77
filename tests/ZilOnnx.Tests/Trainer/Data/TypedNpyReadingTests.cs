using Xunit;
using ZilOnnx.Tests.TestSupport;
using ZilOnnx.Trainer.Data;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Tests.Trainer.Data;

/// <summary>
/// The typed reader (<see cref="NpyPairSampleReader"/>, <see cref="NpyArrayReader"/>) holds each dtype as
/// <see cref="SampleTypes.HeldAs"/> says and reads the values the double reader reads, for every file NumPy wrote in
/// tests/fixtures/npy: both byte orders, Fortran order, every numeric dtype, versions 2.0 and 3.0. Ranges of rows
/// and rows by index read the same values as the whole array.
/// </summary>
public sealed class TypedNpyReadingTests
{
    public static TheoryData<string> Files() => new(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "fixtures", "npy"), "*.npy")
        .Select(Path.GetFileName).OfType<string>().Where(f => f is not ("scalar_f8.npy" or "empty_f4.npy")).Order());

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_numpy_dtype_is_held_in_its_type_with_the_values_the_double_reader_reads(string file)
    {
        string path = NpyTestFiles.Fixture(file);
        var expected = NpyFormat.Read(path);
        var reader = NpyArrayReader.Open(() => DataFile.OpenForReading(path), "x", path, null);
        var array = reader.ReadRows(0, expected.Shape[0]);

        Assert.Equal(expected.ElementType, array.ElementType);
        Assert.Equal(expected.Shape, array.Shape);
        Assert.Equal(SampleTypes.HeldAs(expected.ElementType), array.GetType().GetGenericArguments()[0]);
        Assert.Equal(expected.Values, Enumerable.Range(0, (int)array.Length).Select(i => array.ValueAt(i)));
    }

    [Theory]
    [InlineData("le_f4.npy")]
    [InlineData("be_i8.npy")]
    [InlineData("fortran_f8.npy")]
    [InlineData("fortran_be_i4.npy")]
    public void A_range_of_rows_holds_what_the_whole_array_holds_there(string file)
    {
        string path = NpyTestFiles.Fixture(file);
        var reader = NpyArrayReader.Open(() => DataFile.OpenForReading(path), "x", path, null);
        var whole = reader.ReadRows(0, reader.Layout.Samples);
        var last = reader.ReadRows(reader.Layout.Samples - 1, 1);
        Assert.Equal([1, .. whole.Shape[1..]], last.Shape);
        Assert.Equal(Enumerable.Range((int)(whole.Length - last.Length), (int)last.Length).Select(i => whole.ValueAt(i)),
            Enumerable.Range(0, (int)last.Length).Select(i => last.ValueAt(i)));
    }

    [Fact]
    public void Rows_by_index_are_read_in_runs_and_come_back_in_the_order_asked()
    {
        using var temp = new TempDirectory();
        var arrays = Fixtures.Arrays("lenet5.ce.npz");
        NpyFormat.Write(temp.File("x.npy"), arrays["x"]);
        NpyFormat.Write(temp.File("y.npy"), arrays["y"]);
        using var reader = DataSources.Open(temp.Path, DataSplit.Train, "x");
        long[] indices = [3, 4, 5, 0, 31, 30];
        var block = reader.ReadAt(indices);
        var whole = reader.Read(0, 32);
        Assert.Equal(whole.Inputs.Rows(indices).Shape, block.Inputs.Shape);
        Assert.Equal(((SampleArray<float>)whole.Inputs.Rows(indices)).Values, ((SampleArray<float>)block.Inputs).Values);
        Assert.Equal(((SampleArray<long>)whole.Targets.Rows(indices)).Values, ((SampleArray<long>)block.Targets).Values);
    }

    [Fact]
    public void A_uint64_beyond_int64_is_refused_naming_the_element()
    {
        using var temp = new TempDirectory();
        string path = temp.File("big.npy");
        byte[] data = new byte[16];
        BitConverter.TryWriteBytes(data.AsSpan(8), ulong.MaxValue);
        File.WriteAllBytes(path, NpyTestFiles.RawNpy("<u8", "(2,)", data));
        var reader = NpyArrayReader.Open(() => DataFile.OpenForReading(path), "y", path, null);
        Assert.Equal(DataType.Uint64, reader.Layout.ElementType);
        var e = Assert.Throws<DataFormatException>(() => reader.ReadRows(0, 2));
        Assert.Contains("element 1 (18446744073709551615) is beyond the range of int64", e.Message);
    }
}
