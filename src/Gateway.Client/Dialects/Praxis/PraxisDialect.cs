using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;

namespace Gateway.Client.Dialects.Praxis;

/// <summary>
/// The Praxis agent's WebSocket API (praxis-py-sdk): no handshake, no sequence numbers and no resume. The
/// client sends <c>{"type", "payload", "id"}</c> commands through <c>RequestAsync</c>, whose answers are
/// matched in order (<see cref="PraxisAnswerLedger"/>); every other server frame is an unnumbered event.
/// Every reconnect is a continuity break, subscriptions are restored on every connection, and a dead peer
/// is found by the socket's keep-alive (an app-level <c>PING</c> before .NET 9). See docs/praxis.md.
/// </summary>
internal sealed class PraxisDialect : IDialect, ISessionRestore, IOutboundObserver
{
    private static readonly GatewayFeatures Features = new(
        new[] { PraxisCommands.DslCommand, PraxisCommands.ChatMessage, PraxisCommands.ExecuteWorkflow, PraxisCommands.SubscribeEvents, PraxisCommands.UnsubscribeEvents, PraxisCommands.Ping },
        new[]
        {
            PraxisEventTypes.DslProgress, PraxisEventTypes.DslResult, PraxisEventTypes.WorkflowStart, PraxisEventTypes.WorkflowProgress,
            PraxisEventTypes.WorkflowComplete, PraxisEventTypes.WorkflowError, PraxisEventTypes.NodeStatusUpdate, PraxisEventTypes.WorkflowLog,
            PraxisEventTypes.ToolResult, PraxisEventTypes.ChatMessage, PraxisEventTypes.EventStream, PraxisEventTypes.Error,
        });

    private readonly PraxisAnswerLedger _ledger = new();
    private readonly IReadOnlyList<byte[]> _restore;
    private readonly FrameClassification.Classifier _classify;
    private (PraxisSentFrame Frame, PraxisAnswerKind Kind) _answer; // the response Classify just found, for ParseResponse (both on the receive loop)
    private int _connections;

    public PraxisDialect(PraxisOptions options, bool socketKeepAlive = SocketKeepAliveAvailable)
    {
        _restore = options.EventTypes.Count == 0 ? Array.Empty<byte[]>() : new[] { PraxisFrameWriter.Subscribe(options.EventTypes) };
        Liveness = socketKeepAlive ? LivenessStyle.SocketKeepAlive : LivenessStyle.ClientPing;
        _classify = ClassifyCore;
    }

    /// <summary>The socket's keep-alive with a timeout exists from .NET 9 on; before that the client pings.</summary>
#if NET9_0_OR_GREATER
    public const bool SocketKeepAliveAvailable = true;
#else
    public const bool SocketKeepAliveAvailable = false;
#endif

    public LivenessStyle Liveness { get; }

    public EventBodyShape EventBody => EventBodyShape.Whole;

    public IReadOnlyDictionary<int, ReconnectAction> CloseCodeActions => PraxisReconnectTable.CloseCodes;

    public IReadOnlyDictionary<string, ReconnectAction> HandshakeCodeActions => PraxisReconnectTable.HandshakeCodes;

    /// <summary>How many sent frames await their answer on this connection (for tests).</summary>
    internal int AwaitingAnswers => _ledger.Awaiting;

    /// <summary>Nothing checks a token, but one that is configured travels where the options say.</summary>
    public Uri PrepareConnect(GatewayClientOptions options, string? token, ClientWebSocketOptions socket) =>
        TokenInUpgrade.Place(options, token, socket);

    /// <summary>No handshake: the connection is the session (a fresh one every time).</summary>
    public Task<HandshakeResult> HandshakeAsync(IFrameTransport transport, HandshakeRequest request, CancellationToken cancellationToken)
    {
        var session = new GatewaySession(Guid.NewGuid().ToString("N"), 1, isLegacyHandshake: false, resumed: false, serverCursor: 0, epoch: null, oldestCursor: null, Features, GatewayPolicy.None, snapshot: null);
        return Task.FromResult(new HandshakeResult(session, resyncRequired: false, Array.Empty<byte[]>()));
    }

