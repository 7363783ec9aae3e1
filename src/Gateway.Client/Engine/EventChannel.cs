using System.Threading.Channels;

namespace Gateway.Client.Engine;

/// <summary>
/// The bounded buffer between the receive loop and the app. When it is full the receive loop waits,
/// which stops reading the socket: memory stays bounded and the server sees the backpressure.
/// One channel lives for one run of the client (connect → disconnect or failure).
/// </summary>
internal sealed class EventChannel
{
    private readonly Channel<StreamItem> _channel;
    private int _readerActive;

    public EventChannel(int capacity)
    {
        _channel = Channel.CreateBounded<StreamItem>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
            AllowSynchronousContinuations = false,
        });
    }

    /// <summary>Items waiting for the consumer.</summary>
    public int Count => _channel.Reader.Count;

    public bool IsCompleted => _channel.Reader.Completion.IsCompleted;

    public ChannelReader<StreamItem> Reader => _channel.Reader;

    public ValueTask WriteAsync(StreamItem item, CancellationToken cancellationToken) =>
        _channel.Writer.TryWrite(item) ? default : _channel.Writer.WriteAsync(item, cancellationToken);

    /// <summary>Ends the stream; the consumer still gets every buffered item, then the error if any.</summary>
    public void Complete(Exception? error = null) => _channel.Writer.TryComplete(error);

    /// <summary>Claims the single consumer slot; false when another enumeration is active.</summary>
    public bool TryClaimReader() => Interlocked.CompareExchange(ref _readerActive, 1, 0) == 0;

    public void ReleaseReader() => Volatile.Write(ref _readerActive, 0);
}
