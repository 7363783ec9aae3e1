using System.Net.WebSockets;
using System.Text.Json;

namespace Gateway.Client.Testing;

/// <summary>
/// The receive loop both conversations share: whole text messages up to the payload limit (larger ones
/// close with 1009), the client's close answered, nothing read while stalled, every JSON frame recorded
/// before it is handled.
/// </summary>
internal static class FrameLoop
{
    /// <summary>
    /// Runs until the connection ends (false) or <paramref name="handle"/> says to stop (true). A binary message,
    /// or text that is not JSON, goes to <paramref name="unreadable"/> (with its type) when given, else it is skipped.
    /// </summary>
    public static async Task<bool> RunAsync(TestGateway gateway, TestConnection connection, Func<JsonElement, Task<bool>> handle, Func<WebSocketMessageType, Task<bool>>? unreadable = null)
    {
        var maxPayload = gateway.Options.MaxPayload;
        var buffer = new byte[Math.Min(maxPayload + 1, 64 * 1024)];
        using var message = new MemoryStream();
        while (true)
        {
            if (connection.IsStalled)
            {
                await connection.Closed.ConfigureAwait(false);
                return false;
            }

            message.SetLength(0);
            WebSocketReceiveResult result;
            do
            {
                result = await connection.Socket.ReceiveAsync(buffer, gateway.Stopping).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    connection.ClientCloseStatus = result.CloseStatus;
                    await connection.CloseAsync((int)(result.CloseStatus ?? WebSocketCloseStatus.NormalClosure)).ConfigureAwait(false);
                    return false;
                }

                message.Write(buffer, 0, result.Count);
                if (message.Length > maxPayload)
                {
                    await connection.CloseAsync((int)WebSocketCloseStatus.MessageTooBig, "message too big").ConfigureAwait(false);
                    return false;
                }
            }
            while (!result.EndOfMessage);

            // A stalled server reads nothing: what arrived after the stall is not processed.
            if (connection.IsStalled)
            {
                continue;
            }

            connection.TouchActivity();
            if (result.MessageType != WebSocketMessageType.Text || !TryParse(message, out var frame))
            {
                if (unreadable is not null && !await unreadable(result.MessageType).ConfigureAwait(false))
                {
                    return true;
                }

                continue;
            }

            connection.Record(frame);
            if (!await handle(frame).ConfigureAwait(false))
            {
                return true;
            }
        }
    }

    private static bool TryParse(MemoryStream message, out JsonElement frame)
    {
        try
        {
            var reader = new Utf8JsonReader(message.GetBuffer().AsSpan(0, (int)message.Length));
            frame = JsonElement.ParseValue(ref reader);
            return true;
        }
        catch (JsonException)
        {
            frame = default;
            return false;
        }
    }
}
