using System.Text.Json;
using Gateway.Client.Wire;
using Gateway.Client.OpenClaw;

namespace Gateway.Client.Dialects.OpenClaw;

/// <summary>
/// The OpenClaw handshake: the server speaks first with the event <c>connect.challenge</c>; the client
/// answers with the request <c>connect</c> (versions, client identity, role, scopes, token); success is
/// a <c>res</c> whose payload is <c>hello-ok</c>. Refusals are typed from <c>details.code</c> (else
/// <c>code</c>), with the server's <c>retryable</c> flag and <c>retryAfterMs</c>.
/// </summary>
internal static class OpenClawHandshake
{
    private const string ConnectRequestId = "connect";

    public static async Task<HandshakeResult> RunAsync(IFrameTransport transport, HandshakeRequest request, OpenClawOptions options, CancellationToken cancellationToken)
    {
        var range = new ProtocolRange(options.MinProtocol, options.MaxProtocol);
        var reader = new HandshakeReader(transport, request);
        await WaitForAsync(reader, request, range, "connect.challenge", frame =>
            JsonFields.String(frame, "type") == "event" && JsonFields.String(frame, "event") == "connect.challenge", cancellationToken).ConfigureAwait(false);

        using (var buffer = new PooledBufferWriter(512))
        {
            WriteConnect(buffer, request, options);
            await transport.SendAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }

        var answer = await WaitForAsync(reader, request, range, "hello-ok", frame =>
            JsonFields.String(frame, "type") == "res" && JsonFields.String(frame, "id") == ConnectRequestId, cancellationToken).ConfigureAwait(false);
        if (JsonFields.Boolean(answer, "ok") != true)
        {
            throw ReadRefusal(answer, range, request.Numbers);
        }

        if (JsonFields.Object(answer, "payload") is not { } hello || JsonFields.String(hello, "type") != "hello-ok")
        {
            throw Invalid("the connect answer is not a hello-ok", range);
        }

        var protocol = JsonFields.Int32(hello, "protocol") ?? throw Invalid("hello-ok has no integer 'protocol'", range);
        if (!range.Contains(protocol))
        {
            throw Invalid($"hello-ok chose protocol {protocol}, outside the offered range {range}", range);
        }

        var server = JsonFields.Object(hello, "server");
        var connectionId = server is { } s ? JsonFields.String(s, "connId") : null;
        var session = new GatewaySession(
            connectionId ?? Guid.NewGuid().ToString("N"),
            protocol,
            isLegacyHandshake: false,
            resumed: false,
            headSequence: 0,
            epoch: null,
            oldestSequence: null,
            features: ReadFeatures(hello),
            policy: ReadPolicy(hello, request.Numbers),
            snapshot: JsonFields.Object(hello, "snapshot"),
            details: new OpenClawSessionDetails(
                server is { } boot ? JsonFields.String(boot, "bootId") : null,
                connectionId,
                server is { } v ? JsonFields.String(v, "version") : null));
        return new HandshakeResult(session, resyncRequired: false, Array.Empty<byte[]>());
    }

