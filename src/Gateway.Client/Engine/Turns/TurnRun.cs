using System.Text;

namespace Gateway.Client.Engine;

/// <summary>
/// One agent turn's state. Everything but the queue and <see cref="LastActivity"/> is read and written under the
/// <see cref="TurnRouter"/>'s lock (the receive loop matches events there; the turn's reader decides timeouts there).
/// </summary>
internal sealed class TurnRun
{
    public TurnRun(string message, TurnSettings settings, long startedAt)
    {
        Message = message;
        Settings = settings;
        StartedAt = startedAt;
        AcceptFrom = startedAt;
        LastActivity = startedAt;
        Queue = new TurnQueue(settings.BufferCapacity);
    }

    public string Message { get; }

    public TurnSettings Settings { get; }

    public TurnQueue Queue { get; }

    public long StartedAt { get; }

    /// <summary>Where the wait for the gateway's acceptance started: the first write, or the write into a new session.</summary>
    public long AcceptFrom { get; set; }

    /// <summary>When the server last said something about this turn (a timestamp on the client's clock).</summary>
    public long LastActivity { get => Volatile.Read(ref _lastActivity); set => Volatile.Write(ref _lastActivity, value); }

    private long _lastActivity;

    /// <summary>The session the turn was sent in.</summary>
    public string? SessionId { get; set; }

    /// <summary>The dialect's id of the turn (OpenClaw's run id).</summary>
    public string? TurnId { get; set; }

    /// <summary>The connection the turn's message was written on (PraisonAI: its frames follow that connection).</summary>
    public object? SentOn { get; set; }

    public bool Sent { get; set; }

    /// <summary>The gateway took the turn (its acceptance, or the turn's first frame).</summary>
    public bool Accepted { get; set; }

    /// <summary>The turn's stream began (a frame of it arrived): it runs at the gateway.</summary>
    public bool Started { get; set; }

    /// <summary>The gateway's acceptance answer for this turn came (PraisonAI matches those by order, apart from the stream).</summary>
    public bool AcceptAnswered { get; set; }

    public bool Ended { get; set; }

    /// <summary>The server queued the message with no turn of this client ahead of it: if nothing follows, the session is stuck.</summary>
    public bool QueuedAlone { get; set; }

    public long QueuedAt { get; set; }

    /// <summary>The connection dropped and the turn waits for the next one (a dialect that resumes turns).</summary>
    public bool AwaitingConnection { get; set; }

    public bool Resumed { get; set; }

    public bool AbortRequested { get; set; }

    /// <summary>The gateway rewrote text already delivered: the deltas do not add up to the answer (the outcome says so).</summary>
    public bool Rewritten { get; set; }

    /// <summary>The answer's text delivered so far, in order.</summary>
    public StringBuilder Text { get; } = new();

    /// <summary>The reasoning delivered so far (a dialect whose reasoning events carry the whole text so far).</summary>
    public StringBuilder Reasoning { get; } = new();

    /// <summary>The final update of this turn, with what the run knows filled in.</summary>
    public GatewayTurnUpdate Final(GatewayTurnStatus status, string? text = null, GatewayEvent? @event = null, string? errorCode = null, string? errorMessage = null, string? reason = null, string? answerLocation = null)
    {
        if (Rewritten)
        {
            const string Note = "the gateway rewrote text it had already sent, so the deltas do not add up to the answer: the final text is the whole answer";
            reason = reason is null ? Note : reason + "; " + Note;
        }

        if (Queue.Dropped > 0)
        {
            var note = $"{Queue.Dropped} tool or status updates were dropped for a reader more than {Settings.BufferCapacity * 4} updates behind";
            reason = reason is null ? note : reason + "; " + note;
        }

        var whole = text ?? Text.ToString();
        var outcome = new GatewayTurnOutcome(status, whole, errorCode, errorMessage, reason, answerLocation, Resumed, SessionId, TurnId);
        return new GatewayTurnUpdate(GatewayTurnUpdateKind.Final, whole, @event, null, outcome, TurnId);
    }
}
