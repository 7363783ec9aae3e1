using System.Buffers;
using System.Text.Json;
using Gateway.Client.Wire;

namespace Gateway.Client.Dialects.PraisonAI;

/// <summary>
/// The agent-gateway protocol: version 1 (PraisonAI's <c>/ws</c>), version 2 (continuity additions),
/// and the legacy <c>join</c> handshake for servers that predate <c>hello</c>.
/// </summary>
internal sealed class PraisonAIDialect : IDialect, IDialectConnection, IResync
{
    public static PraisonAIDialect Instance { get; } = new();

    public async Task<HandshakeResult> HandshakeAsync(IFrameTransport transport, HandshakeRequest request, CancellationToken cancellationToken)
    {
        Task<byte[]>? pending = null;
        var cause = JoinCause.KnownLegacyServer;
        if (!request.PreferLegacy)
        {
            var hello = await HelloHandshake.RunAsync(transport, request, cancellationToken).ConfigureAwait(false);
            if (hello.Result is { } result)
            {
                return result;
            }

            pending = hello.PendingReceive;
            cause = hello.JoinCause;
        }

        return await JoinHandshake.RunAsync(transport, request, cause, pending, cancellationToken).ConfigureAwait(false);
    }

    public Uri PrepareConnect(GatewayClientOptions options, string? token, System.Net.WebSockets.ClientWebSocketOptions socket) =>
        TokenInUpgrade.Place(options, token, socket);

    public ContinuityDecision Continue(ContinuityInput input) => PraisonAIContinuity.Decide(input);

    public IReadOnlyDictionary<int, ReconnectAction> CloseCodeActions => PraisonAIReconnectTable.CloseCodes;

    public IReadOnlyDictionary<string, ReconnectAction> HandshakeCodeActions => PraisonAIReconnectTable.HandshakeCodes;

    /// <summary>Stateless: every connection reads and writes the same way.</summary>
    public IDialectConnection BeginConnection() => this;

    public InboundFrame Classify(ReadOnlySpan<byte> utf8Frame) => PraisonAIFrameClassifier.Classify(utf8Frame);

    /// <summary>Answers carry their request's id: nothing to track.</summary>
    public void Sending(ReadOnlySpan<byte> utf8Frame, bool isRequest)
    {
    }

    public ResponseFrame ParseResponse(ReadOnlySpan<byte> utf8Frame)
    {
        var reader = new Utf8JsonReader(utf8Frame);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        var ok = JsonFields.Boolean(root, "ok") ?? false;
        var error = JsonFields.Object(root, "error");
        return new ResponseFrame(
            JsonFields.String(root, "id"),
            ok,
            root.TryGetProperty("result", out var result) ? result.Clone() : null,
            error is { } e ? JsonFields.String(e, "code") : null,
            error is { } m ? JsonFields.String(m, "message") : null,
            error);
    }

    public LivenessStyle Liveness => LivenessStyle.ClientPing;

    public Engine.ITurnDriver CreateTurnDriver() => new PraisonAITurnDriver();

    public EventBodyShape EventBody => EventBodyShape.Envelope;

    /// <summary>A session outlives its connections, and <c>since</c> resumes it after any number the server retains.</summary>
    public bool ResumesStream => true;

    /// <summary><c>streaming</c>: token and tool stream events.</summary>
    public IReadOnlyList<string> DefaultCapabilities { get; } = new[] { "streaming" };

    /// <summary>Protocol 2 has the <c>resync</c> request; protocol 1 and the legacy join re-base with a fresh handshake.</summary>
    public bool ResyncsByRequest(GatewaySession session) => SupportsRequests(session);

    public bool WritePing(IBufferWriter<byte> output)
    {
        CommonFrameWriter.WriteTypeOnly(output, "ping"u8);
        return true;
    }

    public bool WritePong(IBufferWriter<byte> output)
    {
        CommonFrameWriter.WriteTypeOnly(output, "pong"u8);
        return true;
    }

    public bool WriteLeave(IBufferWriter<byte> output)
    {
        CommonFrameWriter.WriteTypeOnly(output, "leave"u8);
        return true;
    }

    public void WriteRequest(IBufferWriter<byte> output, string id, string method, JsonElement? parameters, string? idempotencyKey) =>
        CommonFrameWriter.WriteRequest(output, id, method, parameters);

    /// <summary>Neither PraisonAI nor protocol 2 deduplicates requests: each one is at most once.</summary>
    public string? WhyNoIdempotencyKey => "the gateway protocol has no idempotency key (a request is sent at most once; docs/reliability.md, \"Requests\")";

    /// <summary>req/res exists from protocol 2 on.</summary>
    public bool SupportsRequests(GatewaySession session) => session.Protocol >= 2 && !session.IsLegacyHandshake;

    public string? WhyNoRequests(GatewaySession session) => SupportsRequests(session)
        ? null
        : $"Requests need protocol 2; this session negotiated protocol {session.Protocol}{(session.IsLegacyHandshake ? " over the legacy join handshake" : string.Empty)}.";
}