    private static void WriteConnect(PooledBufferWriter buffer, HandshakeRequest request, OpenClawOptions options)
    {
        using var json = new Utf8JsonWriter(buffer);
        json.WriteStartObject();
        json.WriteString("type"u8, "req"u8);
        json.WriteString("id"u8, ConnectRequestId);
        json.WriteString("method"u8, "connect"u8);
        json.WriteStartObject("params"u8);
        json.WriteNumber("minProtocol"u8, options.MinProtocol);
        json.WriteNumber("maxProtocol"u8, options.MaxProtocol);
        json.WriteStartObject("client"u8);
        json.WriteString("id"u8, options.ClientId);
        json.WriteString("version"u8, options.ClientVersion);
        json.WriteString("platform"u8, options.Platform);
        json.WriteString("mode"u8, options.ClientMode);
        json.WriteEndObject();
        json.WriteString("role"u8, options.Role);
        json.WriteStartArray("scopes"u8);
        foreach (var scope in options.Scopes)
        {
            json.WriteStringValue(scope);
        }

        json.WriteEndArray();
        json.WriteStartArray("caps"u8);
        foreach (var capability in request.Capabilities)
        {
            json.WriteStringValue(capability);
        }

        json.WriteEndArray();
        if (request.Token is { Length: > 0 } token)
        {
            json.WriteStartObject("auth"u8);
            json.WriteString("token"u8, token);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>Reads frames until one matches; anything else before it is skipped.</summary>
    private static async Task<JsonElement> WaitForAsync(HandshakeReader reader, HandshakeRequest request, ProtocolRange range, string awaited, Func<JsonElement, bool> match, CancellationToken cancellationToken)
    {
        while (true)
        {
            using var frame = await reader.TryReadAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new GatewayHandshakeException(
                    HandshakeErrorCodes.Timeout,
                    $"The OpenClaw gateway sent no '{awaited}' within {request.Timeout.TotalSeconds:0.###} s.",
                    clientProtocol: range);
            if (frame.Document is { RootElement: var root } && match(root))
            {
                return root.Clone();
            }

            reader.Ignore();
        }
    }

    private static GatewayHandshakeException ReadRefusal(JsonElement answer, ProtocolRange range, ServerNumbers numbers)
    {
        var error = JsonFields.Object(answer, "error");
        var details = error is { } e ? JsonFields.Object(e, "details") : null;
        var code = (details is { } d ? JsonFields.String(d, "code") : null) ?? (error is { } c ? JsonFields.String(c, "code") : null) ?? "unknown";
        var message = error is { } m ? JsonFields.String(m, "message") ?? "(no message)" : "(no error object)";
        var nextStep = details is { } n ? JsonFields.String(n, "recommendedNextStep") : null;
        var retryable = error is { } r ? JsonFields.Boolean(r, "retryable") : null;
        var retryAfterMs = error is { } a ? JsonFields.Int64(a, "retryAfterMs") : null;
        ProtocolRange? server = null;
        if (details is { } v && JsonFields.Int32(v, "expectedProtocol") is { } expected)
        {
            server = new ProtocolRange(JsonFields.Int32(v, "minimumProbeProtocol") is { } low && low <= expected ? low : expected, expected);
        }

        var text = $"The OpenClaw gateway refused the connection: {code}: {message}";
        if (server is not null)
        {
            text += $" (client offers protocol {range}; server supports {server})";
        }

        return new GatewayHandshakeException(
            code,
            text,
            nextStep,
            numbers.DelayMilliseconds("retryAfterMs", retryAfterMs),
            range,
            server,
            retryable ?? (OpenClawReconnectTable.HandshakeCodes.TryGetValue(code, out var action) ? action is ReconnectAction.Resume or ReconnectAction.WaitThenResume : (bool?)null));
    }

    private static GatewayFeatures ReadFeatures(JsonElement hello) =>
        JsonFields.Object(hello, "features") is { } features
            ? new GatewayFeatures(JsonFields.Strings(features, "methods"), JsonFields.Strings(features, "events"))
            : GatewayFeatures.None;

    private static GatewayPolicy ReadPolicy(JsonElement hello, ServerNumbers numbers)
    {
        if (JsonFields.Object(hello, "policy") is not { } policy)
        {
            return GatewayPolicy.None;
        }

        var tick = JsonFields.Int64(policy, "tickIntervalMs");
        return new GatewayPolicy(
            JsonFields.Int64(policy, "maxPayload"),
            JsonFields.Int64(policy, "maxBufferedBytes"),
            null,
            numbers.Heartbeat("tickIntervalMs", tick));
    }

    private static GatewayHandshakeException Invalid(string problem, ProtocolRange range) =>
        new(HandshakeErrorCodes.InvalidResponse, $"The OpenClaw gateway's handshake answer breaks the protocol: {problem}.", clientProtocol: range);
}
