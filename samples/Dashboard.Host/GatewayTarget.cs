namespace Dashboard.Host;

/// <summary>
/// The gateway the relay connects to, with its token: the embedded demo gateway, or a real one from configuration
/// (<c>Gateway:Url</c>, <c>Gateway:Token</c>, <c>Gateway:Dialect</c>, <c>Gateway:AgentId</c>, <c>Gateway:TokenPlacement</c>).
/// The token never leaves the host.
/// </summary>
public sealed record GatewayTarget(Uri Url, string? Token, string Dialect, string AgentId, bool TokenInHeader, bool Demo)
{
    /// <summary>Connects without the token appearing anywhere but here: in the upstream URL's query or its header.</summary>
    public override string ToString() => $"{Url} ({Dialect}, agent {AgentId}{(Demo ? ", embedded demo gateway" : string.Empty)})";
}
