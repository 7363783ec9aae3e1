using System.Text.Json;

namespace Gateway.Client.Dialects;

/// <summary>One frame read during a handshake: its bytes, and its JSON object and <c>type</c> when it has them.</summary>
internal sealed class HandshakeFrame(byte[] raw, JsonDocument? document, string? type) : IDisposable
{
    public byte[] Raw { get; } = raw;

    /// <summary>Null when the frame is not a JSON object.</summary>
    public JsonDocument? Document { get; } = document;

    public string? Type { get; } = type;

    public void Dispose() => Document?.Dispose();
}
