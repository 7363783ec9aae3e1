using System.Net.WebSockets;
using Gateway.Client.Diagnostics;
using Gateway.Client.Dialects;
using Microsoft.Extensions.Logging;
using Polly;
using Gateway.Client.PraisonAI;

namespace Gateway.Client.Engine;

/// <summary>
/// What happens between a handshake and the connection's end: the stream is joined to what came before
/// (gap in stream order, delivered cursor), the connection's owner (<see cref="LiveConnection"/>) is made and
/// adopted, the client enters Connected and the connection runs under its liveness monitor until it ends; then
/// its owner settles what lived with it. Also says where the next handshake resumes.
/// </summary>
internal sealed class ConnectionDriver
{
    /// <summary>The heartbeat interval when neither the options nor the server set one.</summary>
    public static readonly TimeSpan DefaultHeartbeat = TimeSpan.FromSeconds(30);

    private readonly GatewayClientOptions _options;
    private readonly IDialect _dialect;
    private readonly ClientState _state;
    private readonly ClientCounters _counters;
    private readonly ILogger _logger;
    private readonly InboundPipeline _pipeline;
    private readonly EventReader _reader;
    private readonly FreshHandshakeResync _freshHandshakeResync;
    private readonly SessionSwitch _sessionSwitch;
    private readonly TurnRouter _turns;
    private readonly byte[]? _ping;
    private readonly NoProgressGuard _noProgress;

    public ConnectionDriver(GatewayClientOptions options, IDialect dialect, ClientState state, ClientCounters counters, ILogger logger, InboundPipeline pipeline, EventReader reader, FreshHandshakeResync freshHandshakeResync, SessionSwitch sessionSwitch, TurnRouter turns)
    {
        _options = options;
        _dialect = dialect;
        _state = state;
        _counters = counters;
        _logger = logger;
        _pipeline = pipeline;
        _reader = reader;
        _freshHandshakeResync = freshHandshakeResync;
        _sessionSwitch = sessionSwitch;
        _turns = turns;
        _ping = LivenessMonitor.BuildPing(dialect);
        _noProgress = new NoProgressGuard(options.Reconnect.MaxResumesWithoutProgress);
    }

    /// <summary>Where the next handshake resumes: the session, from the last accepted number (a fresh handshake asks for none).</summary>
    public AttemptTarget TargetOf(RunState run)
    {
        if (_sessionSwitch.IsPending)
        {
            // Leaving a session that cannot run turns: ask for none, so the gateway starts a new one.
            return new AttemptTarget(null, null, run.Handshakes > 0);
        }

        var sessionId = _state.Session?.SessionId ?? _options.ResumeFrom?.SessionId;
        var fresh = _freshHandshakeResync.IsPending;
        return new AttemptTarget(sessionId, sessionId is null || fresh ? null : _pipeline.Last, run.Handshakes > 0);
    }

    /// <summary>
    /// One round of the reconnect loop: an attempt (<paramref name="number"/>-th in a row) and, when it succeeds, the
    /// connection: its session adopted, Connected, run until it ends. A failed attempt is thrown (the loop's pipeline
    /// makes it the round's outcome). One method, so an idle connection waits in one state machine here.
    /// </summary>
    public async ValueTask<Outcome<ConnectionEnd>> RoundAsync(RunState run, AttemptRunner attempts, int number, CancellationToken stop)
    {
        var joined = await JoinAsync(run, attempts, number, stop).ConfigureAwait(false);
        if (joined.Live is not { } live)
        {
            return Ended(joined.Early!);
        }

        var connection = live.Socket;
        var session = live.Session;
        var frames = joined.FramesAfterHandshake!;
        var cursorAtStart = _pipeline.Last;
        var connectedAt = _options.TimeProvider.GetTimestamp();
        ConnectionEnd end;
        // A dialect says SocketKeepAlive only where the socket has a keep-alive timeout (.NET 9 and later).
        using (_dialect.Liveness == LivenessStyle.SocketKeepAlive
            ? null
            : new LivenessMonitor(connection, _options.HeartbeatInterval ?? session.Policy.HeartbeatInterval ?? DefaultHeartbeat, _ping, _options.TimeProvider))
        {
            end = await connection.RunAsync(live, frames).ConfigureAwait(false);
        }

        end.ConnectedFor = _options.TimeProvider.GetElapsedTime(connectedAt);
        end.Notices = live.Notices;
        end.FreshHandshakeNext = _freshHandshakeResync.IsPending; // the loop learns it from the end, as it does the server's notices
        end.SessionSwitchNext = _sessionSwitch.Cause;

        // The send gate moves on before anything else learns of the end, so no send picks the dead connection again;
        // then the connection settles what lived with it (a request written on it fails, one never written goes on).
        _state.ConnectionEnded(live);
        live.End(OutcomeUnknown(end));
        _turns.ConnectionEnded(live);
        if (end.Kind == ConnectionEndKind.MessageTooLarge)
        {
            _counters.OversizedMessage();
            Log.MessageTooLarge(_logger, _options.MaxReceiveMessageBytes);
        }

        if (end.Kind == ConnectionEndKind.UnreadableFrame)
        {
            _counters.MalformedFrameSkipped();
            Log.UnreadableFrame(_logger);
        }

        Log.ConnectionEnded(_logger, end.ToString());
        SkipPoisonedEvent(end, session, cursorAtStart);
        await connection.DisposeAsync().ConfigureAwait(false);
        return Outcome.FromResult(end);
    }

