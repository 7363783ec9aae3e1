using System.Text;
using System.Text.Json;
using Gateway.Client.Dialects;
using Gateway.Client.OpenClaw;
using Gateway.Client.PraisonAI;

namespace Gateway.Client;

/// <summary>
/// Builds the client's output types for tests (an app's fake of <see cref="GatewayClient"/>, say): they have no public
/// constructors, so that they can grow without breaking anyone. One method per type, named after it; every argument is
/// optional except the ones that identify the value, and the defaults are what a fresh client would report.
/// </summary>
public static class GatewayModelFactory
{
    /// <summary>Builds a <see cref="Client.GatewayEvent"/>, as <paramref name="dialect"/>'s client would deliver it.</summary>
    /// <param name="type">The frame's <c>type</c>.</param>
    /// <param name="sequence">The sequence number; null for an unnumbered event.</param>
    /// <param name="isReplay">Whether it came from the server's replay.</param>
    /// <param name="frame">
    /// The whole frame (a JSON object); <see cref="Client.GatewayEvent.Data"/>, <see cref="Client.GatewayEvent.EventId"/> and
    /// <see cref="Client.GatewayEvent.Timestamp"/> are read from it where <paramref name="dialect"/> keeps them. Default:
    /// <c>{"type": type, "seq": sequence}</c> (no <c>seq</c> when unnumbered).
    /// </param>
    /// <param name="resumePoint">
    /// Its <see cref="Client.GatewayEvent.ResumePoint"/>: for a numbered event, at its own sequence. Default: none, as for an
    /// event of a dialect that cannot resume a stream.
    /// </param>
    /// <param name="dialect">The dialect whose envelope <paramref name="frame"/> follows. Default: <see cref="ProtocolDialect.PraisonAI"/>.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="frame"/> is not a JSON object; or <paramref name="resumePoint"/> is at another sequence than the
    /// numbered event's, or given for a dialect that cannot resume a stream.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sequence"/> is not positive.</exception>
    public static GatewayEvent GatewayEvent(
        string type,
        long? sequence = null,
        bool isReplay = false,
        JsonElement? frame = null,
        GatewayResumePoint? resumePoint = null,
        ProtocolDialect dialect = ProtocolDialect.PraisonAI)
    {
        Guard.NotNull(type);
        var wire = DialectCatalog.For(dialect).Create(new GatewayClientOptions { Dialect = dialect });
        if (frame is { ValueKind: not JsonValueKind.Object })
        {
            throw new ArgumentException($"An event's frame is a JSON object, not {frame.Value.ValueKind}.", nameof(frame));
        }

        if (resumePoint is not null && !wire.ResumesStream)
        {
            throw new ArgumentException($"The {ProtocolDialects.NameOf(dialect)} dialect cannot resume a stream: its events have no resume point.", nameof(resumePoint));
        }

        if (resumePoint is not null && sequence is { } own && resumePoint.Sequence != own)
        {
            throw new ArgumentException($"A numbered event's resume point is at its own sequence ({own}), not {resumePoint.Sequence}.", nameof(resumePoint));
        }

        return new GatewayEvent(type, sequence, isReplay, frame is { } given ? Encoding.UTF8.GetBytes(given.GetRawText()) : DefaultFrame(type, sequence), wire.EventBody, EventContext.For(resumePoint), resumePoint?.Sequence ?? 0);
    }

