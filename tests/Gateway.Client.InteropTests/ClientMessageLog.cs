using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Gateway.Client.InteropTests;

/// <summary>
/// The text messages a WebSocket client sent on one TCP connection, read from its raw bytes: the HTTP upgrade is
/// skipped, frames are unmasked (RFC 6455 §5.2) and fragments joined; control and binary frames are left out. Fed
/// by one pump only; read from any thread.
/// </summary>
internal sealed class ClientMessageLog
{
    private readonly List<byte> _pending = new();
    private readonly List<byte> _fragments = new();
    private readonly List<string> _messages = new();
    private bool _upgraded;
    private bool _inText;

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_messages)
            {
                return _messages.ToArray();
            }
        }
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        _pending.AddRange(data);
        if (!_upgraded)
        {
            var endOfRequest = CollectionsMarshal.AsSpan(_pending).IndexOf("\r\n\r\n"u8);
            if (endOfRequest < 0)
            {
                return;
            }

            _pending.RemoveRange(0, endOfRequest + 4);
            _upgraded = true;
        }

        while (TryTakeFrame())
        {
        }
    }

    private bool TryTakeFrame()
    {
        var bytes = CollectionsMarshal.AsSpan(_pending);
        if (bytes.Length < 2)
        {
            return false;
        }

        var final = (bytes[0] & 0x80) != 0;
        var opcode = bytes[0] & 0x0F;
        var masked = (bytes[1] & 0x80) != 0;
        var length = (long)(bytes[1] & 0x7F);
        var header = 2;
        if (length == 126)
        {
            if (bytes.Length < 4)
            {
                return false;
            }

            length = BinaryPrimitives.ReadUInt16BigEndian(bytes[2..4]);
            header = 4;
        }
        else if (length == 127)
        {
            if (bytes.Length < 10)
            {
                return false;
            }

            length = (long)BinaryPrimitives.ReadUInt64BigEndian(bytes[2..10]);
            header = 10;
        }

        var start = header + (masked ? 4 : 0);
        if (bytes.Length < start + length)
        {
            return false;
        }

        var payload = bytes.Slice(start, (int)length).ToArray();
        if (masked)
        {
            var key = bytes.Slice(header, 4);
            for (var i = 0; i < payload.Length; i++)
            {
                payload[i] ^= key[i % 4];
            }
        }

        _pending.RemoveRange(0, start + (int)length);

        // A text message (opcode 1), possibly continued (opcode 0) until its final frame.
        if (opcode == 1 || (opcode == 0 && _inText))
        {
            _fragments.AddRange(payload);
            _inText = !final;
            if (final)
            {
                lock (_messages)
                {
                    _messages.Add(Encoding.UTF8.GetString(_fragments.ToArray()));
                }

                _fragments.Clear();
            }
        }

        return true;
    }
}
