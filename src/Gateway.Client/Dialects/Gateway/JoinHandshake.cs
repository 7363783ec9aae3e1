using System.Text.Json;
using Gateway.Client.Wire;

namespace Gateway.Client.Dialects.Gateway;

/// <summary>
/// The legacy <c>join</c> handshake for servers from before <c>hello</c> (docs/protocol.md, "Handshake", legacy fallback):
/// <c>join</c> → <c>joined</c>, then a <c>snapshot</c> when <c>resync_required</c>, else replay frames.
/// </summary>
internal static class JoinHandshake
{
    public static async Task<HandshakeResult> RunAsync(IFrameTransport transport, HandshakeRequest request, Task<byte[]>? pendingReceive, CancellationToken cancellationToken)
    {
        using (var buffer = new PooledBufferWriter())
        {
            GatewayFrameWriter.WriteJoin(buffer, request);
            await transport.SendAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }

        var deadline = TimeProviderDelay.DeadlineAfter(request.TimeProvider, request.Timeout);
        var pending = pendingReceive;
        while (true)
        {
            var frame = await ReceiveBeforeAsync(transport, request, pending, deadline, "joined", cancellationToken).ConfigureAwait(false);
            pending = null;
            using var document = JsonFields.TryParseFrame(frame, out var type);
            if (document is null)
            {
                continue;
            }

            var root = document.RootElement;
            switch (type)
            {
                case "joined":
                    return await CompleteAsync(transport, request, root, deadline, cancellationToken).ConfigureAwait(false);
                case "error":
                case "hello_error":
                    throw HelloHandshake.ReadRefusal(root, request);
                case "ping":
                    await GatewayDialect.SendPongAsync(transport, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
    }

    private static async Task<HandshakeResult> CompleteAsync(IFrameTransport transport, HandshakeRequest request, JsonElement joined, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var sessionId = JsonFields.String(joined, "session_id");
        var cursor = JsonFields.Int64(joined, "cursor");
        if (string.IsNullOrEmpty(sessionId) || cursor is null or < 0)
        {
            throw new GatewayHandshakeException(
                HandshakeErrorCodes.InvalidResponse,
                "The gateway's joined answer breaks the protocol: it needs 'session_id' and a non-negative integer 'cursor'.",
                clientProtocol: request.Protocol);
        }

        // Servers from before version negotiation speak protocol 1 and may not say so.
        var protocol = JsonFields.Int32(joined, "protocol_version") ?? 1;
        if (!request.Protocol.Contains(protocol))
        {
            throw new GatewayHandshakeException(
                HandshakeErrorCodes.InvalidResponse,
                $"The gateway joined with protocol {protocol}, outside the offered range {request.Protocol}.",
                clientProtocol: request.Protocol);
        }

        var resyncRequired = JsonFields.Boolean(joined, "resync_required") ?? false;
        var afterHandshake = new List<byte[]>();
        var snapshot = SnapshotFromJoined(joined);
        if (resyncRequired)
        {
            // The snapshot comes next; anything else that comes first belongs to the event stream.
            while (true)
            {
                var frame = await ReceiveBeforeAsync(transport, request, null, deadline, "snapshot", cancellationToken).ConfigureAwait(false);
                using var document = JsonFields.TryParseFrame(frame, out var type);
                if (type == "ping")
                {
                    await GatewayDialect.SendPongAsync(transport, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (type == "snapshot" && document is not null)
                {
                    snapshot = JsonFields.Object(document.RootElement, "state") ?? snapshot;
                }
                else
                {
                    afterHandshake.Add(frame);
                }

                break;
            }
        }

        var session = new GatewaySession(
            sessionId!,
            protocol,
            isLegacyHandshake: true,
            resumed: JsonFields.Boolean(joined, "resumed") ?? false,
            serverCursor: cursor.Value,
            epoch: null,
            oldestCursor: JsonFields.Int64(joined, "oldest_cursor"),
            features: GatewayFeatures.None,
            policy: GatewayPolicy.None,
            snapshot: snapshot);
        return new HandshakeResult(session, resyncRequired, afterHandshake);
    }

    /// <summary>A legacy server's presence and health, shaped like a protocol 2 snapshot.</summary>
    private static JsonElement? SnapshotFromJoined(JsonElement joined)
    {
        var hasPresence = joined.TryGetProperty("presence", out var presence);
        var hasHealth = joined.TryGetProperty("health", out var health);
        if (!hasPresence && !hasHealth)
        {
            return null;
        }

        using var buffer = new PooledBufferWriter();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (hasPresence)
            {
                json.WritePropertyName("presence");
                presence.WriteTo(json);
            }

            if (hasHealth)
            {
                json.WritePropertyName("health");
                health.WriteTo(json);
            }

            json.WriteEndObject();
        }

        var reader = new Utf8JsonReader(buffer.WrittenMemory.Span);
        return JsonElement.ParseValue(ref reader);
    }

    private static async Task<byte[]> ReceiveBeforeAsync(IFrameTransport transport, HandshakeRequest request, Task<byte[]>? pending, DateTimeOffset deadline, string awaited, CancellationToken cancellationToken)
    {
        var receive = pending ?? transport.ReceiveAsync(cancellationToken);
        if (!await TimeProviderDelay.WaitUntilAsync(receive, request.TimeProvider, deadline, cancellationToken).ConfigureAwait(false))
        {
            throw new GatewayHandshakeException(
                HandshakeErrorCodes.Timeout,
                $"The gateway sent no '{awaited}' within {request.Timeout.TotalSeconds:0.###} s of the legacy join.",
                clientProtocol: request.Protocol);
        }

        return await receive.ConfigureAwait(false);
    }
}
