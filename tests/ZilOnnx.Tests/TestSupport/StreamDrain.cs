namespace ZilOnnx.Tests.TestSupport;

/// <summary>
/// Reads a child process's stdout or stderr to its end on a thread of its own. `ReadToEndAsync` completes on the shared
/// thread pool, which the test run keeps busy with blocked waits (parallel collections, Parallel.For over processes): on
/// two cores a process that had long exited was seen to wait 30 s for a pool thread to collect its last bytes, and
/// failed the hang guard it had met.
/// </summary>
public sealed class StreamDrain
{
    private readonly Thread _reader;
    private string _text = "";

    private StreamDrain(StreamReader stream)
    {
        _reader = new Thread(() => _text = stream.ReadToEnd()) { IsBackground = true, Name = "stream drain" };
        _reader.Start();
    }

    public static StreamDrain Start(StreamReader stream) => new(stream);

    /// <summary>Everything the stream carried; waits for its end (the writer closed it: the process ended).</summary>
    public string Text
    {
        get
        {
            _reader.Join();
            return _text;
        }
    }
}