    /// <summary>The first connection starts the stream; every later one is a continuity break (nothing can be replayed).</summary>
    public ContinuityDecision Continue(ContinuityInput input)
    {
        _ledger.NewConnection();
        var last = input.Last ?? 0;
        if (Interlocked.Increment(ref _connections) == 1)
        {
            return new ContinuityDecision(null, last, null, new ContinuityReport(ContinuityOutcome.Fresh, null, null, null));
        }

        var gap = new GapInfo(last + 1, null, GapReason.ReplayUnsupported);
        return new ContinuityDecision(gap, last, null, new ContinuityReport(ContinuityOutcome.NotResumable, null, null, gap));
    }

    public IReadOnlyList<byte[]> RestoreFrames(GatewaySession session) => _restore;

    public void Sending(ReadOnlySpan<byte> utf8Frame) => _ledger.Sending(utf8Frame);

    public InboundFrame Classify(ReadOnlySpan<byte> utf8Frame) => FrameClassification.Safely(utf8Frame, _classify);

    private InboundFrame ClassifyCore(ReadOnlySpan<byte> utf8Frame)
    {
        if (PraxisFrame.Read(utf8Frame) is not { } frame)
        {
            return InboundFrame.Malformed("the frame is not a JSON object");
        }

        if (frame.Type is not { } type)
        {
            return InboundFrame.Malformed("the frame has no string 'type'");
        }

        var answer = _ledger.Match(type, frame.CorrelationId, frame.Sender, frame.IsSubscriptionAck);
        if (answer.Kind != PraxisAnswerKind.None)
        {
            switch (answer.Frame.Sender)
            {
                case PraxisSender.Request:
                    _answer = answer;
                    return InboundFrame.Control(FrameKind.Response, type);
                case PraxisSender.Client when answer.Kind != PraxisAnswerKind.Error:
                    return InboundFrame.Control(FrameKind.Pong, type);
            }

            // The answer to the app's own frame (SendAsync) is an event, as the app expects, unless it is a notice.
        }

        // The server's own notices (the welcome, subscription acknowledgements) and pongs are control, never events.
        if (type == "PONG" || (type == PraxisEventTypes.ChatMessage && frame.Sender == "system"))
        {
            return InboundFrame.Control(FrameKind.Pong, type);
        }

        return Event(type, frame);
    }

    private static InboundFrame Event(string type, PraxisFrame frame) =>
        InboundFrame.Event(type, sequence: null, isReplay: false, frame.PayloadOffset, frame.PayloadLength);

    public ResponseFrame ParseResponse(ReadOnlySpan<byte> utf8Frame)
    {
        var (sent, kind) = _answer;
        _answer = default;
        var reader = new Utf8JsonReader(utf8Frame);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        JsonElement? payload = root.TryGetProperty("payload", out var p) ? p.Clone() : null;
        if (kind == PraxisAnswerKind.Error)
        {
            var error = payload is { ValueKind: JsonValueKind.Object } e ? e : (JsonElement?)null;
            return new ResponseFrame(
                sent.Id,
                ok: false,
                result: null,
                (error is { } c ? JsonFields.String(c, "code") : null) ?? "error",
                (error is { } m ? JsonFields.String(m, "message") : null) ?? "The agent answered with an error.",
                payload);
        }

        return new ResponseFrame(sent.Id, ok: true, payload, null, null, null, isProgress: kind == PraxisAnswerKind.Progress);
    }

    public bool WritePing(IBufferWriter<byte> output)
    {
        if (Liveness != LivenessStyle.ClientPing)
        {
            return false;
        }

        PraxisFrameWriter.WritePing(output);
        return true;
    }

    /// <summary>The server never pings at the application level (its WebSocket layer does, answered by the runtime).</summary>
    public bool WritePong(IBufferWriter<byte> output) => false;

    /// <summary>No leave: closing the socket is all.</summary>
    public bool WriteLeave(IBufferWriter<byte> output) => false;

    public void WriteRequest(IBufferWriter<byte> output, string id, string method, JsonElement? parameters)
    {
        PraxisFrameWriter.Write(output, method, id, parameters);
        _ledger.RequestWritten(id);
    }

    public string? WhyNoRequests(GatewaySession session) => null;
}