    /// <summary>Builds a <see cref="Client.GatewaySession"/>.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="protocol">The negotiated protocol version. Default: 2.</param>
    /// <param name="isLegacyHandshake">Whether the server spoke only the legacy <c>join</c>.</param>
    /// <param name="resumed">Whether the server resumed an existing session.</param>
    /// <param name="headSequence">The server's head at handshake time.</param>
    /// <param name="epoch">The server's numbering history.</param>
    /// <param name="oldestSequence">The oldest sequence number the server retained.</param>
    /// <param name="features">The methods and events announced. Default: <see cref="GatewayFeatures.None"/>.</param>
    /// <param name="policy">The limits announced. Default: <see cref="GatewayPolicy.None"/>.</param>
    /// <param name="snapshot">The state snapshot sent with the handshake.</param>
    /// <param name="details">What the dialect's handshake said beyond the shared fields (for example <see cref="OpenClawSessionDetails"/>).</param>
    public static GatewaySession GatewaySession(
        string sessionId,
        int protocol = 2,
        bool isLegacyHandshake = false,
        bool resumed = false,
        long headSequence = 0,
        string? epoch = null,
        long? oldestSequence = null,
        GatewayFeatures? features = null,
        GatewayPolicy? policy = null,
        JsonElement? snapshot = null,
        DialectSessionDetails? details = null) =>
        new(sessionId, protocol, isLegacyHandshake, resumed, headSequence, epoch, oldestSequence, features ?? Client.GatewayFeatures.None, policy ?? Client.GatewayPolicy.None, snapshot, details);

    /// <summary>Builds a <see cref="Client.GatewayClientStatistics"/>; each argument is the counter of the same name.</summary>
    public static GatewayClientStatistics GatewayClientStatistics(
        long connections = 0,
        long eventsReceived = 0,
        long eventsReplayed = 0,
        long eventsDelivered = 0,
        long duplicatesDropped = 0,
        long gaps = 0,
        long malformedFramesSkipped = 0,
        long nonTextFramesSkipped = 0,
        long lateHandshakeFramesSkipped = 0,
        long unmatchedResponsesSkipped = 0,
        long eventsDropped = 0,
        long reconnects = 0,
        long connectAttempts = 0,
        long failedAttempts = 0,
        long serverValuesClamped = 0,
        long oversizedMessages = 0,
        long earlyFramesSkipped = 0,
        long sessionRestoreFramesSent = 0,
        long coveredByResync = 0) =>
        new()
        {
            Connections = connections,
            EventsReceived = eventsReceived,
            EventsReplayed = eventsReplayed,
            EventsDelivered = eventsDelivered,
            DuplicatesDropped = duplicatesDropped,
            Gaps = gaps,
            MalformedFramesSkipped = malformedFramesSkipped,
            NonTextFramesSkipped = nonTextFramesSkipped,
            LateHandshakeFramesSkipped = lateHandshakeFramesSkipped,
            UnmatchedResponsesSkipped = unmatchedResponsesSkipped,
            EventsDropped = eventsDropped,
            Reconnects = reconnects,
            ConnectAttempts = connectAttempts,
            FailedAttempts = failedAttempts,
            ServerValuesClamped = serverValuesClamped,
            OversizedMessages = oversizedMessages,
            EarlyFramesSkipped = earlyFramesSkipped,
            SessionRestoreFramesSent = sessionRestoreFramesSent,
            CoveredByResync = coveredByResync,
        };

    /// <summary>Builds a <see cref="Client.GapInfo"/>.</summary>
    /// <param name="expected">The first missing sequence number.</param>
    /// <param name="received">The first number after the hole; null when the size of the hole cannot be known.</param>
    /// <param name="reason">Why the events are missing. Default: <see cref="GapReason.SequenceJump"/>.</param>
    public static GapInfo GapInfo(long expected, long? received = null, GapReason reason = GapReason.SequenceJump) => new(expected, received, reason);

    /// <summary>Builds a <see cref="Client.ContinuityReport"/>.</summary>
    /// <param name="outcome">What the handshake meant for the stream.</param>
    /// <param name="replayFrom">The first number the server replays.</param>
    /// <param name="replayTo">The last number the server replays.</param>
    /// <param name="gap">The hole the handshake revealed.</param>
    public static ContinuityReport ContinuityReport(ContinuityOutcome outcome, long? replayFrom = null, long? replayTo = null, GapInfo? gap = null) =>
        new(outcome, replayFrom, replayTo, gap);

