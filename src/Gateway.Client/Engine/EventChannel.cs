using System.Threading.Channels;

namespace Gateway.Client.Engine;

/// <summary>
/// The buffer between the receive loop and the app, for the client's whole lifetime, so nothing
/// buffered is stranded between runs. Events and gaps are bounded by a capacity gate: when it is full
/// the receive loop waits, which stops reading the socket, so memory stays bounded and the server
/// sees the backpressure. End-of-run markers bypass the gate so ending a run never blocks.
/// </summary>
internal sealed class EventChannel
{
    private readonly Channel<StreamItem> _channel = Channel.CreateUnbounded<StreamItem>(new UnboundedChannelOptions
    {
        SingleReader = true,
        SingleWriter = false,
        AllowSynchronousContinuations = false,
    });

    private readonly SemaphoreSlim _capacity;
    private int _readerActive;
    private int _count;

    public EventChannel(int capacity)
    {
        _capacity = new SemaphoreSlim(capacity, capacity);
    }

    /// <summary>Events and gaps waiting for the consumer.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Adds an event or gap, waiting while the buffer is full.</summary>
    public ValueTask WriteAsync(StreamItem item, CancellationToken cancellationToken)
    {
        if (_capacity.Wait(0))
        {
            Enqueue(item);
            return default;
        }

        return WriteSlowAsync(item, cancellationToken);
    }

    /// <summary>Marks the end of a run; never waits.</summary>
    public void WriteEndOfRun(int run, Exception? error) => _channel.Writer.TryWrite(StreamItem.ForEndOfRun(run, error));

    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => _channel.Reader.WaitToReadAsync(cancellationToken);

    public bool TryRead(out StreamItem item)
    {
        if (!_channel.Reader.TryRead(out item))
        {
            return false;
        }

        if (item.IsCounted)
        {
            Interlocked.Decrement(ref _count);
            _capacity.Release();
        }

        return true;
    }

    /// <summary>Claims the single consumer slot; false when another enumeration is active.</summary>
    public bool TryClaimReader() => Interlocked.CompareExchange(ref _readerActive, 1, 0) == 0;

    public void ReleaseReader() => Volatile.Write(ref _readerActive, 0);

    private async ValueTask WriteSlowAsync(StreamItem item, CancellationToken cancellationToken)
    {
        await _capacity.WaitAsync(cancellationToken).ConfigureAwait(false);
        Enqueue(item);
    }

    private void Enqueue(StreamItem item)
    {
        Interlocked.Increment(ref _count);
        _channel.Writer.TryWrite(item);
    }
}
