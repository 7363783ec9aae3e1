using System.Text.Json;
using Gateway.Client.Wire;

namespace Gateway.Client.Dialects.PraisonAI;

/// <summary>
/// The legacy <c>join</c> handshake for servers from before <c>hello</c> (docs/protocol.md, "Handshake", legacy fallback):
/// <c>join</c> → <c>joined</c>, then a <c>snapshot</c> when <c>resync_required</c>, else replay frames.
/// </summary>
internal static class JoinHandshake
{
    /// <summary>Sends <c>join</c> (because of <paramref name="cause"/>) and reads its answer; <paramref name="pendingReceive"/> is hello's receive, still waiting.</summary>
    public static async Task<HandshakeResult> RunAsync(IFrameTransport transport, HandshakeRequest request, JoinCause cause, Task<byte[]>? pendingReceive, CancellationToken cancellationToken)
    {
        using (var buffer = new PooledBufferWriter())
        {
            PraisonAIFrameWriter.WriteJoin(buffer, request);
            await transport.SendAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }

        var reader = new HandshakeReader(transport, request, pendingReceive);
        while (true)
        {
            using var frame = await reader.TryReadAsync(cancellationToken).ConfigureAwait(false) ?? throw NoJoined(request, cause);
            if (frame.Document is not { RootElement: var root })
            {
                reader.Ignore();
                continue;
            }

            switch (frame.Type)
            {
                default:
                    reader.Ignore();
                    break;
                case "joined":
                    return await CompleteAsync(reader, request, root, cancellationToken).ConfigureAwait(false);
                case "hello_ok" when cause != JoinCause.KnownLegacyServer:
                    throw LateHello(request, cause);
                case "error":
                case "hello_error":
                    throw HelloHandshake.ReadRefusal(root, request);
            }
        }
    }

    private static async Task<HandshakeResult> CompleteAsync(HandshakeReader reader, HandshakeRequest request, JsonElement joined, CancellationToken cancellationToken)
    {
        var sessionId = JsonFields.String(joined, "session_id");
        var cursor = JsonFields.Int64(joined, "cursor");
        if (string.IsNullOrEmpty(sessionId) || cursor is not { } head || !ServerNumbers.IsCursor(head))
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
            using var frame = await reader.TryReadAsync(cancellationToken).ConfigureAwait(false)
                ?? throw TimedOut(request, $"The gateway answered join with resync_required but sent no 'snapshot' within {Seconds(request)} of the legacy join.");
            if (frame.Type == "snapshot" && frame.Document is { } document)
            {
                snapshot = JsonFields.Object(document.RootElement, "state") ?? snapshot;
            }
            else
            {
                afterHandshake.Add(frame.Raw);
            }
        }

        var session = new GatewaySession(
            sessionId!,
            protocol,
            isLegacyHandshake: true,
            resumed: JsonFields.Boolean(joined, "resumed") ?? false,
            headSequence: cursor.Value,
            epoch: null,
            oldestSequence: HelloHandshake.OldestSequence(joined),
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

    /// <summary>No <c>joined</c> in time: the message says what was sent, what went unanswered and for how long in all.</summary>
    private static GatewayHandshakeException NoJoined(HandshakeRequest request, JoinCause cause) => TimedOut(request, cause switch
    {
        JoinCause.HelloUnanswered =>
            $"The gateway answered neither hello (nothing within {Seconds(request)}) nor the legacy join sent after it " +
            $"(no 'joined' within {Seconds(request)} more; {request.Timeout.TotalSeconds * 2:0.###} s in all, HandshakeTimeout twice).",
        JoinCause.HelloAnsweredWithError =>
            $"The gateway answered hello with a legacy error, then sent no 'joined' within {Seconds(request)} of the legacy join.",
        _ => $"The gateway sent no 'joined' within {Seconds(request)} of the legacy join (it had answered join before, so hello was not tried).",
    });

    /// <summary>
    /// A <c>hello_ok</c> after the fall-back: the server speaks hello and was only slow. It cannot be taken (a join is
    /// already on its way to a server that does not expect one), so the attempt ends now, saying so, rather than
    /// waiting out a join that such a server does not answer; the next attempt tries hello again.
    /// </summary>
    private static GatewayHandshakeException LateHello(HandshakeRequest request, JoinCause cause) => TimedOut(request, cause == JoinCause.HelloUnanswered
        ? $"The gateway answered hello only after HandshakeTimeout ({Seconds(request)}) had passed, when the client had already fallen back to the legacy join: it is a slow server, not a legacy one. Raise HandshakeTimeout if it is often this slow."
        : "The gateway answered hello with a legacy error and then with hello_ok, after the client had fallen back to the legacy join.");

    private static GatewayHandshakeException TimedOut(HandshakeRequest request, string message) =>
        new(HandshakeErrorCodes.Timeout, message, clientProtocol: request.Protocol);

    private static string Seconds(HandshakeRequest request) => $"{request.Timeout.TotalSeconds:0.###} s";
}
