using System.Buffers;
using System.Net.WebSockets;

namespace Gateway.Client.Wire;

/// <summary>
/// Reads whole WebSocket messages into one pooled buffer that is reused from message to message and
/// grows (up to a hard limit) only for large ones. The bytes of a message are valid until the next read.
/// While no message is arriving it holds no buffer: it waits with a zero-byte receive and rents the buffer
/// when data is there, so an idle connection costs its socket and little else.
/// </summary>
internal sealed class MessageReader : IDisposable
{
    // Small to start: an idle connection costs little; the buffer doubles (up to the limit) for larger messages.
    private const int InitialSize = 4 * 1024;

    private readonly int _maxMessageBytes;
    private byte[] _buffer;
#if NET
    private bool _paused = true; // whether the last read had to wait: then the next one waits without a buffer
#endif

    public MessageReader(int maxMessageBytes)
    {
        _maxMessageBytes = maxMessageBytes;
        _buffer = Array.Empty<byte>();
    }

    /// <summary>The buffer holding the last message read (its first <see cref="ReceivedMessage.Count"/> bytes).</summary>
    public byte[] Buffer => _buffer;

    /// <summary>Reads the next whole message, or the close frame.</summary>
    /// <exception cref="MessageTooLargeException">The message is larger than the limit.</exception>
#if NET
    // Called once per message and usually completes asynchronously: pool its state machine.
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
#endif
    public async ValueTask<ReceivedMessage> ReadAsync(WebSocket socket, CancellationToken cancellationToken)
    {
#if NET
        // After a pause, wait for the next message with a zero-byte receive, holding no buffer meanwhile: it completes
        // when the next frame arrives without taking any of its payload. Under load (the last read found data at once)
        // the extra call is skipped.
        if (_paused)
        {
            var ready = socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
            _paused = !ready.IsCompleted;
            if (_paused)
            {
                Release();
            }

            var peeked = await ready.ConfigureAwait(false);
            if (peeked.MessageType == WebSocketMessageType.Close)
            {
                return ReceivedMessage.Close(socket.CloseStatus, socket.CloseStatusDescription);
            }

            if (peeked.EndOfMessage)
            {
                // An empty message: the zero-byte receive was all of it.
                return ReceivedMessage.Data(peeked.MessageType, 0);
            }
        }
#endif

        if (_buffer.Length == 0)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialSize, _maxMessageBytes + 1));
        }

        var count = 0;
        while (true)
        {
            if (count == _buffer.Length)
            {
                Grow(count);
            }

#if NET
            var receive = socket.ReceiveAsync(_buffer.AsMemory(count), cancellationToken);
            if (count == 0 && !receive.IsCompleted)
            {
                // The stream paused with the buffer in hand: from the next message on, wait without it.
                _paused = true;
            }

            var result = await receive.ConfigureAwait(false);
            var (type, received, endOfMessage) = (result.MessageType, result.Count, result.EndOfMessage);
#else
            var result = await socket.ReceiveAsync(new ArraySegment<byte>(_buffer, count, _buffer.Length - count), cancellationToken).ConfigureAwait(false);
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
                return ReceivedMessage.Data(type, count);
            }
        }
    }

    public void Dispose() => Release();

    private void Release()
    {
        var buffer = _buffer;
        _buffer = Array.Empty<byte>();
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Grow(int used)
    {
        // One byte past the limit is enough to detect an oversized message.
        var size = (int)Math.Min((long)_buffer.Length * 2, (long)_maxMessageBytes + 1);
        var grown = ArrayPool<byte>.Shared.Rent(size);
        Array.Copy(_buffer, grown, used);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = grown;
    }
}
