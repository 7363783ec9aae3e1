using System.Text.Json;
using Gateway.Client.Wire;

namespace Gateway.Client.Dialects.PraisonAI;

/// <summary>
/// The <c>hello</c> handshake (docs/protocol.md, "Handshake"). Ends with a session, a typed refusal, or a request to
/// fall back to <c>join</c> (the server ignored <c>hello</c> or answered with a legacy <c>error</c>).
/// </summary>
internal static class HelloHandshake
{
    public static async Task<HelloOutcome> RunAsync(IFrameTransport transport, HandshakeRequest request, CancellationToken cancellationToken)
    {
        var sendFailed = false;
        using (var buffer = new PooledBufferWriter())
        {
            PraisonAIFrameWriter.WriteHello(buffer, request);
            try
            {
                await transport.SendAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            }
            catch (GatewayConnectionException)
            {
                // A server that rejects before the client speaks may already be closing: its hello_error
                // is still waiting to be read, and it says more than the failed send.
                sendFailed = true;
            }
        }

        var reader = new HandshakeReader(transport, request);
        while (true)
        {
            using var frame = await reader.TryReadAsync(cancellationToken).ConfigureAwait(false);
            if (frame is null)
            {
                if (request.AllowLegacy && !sendFailed)
                {
                    return HelloOutcome.Unanswered(reader.TakePending());
                }

                throw new GatewayHandshakeException(
                    HandshakeErrorCodes.Timeout,
                    $"The gateway did not answer hello within {request.Timeout.TotalSeconds:0.###} s (HandshakeTimeout).",
                    clientProtocol: request.Protocol);
            }

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
                case "hello_ok":
                    return HelloOutcome.Success(ReadHelloOk(root, request));
                case "hello_error":
                    throw ReadRefusal(root, request);
                case "error" when request.AllowLegacy:
                    return HelloOutcome.AnsweredWithError();
                case "error":
                    throw new GatewayHandshakeException(
                        JsonFields.String(root, "code") ?? HandshakeErrorCodes.InvalidResponse,
                        "The gateway answered hello with a legacy error and the legacy handshake is disabled: " + (JsonFields.String(root, "message") ?? "(no message)"),
                        clientProtocol: request.Protocol);
            }
        }
    }

    private static HandshakeResult ReadHelloOk(JsonElement root, HandshakeRequest request)
    {
        var protocol = JsonFields.Int32(root, "protocol")
            ?? throw Invalid("hello_ok has no integer 'protocol'", request);
        if (!request.Protocol.Contains(protocol))
        {
            throw Invalid($"hello_ok chose protocol {protocol}, outside the offered range {request.Protocol}", request);
        }

        var sessionId = JsonFields.String(root, "session_id");
        if (string.IsNullOrEmpty(sessionId))
        {
            throw Invalid("hello_ok has no 'session_id'", request);
        }

        var cursor = JsonFields.Int64(root, "cursor");
        if (cursor is not { } head || !ServerNumbers.IsCursor(head))
        {
            throw Invalid($"hello_ok has no 'cursor' between 0 and {ServerNumbers.MaxSequence}", request);
        }

        var session = new GatewaySession(
            sessionId!,
            protocol,
            isLegacyHandshake: false,
            resumed: JsonFields.Boolean(root, "resumed") ?? false,
            headSequence: cursor.Value,
            epoch: JsonFields.String(root, "epoch"),
            oldestSequence: OldestSequence(root),
            features: ReadFeatures(root),
            policy: ReadPolicy(root, request.Numbers),
            snapshot: JsonFields.Object(root, "snapshot"));
        return new HandshakeResult(session, resyncRequired: false, Array.Empty<byte[]>());
    }

    private static GatewayFeatures ReadFeatures(JsonElement root)
    {
        if (JsonFields.Object(root, "features") is not { } features)
        {
            return GatewayFeatures.None;
        }

        return new GatewayFeatures(JsonFields.Strings(features, "methods"), JsonFields.Strings(features, "events"));
    }

    /// <summary><c>oldest_cursor</c>, when it is a usable cursor: a number past the end of the numbers says nothing.</summary>
    internal static long? OldestSequence(JsonElement root) =>
        JsonFields.Int64(root, "oldest_cursor") is { } oldest && ServerNumbers.IsCursor(oldest) ? oldest : null;

    private static GatewayPolicy ReadPolicy(JsonElement root, ServerNumbers numbers)
    {
        if (JsonFields.Object(root, "policy") is not { } policy)
        {
            return GatewayPolicy.None;
        }

        var heartbeat = JsonFields.Int64(policy, "heartbeat_ms");
        return new GatewayPolicy(
            JsonFields.Int64(policy, "max_payload"),
            JsonFields.Int64(policy, "max_buffered_bytes"),
            JsonFields.Int64(policy, "max_queued_frames"),
            numbers.Heartbeat("heartbeat_ms", heartbeat));
    }

    /// <summary>A refusal (<c>hello_error</c>, or a legacy <c>error</c> answering <c>join</c>) as a typed exception.</summary>
    internal static GatewayHandshakeException ReadRefusal(JsonElement root, HandshakeRequest request)
    {
        var code = JsonFields.String(root, "code") ?? "unknown";
        var message = JsonFields.String(root, "message") ?? "(no message)";
        var nextStep = JsonFields.String(root, "next_step") ?? JsonFields.String(root, "next");
        var retryAfterSeconds = JsonFields.Double(root, "retry_after_seconds");
        var retryAfter = request.Numbers.DelaySeconds("retry_after_seconds", retryAfterSeconds);
        var serverRange = ReadServerRange(root);

        var text = $"The gateway refused the handshake: {code}: {message}";
        if (code is HandshakeErrorCodes.ProtocolUnsupported or HandshakeErrorCodes.VersionUnsupported)
        {
            text += $" (client offers protocol {request.Protocol}; server supports {serverRange?.ToString() ?? "an unstated range"}; next step: {nextStep ?? "none given"})";
        }

        return new GatewayHandshakeException(code, text, nextStep, retryAfter, request.Protocol, serverRange);
    }

    /// <summary>The server's range, under any of the names servers use for it.</summary>
    private static ProtocolRange? ReadServerRange(JsonElement root)
    {
        var pairs = new[]
        {
            ("server_protocol_min", "server_protocol_max"),
            ("protocol_min", "protocol_max"),
            ("server_min_version", "server_max_version"),
        };
        foreach (var (minName, maxName) in pairs)
        {
            if (JsonFields.Int32(root, minName) is { } min && JsonFields.Int32(root, maxName) is { } max)
            {
                return new ProtocolRange(min, max);
            }
        }

        return null;
    }

    private static GatewayHandshakeException Invalid(string problem, HandshakeRequest request) =>
        new(HandshakeErrorCodes.InvalidResponse, $"The gateway's handshake answer breaks the protocol: {problem}.", clientProtocol: request.Protocol);
}
