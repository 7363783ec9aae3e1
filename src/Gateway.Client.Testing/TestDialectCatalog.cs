using System.Text.Json.Nodes;

namespace Gateway.Client.Testing;

/// <summary>
/// The one place where the test gateway names a dialect: its conversation and its heartbeat. Adding a
/// dialect to <see cref="TestGateway"/> is its conversation class, one entry here and its
/// <see cref="TestGatewayDialect"/> value.
/// </summary>
internal static class TestDialectCatalog
{
    private static readonly string[] PraxisPaths = { "/ws/events", "/ws/workflow" }; // before Entries, which uses it

    public static IReadOnlyList<TestDialectEntry> Entries { get; } = new TestDialectEntry[]
    {
        new(TestGatewayDialect.PraisonAI, static (gateway, connection) => new ConnectionConversation(gateway, connection).RunAsync(), GatewayHeartbeat),
        new(TestGatewayDialect.OpenClaw, static (gateway, connection) => new OpenClawConversation(gateway, connection).RunAsync(), OpenClawHeartbeat),
        new(TestGatewayDialect.Praxis, static (gateway, connection) => new PraxisLiveConversation(gateway, connection).RunAsync(), static (_, _, _) => null, PraxisPaths),
        new(TestGatewayDialect.PraxisDocumented, static (gateway, connection) => new PraxisDocumentedConversation(gateway, connection).RunAsync(), PraxisDocumentedConversation.Heartbeat, PraxisPaths),
    };

    /// <summary>The entry for a validated dialect value.</summary>
    public static TestDialectEntry For(TestGatewayDialect dialect)
    {
        foreach (var entry in Entries)
        {
            if (entry.Value == dialect)
            {
                return entry;
            }
        }

        throw new ArgumentException($"No test dialect has the value {(int)dialect}.", nameof(dialect));
    }

    /// <summary>Protocol 1/2: a JSON ping, and a connection silent for two intervals is reaped with 4002.</summary>
    private static Task? GatewayHeartbeat(TestGateway gateway, TestConnection connection, DateTimeOffset now) =>
        now - connection.LastActivity >= gateway.Options.HeartbeatInterval * 2
            ? connection.CloseAsync(4002, "liveness_timeout")
            : connection.SendTextAsync("{\"type\":\"ping\"}");

    /// <summary>OpenClaw: a numbered <c>tick</c> event to a connection past its handshake; it never reaps (the socket layer does).</summary>
    private static Task? OpenClawHeartbeat(TestGateway gateway, TestConnection connection, DateTimeOffset now) =>
        connection.Session is null ? null : TestGateway.SendOpenClawEventAsync(connection, "tick", new JsonObject { ["ts"] = now.ToUnixTimeMilliseconds() });
}
