using System.Net.WebSockets;

namespace Gateway.Client.Wire;

/// <summary>
/// Reads whole WebSocket messages, back to back, into a pooled <see cref="PayloadSlab"/>: a message is never
/// overwritten by the next one, so an event can hold its bytes where they were received instead of copying
/// them. When a slab has too little room left the reader moves on to a fresh one; the old one returns to the
/// pool once no event holds it. A message larger than the room moves to a larger slab (up to a hard limit).
/// While no message is arriving it holds no slab: it waits with a zero-byte receive and rents one when data
/// is there, so an idle connection costs its socket and little else.
/// </summary>
internal sealed class MessageReader : IDisposable
{
    // Small after a pause, so an idle connection (or a trickle of events held by a slow consumer) costs little;
    // larger once messages arrive back to back, so a burst moves to a new slab every few dozen events, not every few.
    private const int InitialSize = 4 * 1024;
    private const int BusySize = 16 * 1024;

    // Below this much room a new message starts in a fresh slab rather than likely moving there half-read.
    private const int MinimumRoom = 1024;

    private readonly int _maxMessageBytes;
    private SlabRecycler? _recycler; // made once slabs fill up under load: an idle or quiet reader needs none
    private PayloadSlab? _slab;
    private int _next; // where the next message starts in the slab: just past the last one
#if NET
    private bool _paused = true; // whether the last read had to wait: then the next one waits without a slab
#endif

    public MessageReader(int maxMessageBytes)
    {
        _maxMessageBytes = maxMessageBytes;
    }

    /// <summary>
    /// The stream is likely to pause now (a handshake just ended: a client that just connected often waits for its user):
    /// the next read waits without a slab. Data already there completes that wait at once, so this costs a burst nothing.
    /// </summary>
    public void ExpectPause()
    {
#if NET
        _paused = true;
#endif
    }

    /// <summary>Whether the reader holds a slab now (it does not while it waits after a pause).</summary>
    internal bool HoldsSlab => _slab is not null;

    /// <summary>
    /// Reads the next whole message, or the close frame. The message's bytes stay valid, and unchanged, for as long
    /// as someone holds its slab (<see cref="PayloadSlab.Hold"/>); otherwise only until the next read.
    /// </summary>
    /// <exception cref="MessageTooLargeException">The message is larger than the limit.</exception>
#if NET
    // Called once per message and usually completes asynchronously: pool its state machine.
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
#endif
    public async ValueTask<ReceivedMessage> ReadAsync(WebSocket socket, CancellationToken cancellationToken)
    {
#if NET
        // After a pause, wait for the next message with a zero-byte receive, holding no slab meanwhile: it completes
        // when the next frame arrives without taking any of its payload. Under load (the last read found data at once)
        // the extra call is skipped.
        if (_paused)
        {
            var ready = socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
            _paused = !ready.IsCompleted;
            if (_paused)
            {
                ReleaseAll();
            }

            var peeked = await ready.ConfigureAwait(false);
            if (peeked.MessageType == WebSocketMessageType.Close)
            {
                return ReceivedMessage.Close(socket.CloseStatus, socket.CloseStatusDescription);
            }

            if (peeked.EndOfMessage)
            {
                // An empty message: the zero-byte receive was all of it.
                return ReceivedMessage.Data(peeked.MessageType, PayloadSlab.Empty, 0, 0);
            }
        }
#endif

        if (_slab is null || _slab.Array.Length - _next < MinimumRoom)
        {
            MoveToFreshSlab();
        }

        var slab = _slab!;
        var start = _next;
        var count = 0;
        while (true)
        {
            if (start + count == slab.Array.Length)
            {
                slab = MoveUnfinishedMessage(start, count);
                start = 0;
            }

#if NET
            var receive = socket.ReceiveAsync(slab.Array.AsMemory(start + count), cancellationToken);
            if (count == 0 && !receive.IsCompleted)
            {
                // The stream paused with the slab in hand: from the next message on, wait without it.
                _paused = true;
            }

            var result = await receive.ConfigureAwait(false);
            var (type, received, endOfMessage) = (result.MessageType, result.Count, result.EndOfMessage);
#else
            var result = await socket.ReceiveAsync(new ArraySegment<byte>(slab.Array, start + count, slab.Array.Length - start - count), cancellationToken).ConfigureAwait(false);
            var (type, received, endOfMessage) = (result.MessageType, result.Count, result.EndOfMessage);
#endif
            if (type == WebSocketMessageType.Close)
            {
                return ReceivedMessage.Close(socket.CloseStatus, socket.CloseStatusDescription);
            }

            count += received;
            if (count > _maxMessageBytes)
            {
                throw new MessageTooLargeException(_maxMessageBytes);
            }

            if (endOfMessage)
            {
                _next = start + count;
                return ReceivedMessage.Data(type, slab, start, count);
            }
        }
    }

    public void Dispose() => Release();

    /// <summary>Lets go of the current slab: it returns to the pool once no event holds it.</summary>
    private void Release()
    {
        var slab = _slab;
        _slab = null;
        _next = 0;
        slab?.Release();
    }

    /// <summary>Waiting after a pause: nothing of the reader's stays but the reader (the spare slab object is dropped too).</summary>
    private void ReleaseAll()
    {
        Release();
        _recycler?.Take();
    }

    private void MoveToFreshSlab()
    {
        // A slab that filled up under load is followed by a larger one, and slab objects are recycled from then on;
        // the first after a pause is small.
        var size = InitialSize;
        if (_slab is not null)
        {
            size = BusySize;
            _recycler ??= new SlabRecycler();
        }

        Release();
        _slab = PayloadSlab.Rent(Math.Min(size, _maxMessageBytes + 1), _recycler);
    }

    /// <summary>
    /// The message being read reached the end of its slab: it moves, with what was read of it, to a slab of its own,
    /// twice as large when it already filled one from the start (one byte past the limit is enough to detect an
    /// oversized message). Events held in the old slab keep it alive.
    /// </summary>
    private PayloadSlab MoveUnfinishedMessage(int start, int count)
    {
        var old = _slab!;
        var wanted = start == 0 ? (long)old.Array.Length * 2 : Math.Max(BusySize, (long)count * 2);
        var moved = PayloadSlab.Rent((int)Math.Min(wanted, (long)_maxMessageBytes + 1), _recycler);
        Buffer.BlockCopy(old.Array, start, moved.Array, 0, count);
        old.Release();
        _slab = moved;
        _next = 0;
        return moved;
    }
}
