namespace ZilOnnx.Trainer.Data;

/// <summary>
/// A read-only view of a stream that yields at most <paramref name="limit"/> bytes and fails if the stream has more:
/// an .npz member is inflated through it, so a member that inflates beyond what its zip entry declares is stopped
/// as it happens, not after it has filled memory.
/// </summary>
internal sealed class BoundedReadStream(Stream inner, long limit, Func<long, Exception> tooLong) : Stream
{
    private long _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        if (_read >= limit)
        {
            // At the limit: one more byte means the data run on past what was declared.
            Span<byte> probe = stackalloc byte[1];
            if (inner.Read(probe) > 0) throw tooLong(limit);
            return 0;
        }
        int got = inner.Read(buffer[..(int)Math.Min(buffer.Length, limit - _read)]);
        _read += got;
        return got;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
