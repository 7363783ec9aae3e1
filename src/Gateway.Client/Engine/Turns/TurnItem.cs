namespace Gateway.Client.Engine;

/// <summary>What a turn's reader takes from its queue: an update for the app, or a notice the turn acts on itself.</summary>
internal readonly struct TurnItem
{
    private TurnItem(GatewayTurnUpdate? update, TurnNotice notice)
    {
        Update = update;
        Notice = notice;
    }

    public GatewayTurnUpdate? Update { get; }

    public TurnNotice Notice { get; }

    public static TurnItem For(GatewayTurnUpdate update) => new(update, TurnNotice.None);

    public static TurnItem For(TurnNotice notice) => new(null, notice);
}

/// <summary>Something that happened to a turn's connection, for the turn's reader to act on (never shown to the app).</summary>
internal enum TurnNotice
{
    None,

    /// <summary>The connection the turn runs on ended; the turn goes on (its dialect can resume it).</summary>
    ConnectionLost,

    /// <summary>A new connection was adopted after a loss: the turn picks its run up there.</summary>
    Reconnected,
}
