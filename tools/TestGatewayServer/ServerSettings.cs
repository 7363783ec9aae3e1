using Gateway.Client.Testing;

namespace TestGatewayServer;

/// <summary>What the command line asked for, parsed and checked.</summary>
/// <param name="Port">The port on 127.0.0.1 (0: any free port).</param>
/// <param name="Token">The token clients must present, or null for none.</param>
/// <param name="TokenFromEnvironment">Whether <paramref name="Token"/> came from <see cref="ServerCommand.TokenVariable"/>.</param>
/// <param name="Dialect">The protocol it speaks, by its command-line name (as gateway-tail's <c>--dialect</c>).</param>
/// <param name="PublishRate">Counter events per second (0: none).</param>
/// <param name="Heartbeat">How often the server pings (the dialect's heartbeat), or null for never.</param>
internal sealed record ServerSettings(int Port, string? Token, bool TokenFromEnvironment, string Dialect, double PublishRate, TimeSpan? Heartbeat)
{
    /// <summary>The dialects by their command-line name, which is gateway-tail's too.</summary>
    public static IReadOnlyDictionary<string, TestGatewayDialect> Dialects { get; } = new Dictionary<string, TestGatewayDialect>(StringComparer.Ordinal)
    {
        ["praisonai"] = TestGatewayDialect.PraisonAI,
        ["openclaw"] = TestGatewayDialect.OpenClaw,
        ["praxis"] = TestGatewayDialect.Praxis,
    };

    /// <summary>The TestGateway options these settings make, on <paramref name="timeProvider"/>.</summary>
    public TestGatewayOptions ToOptions(TimeProvider timeProvider) => new()
    {
        Port = Port,
        Token = Token,
        Dialect = Dialects[Dialect],
        EnableHeartbeat = Heartbeat is not null,
        HeartbeatInterval = Heartbeat ?? TimeSpan.FromSeconds(30),
        TimeProvider = timeProvider,
    };
}