    /// <summary>
    /// The round up to the connection's run: the attempt, the stream joined to what came before, the connection's owner
    /// made, its session restored and adopted (Connected). A state machine of its own, gone before the connection runs.
    /// </summary>
    private async ValueTask<Joined> JoinAsync(RunState run, AttemptRunner attempts, int number, CancellationToken stop)
    {
        var attempt = await attempts.AttemptAsync(TargetOf(run), number, stop).ConfigureAwait(false);
        try
        {
            var (connection, result, sentSince, requestedSessionId) = attempt;
            var session = result.Session;
            _counters.Connected();
            if (run.Handshakes++ > 0)
            {
                _counters.Reconnected();
            }

            _counters.NonTextFramesSkipped(connection.HandshakeFramesSkipped);
            if (connection.HandshakeFramesIgnored > 0)
            {
                _counters.EarlyFramesSkipped(connection.HandshakeFramesIgnored);
                Log.EarlyFramesSkipped(_logger, connection.HandshakeFramesIgnored);
            }

            if (_sessionSwitch.Leaving is { } leaving && string.Equals(leaving, session.SessionId, StringComparison.Ordinal))
            {
                // The switch began while this attempt was under way, and it resumed the session being left: leave it at
                // once (nothing was adopted or read); the next attempt asks for no session.
                await connection.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "new session").ConfigureAwait(false);
                await connection.DisposeAsync().ConfigureAwait(false);
                return new Joined(null, new ConnectionEnd(ConnectionEndKind.ClosedByClient));
            }

            Log.Connected(_logger, session.SessionId, session.Protocol, session.IsLegacyHandshake, session.Resumed, session.HeadSequence);
            var decision = _dialect.Continue(new ContinuityInput(_pipeline.Last, _pipeline.Epoch, result, sentSince, requestedSessionId));
            if (_sessionSwitch.Leaving is { } left && !string.Equals(left, session.SessionId, StringComparison.Ordinal))
            {
                // Left on purpose: what the old session sends from here on is never received, and the app hears why.
                var abandoned = new GapInfo((_pipeline.Last ?? 0) + 1, null, GapReason.SessionAbandoned);
                decision = decision with { Gap = abandoned, Report = new ContinuityReport(ContinuityOutcome.SessionLost, null, null, abandoned) };
            }

            var gap = _pipeline.Continue(decision, session.SessionId);
            if (sentSince is null && !_freshHandshakeResync.IsPending)
            {
                // A new session starts at the server's head: history before it was never asked for.
                _reader.MarkDelivered(_pipeline.Last ?? 0);
            }

            if (gap is not null)
            {
                // In stream order: after everything from the previous connection, before anything replayed.
                _pipeline.ReportGap(gap, _pipeline.Last ?? 0);
            }

            // What lives exactly as long as this connection, from here to its end.
            var live = new LiveConnection(connection, session, _dialect.BeginConnection(), _pipeline);
            if (!await RestoreSessionAsync(live).ConfigureAwait(false))
            {
                live.End(OutcomeUnknown(null));
                await connection.DisposeAsync().ConfigureAwait(false);
                return new Joined(null, new ConnectionEnd(ConnectionEndKind.Lost, error: new GatewayConnectionException("The connection failed while the session's subscriptions were being restored.")));
            }

            // Connected before the receive loop starts, so a connection that dies at once is seen leaving Connected.
            if (!_state.TryAdopt(live, decision.Report, run.Stop.Token))
            {
                await connection.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "client disconnect").ConfigureAwait(false);
                live.End(OutcomeUnknown(null));
                await connection.DisposeAsync().ConfigureAwait(false);
                return new Joined(null, new ConnectionEnd(ConnectionEndKind.ClosedByClient));
            }

