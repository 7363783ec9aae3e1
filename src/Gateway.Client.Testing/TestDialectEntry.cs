namespace Gateway.Client.Testing;

/// <summary>How a <see cref="TestGateway"/> speaks one dialect (see <see cref="TestDialectCatalog"/>).</summary>
/// <param name="Value">The public value tests select it with (<see cref="TestGatewayOptions.Dialect"/>).</param>
/// <param name="Converse">Serves one upgraded connection until it ends.</param>
/// <param name="Heartbeat">What the gateway's heartbeat does to one open connection now (ping, tick, or reap it); null when nothing.</param>
/// <param name="Paths">The paths it serves; the first is <see cref="TestGateway.Url"/>'s. Null: <c>/ws</c> alone.</param>
internal sealed record TestDialectEntry(
    TestGatewayDialect Value,
    Func<TestGateway, TestConnection, Task> Converse,
    Func<TestGateway, TestConnection, DateTimeOffset, Task?> Heartbeat,
    IReadOnlyList<string>? Paths = null)
{
    /// <summary>The paths it serves.</summary>
    public IReadOnlyList<string> ServedPaths => Paths ?? DefaultPaths;

    private static readonly string[] DefaultPaths = { "/ws" };
}
