using Gateway.Client.OpenClaw;

namespace Gateway.Client;

/// <summary>
/// The settings of one dialect (for example <see cref="OpenClawOptions"/>), held by
/// <see cref="GatewayClientOptions"/> and read with <see cref="GatewayClientOptions.GetDialectOptions{T}"/>.
/// Each dialect validates and copies its own settings; only this library defines dialects. In configuration they are
/// the section named after the dialect (for example <c>Gateway:OpenClaw</c>), read by the DI package's
/// <c>AddGatewayClient(section)</c>.
/// </summary>
public abstract class DialectOptions
{
    private protected DialectOptions()
    {
    }

    /// <summary>A deep copy, so later changes cannot reach a running client.</summary>
    internal abstract DialectOptions Copy();

    /// <summary>The offending setting (relative to <see cref="GatewayClientOptions"/>, for example <c>OpenClaw.Scopes</c>) and the problem, or null.</summary>
    internal abstract (string Option, string Problem)? Validate();
}