            run.FirstHandshake.TrySetResult(true);
            if (_sessionSwitch.Leaving is { } stillLeaving && string.Equals(stillLeaving, session.SessionId, StringComparison.Ordinal))
            {
                // A switch began while this connection was being joined, away from the session it resumed: leave it now.
                _ = PoliteClose.RetireAsync(connection, "new session");
            }
            else
            {
                _sessionSwitch.Complete(session);
            }

            _turns.ConnectionAdopted();
            if (sentSince is null)
            {
                _freshHandshakeResync.Complete(new ResyncResult(session.HeadSequence, session.Epoch, session.Snapshot));
            }

            return new Joined(live, null, result.FramesAfterHandshake);
        }
        catch
        {
            // Not a failure any of the steps above expects (those end the connection themselves): the socket must not outlive it.
            attempt.Connection.Abort();
            await attempt.Connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A round's connection, adopted; or why it ended before it ran.</summary>
    private readonly record struct Joined(LiveConnection? Live, ConnectionEnd? Early, IReadOnlyList<byte[]>? FramesAfterHandshake = null);

    /// <summary>A connection that ended before it ran: the round's outcome, with whether a fresh handshake is next.</summary>
    private Outcome<ConnectionEnd> Ended(ConnectionEnd end)
    {
        end.FreshHandshakeNext = _freshHandshakeResync.IsPending;
        end.SessionSwitchNext = _sessionSwitch.Cause;
        return Outcome.FromResult(end);
    }

    /// <summary>
    /// Sends the dialect's session-restore frames (subscriptions, say) before the send gate opens, so no
    /// app frame overtakes them; false when the connection failed meanwhile (the run reconnects).
    /// </summary>
    private async Task<bool> RestoreSessionAsync(LiveConnection live)
    {
        if (_dialect is not ISessionRestore restore)
        {
            return true;
        }

        var connection = live.Socket;
        var frames = restore.RestoreFrames(live.Session);
        try
        {
            foreach (var frame in frames)
            {
                await connection.SendAsync(frame, connection.Lifetime).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is GatewayConnectionException or ConnectionNotOpenException or TimeoutException or OperationCanceledException or ObjectDisposedException)
        {
            Log.SessionRestoreFailed(_logger, ex.Message);
            connection.Abort(ex);
            return false;
        }

        if (frames.Count > 0)
        {
            _counters.SessionRestored(frames.Count);
            Log.SessionRestored(_logger, frames.Count);
        }

        return true;
    }

    /// <summary>What a request written on a connection that ended before its answer fails with.</summary>
    private static GatewayConnectionException OutcomeUnknown(ConnectionEnd? end) =>
        new("The connection ended before the answer arrived; the request's outcome is unknown.", end?.CloseStatus, end?.CloseDescription, end?.Error) { OutcomeUnknown = true };

    /// <summary>
    /// After <see cref="ReconnectOptions.MaxResumesWithoutProgress"/> resumes that ended on the same
    /// unreadable event, that one number is given up: reported as an <see cref="GapReason.Undeliverable"/>
    /// gap in stream order (after everything accepted), and the next resume asks for what follows it.
    /// </summary>
    private void SkipPoisonedEvent(ConnectionEnd end, GatewaySession session, long? cursorAtStart)
    {
        if (_noProgress.OnEnd(end.Kind == ConnectionEndKind.UnreadableFrame, session.Resumed, cursorAtStart, _pipeline.Last, session.HeadSequence) is not { } skipped)
        {
            return;
        }

        Log.UndeliverableSkipped(_logger, skipped, _options.Reconnect.MaxResumesWithoutProgress);
        _pipeline.ReportGap(new GapInfo(skipped, skipped + 1, GapReason.Undeliverable), skipped);
    }
}