    /// <summary>Builds a <see cref="PraisonAI.ResyncResult"/>.</summary>
    /// <param name="sequence">The sequence number the snapshot is current to.</param>
    /// <param name="epoch">The epoch it belongs to.</param>
    /// <param name="snapshot">The server's state snapshot.</param>
    public static ResyncResult ResyncResult(long sequence, string? epoch = null, JsonElement? snapshot = null) => new(sequence, epoch, snapshot);

    /// <summary>Builds a <see cref="Client.GatewayFeatures"/>.</summary>
    /// <param name="methods">The methods the server accepts. Default: none.</param>
    /// <param name="events">The event types the server may send. Default: none.</param>
    public static GatewayFeatures GatewayFeatures(IEnumerable<string>? methods = null, IEnumerable<string>? events = null) =>
        new(methods?.ToArray() ?? Array.Empty<string>(), events?.ToArray() ?? Array.Empty<string>());

    /// <summary>Builds a <see cref="Client.GatewayPolicy"/>.</summary>
    /// <param name="maxPayload">The largest frame the server accepts, in bytes.</param>
    /// <param name="maxBufferedBytes">The server's outbound buffer limit, in bytes.</param>
    /// <param name="maxQueuedFrames">The server's outbound queue limit, in frames.</param>
    /// <param name="heartbeatInterval">How often the server pings.</param>
    public static GatewayPolicy GatewayPolicy(long? maxPayload = null, long? maxBufferedBytes = null, long? maxQueuedFrames = null, TimeSpan? heartbeatInterval = null) =>
        new(maxPayload, maxBufferedBytes, maxQueuedFrames, heartbeatInterval);

    /// <summary>Builds a <see cref="Client.ConnectionStateChangedEventArgs"/>.</summary>
    /// <param name="previous">The state that was left.</param>
    /// <param name="current">The state that was entered.</param>
    /// <param name="cause">The error or close that caused the transition.</param>
    /// <param name="attempt">For Connecting and Reconnecting: the attempt about to be made.</param>
    /// <param name="retryDelay">For Reconnecting: the delay before it.</param>
    /// <param name="continuity">For Connected: how the handshake continued the stream.</param>
    public static ConnectionStateChangedEventArgs ConnectionStateChangedEventArgs(
        ConnectionState previous,
        ConnectionState current,
        Exception? cause = null,
        int attempt = 0,
        TimeSpan? retryDelay = null,
        ContinuityReport? continuity = null) =>
        new(previous, current, cause, attempt, retryDelay, continuity);

    /// <summary>Builds an <see cref="OpenClaw.OpenClawSessionDetails"/>.</summary>
    /// <param name="serverBootId">The server process's boot id.</param>
    /// <param name="connectionId">The connection's id.</param>
    /// <param name="serverVersion">The server's version.</param>
    public static OpenClawSessionDetails OpenClawSessionDetails(string? serverBootId = null, string? connectionId = null, string? serverVersion = null) =>
        new(serverBootId, connectionId, serverVersion);

    /// <summary>Builds <see cref="Client.GatewayCapabilities"/>: what a connected server supports (all false by default, as before a handshake).</summary>
    /// <param name="requests">Requests are answered.</param>
    /// <param name="idempotencyKeys">Requests may carry an idempotency key.</param>
    /// <param name="chatTurns">User turns and aborts are frames of their own (PraisonAI).</param>
    /// <param name="resync">The stream can be re-based after a gap.</param>
    /// <param name="resumesStream">A reconnect resumes the numbered stream with replay.</param>
    public static GatewayCapabilities GatewayCapabilities(bool requests = false, bool idempotencyKeys = false, bool chatTurns = false, bool resync = false, bool resumesStream = false) =>
        new(requests, idempotencyKeys, chatTurns, resync, resumesStream);

    /// <summary>Builds a <see cref="Client.GatewayRequestProgress"/>: an interim answer reported to <see cref="GatewayRequestOptions.Progress"/>.</summary>
    /// <param name="kind">What kind of interim answer it is.</param>
    /// <param name="data">Its payload; an empty object when <c>default</c>.</param>
    public static GatewayRequestProgress GatewayRequestProgress(GatewayRequestProgressKind kind = GatewayRequestProgressKind.Accepted, JsonElement data = default) =>
        new(kind, data.ValueKind == JsonValueKind.Undefined ? EmptyObject : data);

