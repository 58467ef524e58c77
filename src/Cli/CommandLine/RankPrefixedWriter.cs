using System.Text;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>Writes each line as "rank R: line", so that mpirun's merged output says which process wrote what.</summary>
public sealed class RankPrefixedWriter(TextWriter inner, int rank) : TextWriter
{
    public override Encoding Encoding => inner.Encoding;

    public override void WriteLine(string? value) => inner.WriteLine($"rank {rank}: {value}");

    public override void Write(char value) => inner.Write(value);

    public override void Flush() => inner.Flush();
}
