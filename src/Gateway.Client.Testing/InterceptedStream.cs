namespace Gateway.Client.Testing;

/// <summary>
/// A connection's byte stream with two faults the socket API cannot express: a hook that runs inside
/// the next write, before any byte of it goes out (to abort a socket from inside a send, the race a
/// dying connection produces), and a stop on reading (the gateway's reader is stuck; the client's sends
/// fill the socket buffers and then block).
/// </summary>
internal sealed class InterceptedStream : Stream
{
    private readonly Stream _inner;
    private readonly CancellationTokenSource _disposed = new();
    private Action? _beforeNextWrite;
    private int _stopped;

    public InterceptedStream(Stream inner) => _inner = inner;

    public override bool CanRead => _inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => _inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Runs <paramref name="hook"/> once, inside the next write, before it reaches the socket.</summary>
    public void BeforeNextWrite(Action hook) => Volatile.Write(ref _beforeNextWrite, hook);

    /// <summary>From now on no read returns: each waits until the stream is disposed, then fails.</summary>
    public void StopReading() => Interlocked.Exchange(ref _stopped, 1);

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Volatile.Read(ref _stopped) == 1 ? new ValueTask<int>(NeverReadAsync(cancellationToken)) : _inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Volatile.Read(ref _stopped) == 1 ? NeverReadAsync(cancellationToken) : _inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count)
    {
        RunHook();
        _inner.Write(buffer, offset, count);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        RunHook();
        return _inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        RunHook();
        return _inner.WriteAsync(buffer, offset, count, cancellationToken);
    }

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _disposed.Cancel();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync()
    {
        _disposed.Cancel();
        return _inner.DisposeAsync();
    }

    /// <summary>
    /// A read that never returns data: it ends when the reader gives up or the stream is disposed. It ends
    /// on a thread of its own, never inline in the canceller: the socket disposes this stream while holding
    /// its own lock, and a reader continuing inline there would wait for a cancellation callback that
    /// itself waits for that lock (a deadlock seen once in CI).
    /// </summary>
    private async Task<int> NeverReadAsync(CancellationToken cancellationToken)
    {
        var ended = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellationToken.Register(static state => ((TaskCompletionSource<int>)state!).TrySetCanceled(), ended))
        using (_disposed.Token.Register(static state => ((TaskCompletionSource<int>)state!).TrySetException(new ObjectDisposedException(nameof(InterceptedStream))), ended))
        {
            return await ended.Task.ConfigureAwait(false);
        }
    }

    private void RunHook() => Interlocked.Exchange(ref _beforeNextWrite, null)?.Invoke();
}
