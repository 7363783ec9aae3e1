using Gateway.Client.OpenClaw;

namespace Gateway.Client;

/// <summary>
/// What one dialect's handshake said beyond what every dialect shares (<see cref="GatewaySession.Details"/>):
/// for example <see cref="OpenClawSessionDetails"/>. Only this library defines dialects.
/// </summary>
public abstract class DialectSessionDetails
{
    private protected DialectSessionDetails()
    {
    }
}
