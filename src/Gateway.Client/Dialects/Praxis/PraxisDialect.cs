using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using Gateway.Client.Praxis;

namespace Gateway.Client.Dialects.Praxis;

/// <summary>
/// The Praxis agent's WebSocket API (praxis-py-sdk): no handshake, no sequence numbers and no resume. The
/// client sends <c>{"type", "payload", "id"}</c> commands through <c>RequestAsync</c>, whose answers are
/// matched in order on each connection (<see cref="PraxisConnection"/>); every other server frame is an unnumbered event.
/// Every reconnect is a continuity break, subscriptions are restored on every connection, and a dead peer
/// is found by the socket's keep-alive (an app-level <c>PING</c> before .NET 9). See docs/praxis.md.
/// </summary>
internal sealed class PraxisDialect : IDialect, ISessionRestore
{
    private static readonly GatewayFeatures Features = new(
        new[] { PraxisCommands.DslCommand, PraxisCommands.ChatMessage, PraxisCommands.ExecuteWorkflow, PraxisCommands.SubscribeEvents, PraxisCommands.UnsubscribeEvents, PraxisCommands.Ping },
        new[]
        {
            PraxisEventTypes.DslProgress, PraxisEventTypes.DslResult, PraxisEventTypes.WorkflowStart, PraxisEventTypes.WorkflowProgress,
            PraxisEventTypes.WorkflowComplete, PraxisEventTypes.WorkflowError, PraxisEventTypes.NodeStatusUpdate, PraxisEventTypes.WorkflowLog,
            PraxisEventTypes.ToolResult, PraxisEventTypes.ChatMessage, PraxisEventTypes.EventStream, PraxisEventTypes.Error,
        });

    private readonly IReadOnlyList<byte[]> _restore;
    private int _connections;

    public PraxisDialect(PraxisOptions options, bool socketKeepAlive = SocketKeepAliveAvailable)
    {
        _restore = options.EventTypes.Count == 0 ? Array.Empty<byte[]>() : new[] { PraxisFrameWriter.Subscribe(options.EventTypes) };
        Liveness = socketKeepAlive ? LivenessStyle.SocketKeepAlive : LivenessStyle.ClientPing;
    }

    /// <summary>The socket's keep-alive with a timeout exists from .NET 9 on; before that the client pings.</summary>
#if NET9_0_OR_GREATER
    public const bool SocketKeepAliveAvailable = true;
#else
    public const bool SocketKeepAliveAvailable = false;
#endif

    public LivenessStyle Liveness { get; }

    public Engine.ITurnDriver CreateTurnDriver() => new PraxisTurnDriver();

    public EventBodyShape EventBody => EventBodyShape.PayloadField;

    /// <summary>Nothing is numbered, so nothing can be asked for again.</summary>
    public bool ResumesStream => false;

    /// <summary>Praxis has no handshake to announce anything in.</summary>
    public IReadOnlyList<string> DefaultCapabilities => Array.Empty<string>();

    public IReadOnlyDictionary<int, ReconnectAction> CloseCodeActions => PraxisReconnectTable.CloseCodes;

    public IReadOnlyDictionary<string, ReconnectAction> HandshakeCodeActions => PraxisReconnectTable.HandshakeCodes;

    /// <summary>Nothing checks a token, but one that is configured travels where the options say.</summary>
    public Uri PrepareConnect(GatewayClientOptions options, string? token, ClientWebSocketOptions socket) =>
        TokenInUpgrade.Place(options, token, socket);

    /// <summary>No handshake: the connection is the session (a fresh one every time).</summary>
    public Task<HandshakeResult> HandshakeAsync(IFrameTransport transport, HandshakeRequest request, CancellationToken cancellationToken)
    {
        var session = new GatewaySession(Guid.NewGuid().ToString("N"), 1, isLegacyHandshake: false, resumed: false, headSequence: 0, epoch: null, oldestSequence: null, Features, GatewayPolicy.None, snapshot: null);
        return Task.FromResult(new HandshakeResult(session, resyncRequired: false, Array.Empty<byte[]>()));
    }

    /// <summary>The first connection starts the stream; every later one is a continuity break (nothing can be replayed).</summary>
    public ContinuityDecision Continue(ContinuityInput input)
    {
        var last = input.Last ?? 0;
        if (Interlocked.Increment(ref _connections) == 1)
        {
            return new ContinuityDecision(null, last, null, new ContinuityReport(ContinuityOutcome.Fresh, null, null, null));
        }

        var gap = new GapInfo(last + 1, null, GapReason.ReplayUnsupported);
        return new ContinuityDecision(gap, last, null, new ContinuityReport(ContinuityOutcome.NotResumable, null, null, gap));
    }

    public IReadOnlyList<byte[]> RestoreFrames(GatewaySession session) => _restore;

    /// <summary>Each connection matches answers to the frames written on it alone: a ledger of its own.</summary>
    public IDialectConnection BeginConnection() => new PraxisConnection();

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

    public void WriteRequest(IBufferWriter<byte> output, string id, string method, JsonElement? parameters, string? idempotencyKey) =>
        PraxisFrameWriter.Write(output, method, id, parameters);

    /// <summary>Praxis commands carry no idempotency key the agent deduplicates by.</summary>
    public string? WhyNoIdempotencyKey => "Praxis commands carry no idempotency key (a request is sent at most once; docs/reliability.md, \"Requests\")";

    public string? WhyNoRequests(GatewaySession session) => null;
}
