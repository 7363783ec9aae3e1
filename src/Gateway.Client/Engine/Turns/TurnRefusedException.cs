namespace Gateway.Client.Engine;

/// <summary>The client refuses to send a turn (the session cannot run it); the turn ends <see cref="GatewayTurnStatus.Failed"/> with this reason. Never leaves the client.</summary>
internal sealed class TurnRefusedException : Exception
{
    public TurnRefusedException(string message)
        : base(message)
    {
    }
}
