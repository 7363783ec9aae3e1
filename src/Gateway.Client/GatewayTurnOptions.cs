namespace Gateway.Client;

/// <summary>The settings of one agent turn (<see cref="GatewayTurnExtensions.AskAsync"/>); every one has a default.</summary>
public sealed class GatewayTurnOptions
{
    /// <summary>The default <see cref="IdleTimeout"/>: two minutes.</summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The default <see cref="QueuedTimeout"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultQueuedTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The default <see cref="BufferCapacity"/>: 1,024 updates.</summary>
    public const int DefaultBufferCapacity = 1024;

    /// <summary>
    /// How long to wait for the server to take the message (its acceptance, or a run id), sending included. Exceeded:
    /// the turn ends <see cref="GatewayTurnStatus.TimedOut"/>. Default (null): <see cref="GatewayClientOptions.RequestTimeout"/>.
    /// </summary>
    public TimeSpan? AcceptTimeout { get; set; }

    /// <summary>
    /// The longest silence in the middle of a turn: no update of this turn for this long ends it
    /// <see cref="GatewayTurnStatus.TimedOut"/> (the agent is aborted where the dialect can). Time spent reconnecting counts.
    /// Default (null): <see cref="DefaultIdleTimeout"/>. <see cref="Timeout.InfiniteTimeSpan"/> turns the bound off.
    /// </summary>
    public TimeSpan? IdleTimeout { get; set; }

    /// <summary>
    /// How long a message the server only queued ("Message queued.", with no turn of this client ahead of it) may wait for
    /// its first frame before the session counts as stuck (see <see cref="NewSessionWhenStuck"/>). Default (null):
    /// <see cref="DefaultQueuedTimeout"/>.
    /// </summary>
    public TimeSpan? QueuedTimeout { get; set; }

    /// <summary>
    /// What to do when the session cannot run another turn (PraisonAI after a turn was lost to a drop, or a session whose
    /// queue never moves): true (the default) goes on in a new session, reported as a continuity break (a
    /// <see cref="GapReason.SessionAbandoned"/> gap and a state change whose cause says why), and runs the turn there;
    /// false ends the turn at once <see cref="GatewayTurnStatus.Failed"/>, naming the cause.
    /// </summary>
    public bool NewSessionWhenStuck { get; set; } = true;

    /// <summary>OpenClaw: the chat session the turn runs in (<c>sessionKey</c>). Default (null): <c>"main"</c>.</summary>
    public string? SessionKey { get; set; }

    /// <summary>
    /// OpenClaw: the run's idempotency key, which is also its run id (<see cref="GatewayTurnUpdate.TurnId"/>): a resend with
    /// it never runs the agent twice. Default (null): a new GUID. Give your own to make a turn safe to ask again after a crash.
    /// </summary>
    public string? IdempotencyKey { get; set; }

    /// <summary>
    /// How many updates wait for a slow reader of the turn before consecutive text (or reasoning) deltas are merged into
    /// one; no text is dropped, and the main event stream never waits for the turn's reader. Default:
    /// <see cref="DefaultBufferCapacity"/>.
    /// </summary>
    public int BufferCapacity { get; set; } = DefaultBufferCapacity;

    internal void Validate()
    {
        Check(AcceptTimeout, nameof(AcceptTimeout));
        Check(IdleTimeout, nameof(IdleTimeout));
        Check(QueuedTimeout, nameof(QueuedTimeout));
        if (BufferCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BufferCapacity), BufferCapacity, "GatewayTurnOptions.BufferCapacity must be at least 1.");
        }

        if (SessionKey is { Length: 0 } || IdempotencyKey is { Length: 0 })
        {
            throw new ArgumentException($"GatewayTurnOptions.{(SessionKey is { Length: 0 } ? nameof(SessionKey) : nameof(IdempotencyKey))} must not be empty; leave it null for the default.");
        }
    }

    private static void Check(TimeSpan? value, string name)
    {
        if (value is { } given && given <= TimeSpan.Zero && given != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(name, given, $"GatewayTurnOptions.{name} must be positive, or Timeout.InfiniteTimeSpan.");
        }
    }
}