    /// <summary>Builds a <see cref="Client.GatewayTurnUpdate"/>: one step of an agent turn (a fake's <see cref="IGatewayTurns.AskAsync"/>).</summary>
    /// <param name="kind">What the update carries.</param>
    /// <param name="text">The delta's text, the note, or (on a final update) the whole answer; default for a final update: the outcome's text.</param>
    /// <param name="event">The server event it came from; none by default.</param>
    /// <param name="toolCall">The tool call, for <see cref="GatewayTurnUpdateKind.ToolCall"/> and <see cref="GatewayTurnUpdateKind.ToolResult"/>.</param>
    /// <param name="outcome">The outcome: required on a <see cref="GatewayTurnUpdateKind.Final"/> update, refused on any other.</param>
    /// <param name="turnId">The turn's id, where the dialect has one.</param>
    /// <exception cref="ArgumentException">A final update without an outcome, or another update with one.</exception>
    public static GatewayTurnUpdate GatewayTurnUpdate(GatewayTurnUpdateKind kind, string? text = null, GatewayEvent? @event = null, GatewayTurnToolCall? toolCall = null, GatewayTurnOutcome? outcome = null, string? turnId = null)
    {
        if ((kind == GatewayTurnUpdateKind.Final) != (outcome is not null))
        {
            throw new ArgumentException(kind == GatewayTurnUpdateKind.Final ? "A final update carries an outcome." : "Only the final update carries an outcome.", nameof(outcome));
        }

        return new(kind, text ?? outcome?.Text, @event, toolCall, outcome, turnId ?? outcome?.TurnId);
    }

    /// <summary>Builds a <see cref="Client.GatewayTurnOutcome"/>: how an agent turn ended.</summary>
    /// <param name="status">How it ended.</param>
    /// <param name="text">The whole answer, or what arrived before the end.</param>
    /// <param name="errorCode">The server's error code.</param>
    /// <param name="errorMessage">The server's error message.</param>
    /// <param name="reason">Why, in words, when the client decided it.</param>
    /// <param name="answerLocation">Where the answer of a lost turn may be found.</param>
    /// <param name="resumed">Whether the turn went on across a reconnect.</param>
    /// <param name="sessionId">The session it ran in.</param>
    /// <param name="turnId">The turn's id.</param>
    public static GatewayTurnOutcome GatewayTurnOutcome(GatewayTurnStatus status, string text = "", string? errorCode = null, string? errorMessage = null, string? reason = null, string? answerLocation = null, bool resumed = false, string? sessionId = null, string? turnId = null) =>
        new(status, Guard.NotNull(text), errorCode, errorMessage, reason, answerLocation, resumed, sessionId, turnId);

    /// <summary>Builds a <see cref="Client.GatewayTurnToolCall"/>: a tool the agent ran itself.</summary>
    /// <param name="name">The tool's name.</param>
    /// <param name="callId">The call's id.</param>
    /// <param name="arguments">The arguments.</param>
    /// <param name="result">The result.</param>
    /// <param name="isError">Whether the result is an error.</param>
    public static GatewayTurnToolCall GatewayTurnToolCall(string name, string? callId = null, JsonElement? arguments = null, JsonElement? result = null, bool isError = false) =>
        new(callId, Guard.NotNull(name), arguments, result, isError);

    // Parsed once and detached from its document (Clone), so no pooled document is left undisposed per call.
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary><c>{"type": type, "seq": sequence}</c>, without <c>seq</c> for an unnumbered event.</summary>
    private static byte[] DefaultFrame(string type, long? sequence)
    {
        using var output = new MemoryStream();
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteString("type", type);
            if (sequence is { } seq)
            {
                json.WriteNumber("seq", seq);
            }

            json.WriteEndObject();
        }

        return output.ToArray();
    }
}
