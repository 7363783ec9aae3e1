using System.Buffers;
using System.Text.Json;

namespace Gateway.Client.Dialects;

/// <summary>
/// An optional capability of a dialect: user turns and aborts as frames of their own, behind
/// <see cref="GatewayClient.SendMessageAsync(string, CancellationToken)"/> and <see cref="GatewayClient.AbortAsync"/>.
/// A dialect without it (OpenClaw sends chat turns as requests) makes those throw
/// <see cref="NotSupportedException"/> naming the dialect and what to use instead
/// (<see cref="DialectEntry.WithoutChatVerbs"/>).
/// </summary>
internal interface IChatVerbs
{
    /// <summary>Writes a user turn.</summary>
    void WriteMessage(IBufferWriter<byte> output, string content);

    /// <summary>Writes a user turn whose content is structured.</summary>
    void WriteMessage(IBufferWriter<byte> output, JsonElement content);

    /// <summary>Writes an abort of the active turn.</summary>
    void WriteAbort(IBufferWriter<byte> output, string reason);
}
