namespace Gateway.Client.OpenClaw;

/// <summary>Settings that only the <see cref="ProtocolDialect.OpenClaw"/> dialect uses.</summary>
public sealed class OpenClawOptions : DialectOptions
{
    /// <summary>The client id sent in <c>connect</c>; the gateway accepts ids from a closed list. Default: <c>gateway-client</c>.</summary>
    public string ClientId { get; set; } = "gateway-client";

    /// <summary>The client mode sent in <c>connect</c>, from the gateway's closed list. Default: <c>backend</c>.</summary>
    public string ClientMode { get; set; } = "backend";

    /// <summary>The version the client reports. Default: this library's version.</summary>
    public string ClientVersion { get; set; } = typeof(OpenClawOptions).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>The platform the client reports. Default: <c>dotnet</c>.</summary>
    public string Platform { get; set; } = "dotnet";

    /// <summary>The role to connect as. Default: <c>operator</c>.</summary>
    public string Role { get; set; } = "operator";

    /// <summary>The scopes to ask for. Default: <c>operator.read</c>, <c>operator.write</c>.</summary>
    public IList<string> Scopes { get; set; } = new List<string> { "operator.read", "operator.write" };

    /// <summary>The lowest protocol version to offer. Default: 4 (operators must use 4).</summary>
    public int MinProtocol { get; set; } = 4;

    /// <summary>The highest protocol version to offer. Default: 4.</summary>
    public int MaxProtocol { get; set; } = 4;

    internal override DialectOptions Copy() => new OpenClawOptions
    {
        ClientId = ClientId,
        ClientMode = ClientMode,
        ClientVersion = ClientVersion,
        Platform = Platform,
        Role = Role,
        Scopes = Scopes.ToArray(),
        MinProtocol = MinProtocol,
        MaxProtocol = MaxProtocol,
    };

    internal override (string Option, string Problem)? Validate()
    {
        if (string.IsNullOrWhiteSpace(ClientId) || string.IsNullOrWhiteSpace(ClientMode) || string.IsNullOrWhiteSpace(Role))
        {
            return ("OpenClaw.ClientId", "and OpenClaw.ClientMode and OpenClaw.Role must not be empty.");
        }

        if (Scopes is null || Scopes.Any(string.IsNullOrWhiteSpace))
        {
            return ("OpenClaw.Scopes", "must be a list of non-empty scopes.");
        }

        if (MinProtocol < 1 || MinProtocol > MaxProtocol || MaxProtocol > 4)
        {
            return ("OpenClaw.MinProtocol", $"and OpenClaw.MaxProtocol must satisfy 1 <= min <= max <= 4; got {MinProtocol}..{MaxProtocol}.");
        }

        return null;
    }
}
