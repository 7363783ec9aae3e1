using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using Gateway.Client.OpenClaw;

namespace Gateway.Client.Dialects.OpenClaw;

/// <summary>
/// The OpenClaw gateway protocol (v4): challenge and <c>connect</c> request, <c>req</c>/<c>res</c> with
/// <c>payload</c>, events numbered per connection, <c>tick</c> as the heartbeat, <c>shutdown</c> before a
/// restart. No replay: every reconnect is a continuity break.
/// </summary>
internal sealed class OpenClawDialect : IDialect, IDialectConnection
{
    private readonly OpenClawOptions _options;

    public OpenClawDialect(OpenClawOptions options)
    {
        _options = options;
    }

    public IReadOnlyDictionary<int, ReconnectAction> CloseCodeActions => OpenClawReconnectTable.CloseCodes;

    public IReadOnlyDictionary<string, ReconnectAction> HandshakeCodeActions => OpenClawReconnectTable.HandshakeCodes;

    /// <summary>The token travels in the <c>connect</c> request, never in the URL.</summary>
    public Uri PrepareConnect(GatewayClientOptions options, string? token, ClientWebSocketOptions socket) => options.Url!;

    public Task<HandshakeResult> HandshakeAsync(IFrameTransport transport, HandshakeRequest request, CancellationToken cancellationToken) =>
        OpenClawHandshake.RunAsync(transport, request, _options, cancellationToken);

    public ContinuityDecision Continue(ContinuityInput input) => OpenClawContinuity.Decide(input);

    /// <summary>Stateless: every connection reads and writes the same way.</summary>
    public IDialectConnection BeginConnection() => this;

    public InboundFrame Classify(ReadOnlySpan<byte> utf8Frame) => OpenClawFrameClassifier.Classify(utf8Frame);

    /// <summary>Answers carry their request's id: nothing to track.</summary>
    public void Sending(ReadOnlySpan<byte> utf8Frame, bool isRequest)
    {
    }

    public ResponseFrame ParseResponse(ReadOnlySpan<byte> utf8Frame)
    {
        var reader = new Utf8JsonReader(utf8Frame);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        var error = JsonFields.Object(root, "error");
        var details = error is { } e ? JsonFields.Object(e, "details") : null;
        JsonElement? payload = root.TryGetProperty("payload", out var p) ? p.Clone() : null;
        var accepted = payload is { ValueKind: JsonValueKind.Object } obj && JsonFields.String(obj, "status") == "accepted";
        return new ResponseFrame(
            JsonFields.String(root, "id"),
            JsonFields.Boolean(root, "ok") ?? false,
            payload,
            (details is { } d ? JsonFields.String(d, "code") : null) ?? (error is { } c ? JsonFields.String(c, "code") : null),
            error is { } m ? JsonFields.String(m, "message") : null,
            error,
            accepted);
    }

    public LivenessStyle Liveness => LivenessStyle.ServerHeartbeat;

    public Engine.ITurnDriver CreateTurnDriver() => new OpenClawTurnDriver();

    public EventBodyShape EventBody => EventBodyShape.PayloadField;

    /// <summary>Events are numbered per connection and never replayed: no number means anything on the next one.</summary>
    public bool ResumesStream => false;

    /// <summary>OpenClaw's own client announces no <c>caps</c> unless asked to.</summary>
    public IReadOnlyList<string> DefaultCapabilities => Array.Empty<string>();

    /// <summary>No client ping: the server's <c>tick</c> events are the heartbeat, and the socket's own pings are answered by the runtime.</summary>
    public bool WritePing(IBufferWriter<byte> output) => false;

    /// <summary>OpenClaw has no application-level pings to answer (the socket's own are answered by the runtime).</summary>
    public bool WritePong(IBufferWriter<byte> output) => false;

    public bool WriteLeave(IBufferWriter<byte> output) => false;

    /// <summary>The key travels as <c>params.idempotencyKey</c>, which OpenClaw's side-effecting methods take and deduplicate by.</summary>
    public void WriteRequest(IBufferWriter<byte> output, string id, string method, JsonElement? parameters, string? idempotencyKey) =>
        CommonFrameWriter.WriteRequest(output, id, method, parameters, idempotencyKey, IdempotencyKeyField);

    /// <summary>Where OpenClaw's methods read their idempotency key.</summary>
    public const string IdempotencyKeyField = "idempotencyKey";

    public string? WhyNoIdempotencyKey => null;

    public string? WhyNoRequests(GatewaySession session) => null;
}
