// Quickstart: an embedded TestGateway (the in-process reference server) and a GatewayClient that
// connects, sends one message and prints the agent's streamed answer as it arrives.
// Run it with: dotnet run --project samples/Quickstart
using Gateway.Client;
using Gateway.Client.Testing;

using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
var ct = timeout.Token;

await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Token = "quickstart-secret" });
Console.WriteLine($"TestGateway listening on {gateway.Url}");

await using var client = new GatewayClient(new GatewayClientOptions
{
    Url = gateway.Url,
    AgentId = "support",
    TokenProvider = _ => ValueTask.FromResult<string?>("quickstart-secret"),
});
client.StateChanged += (_, e) => Console.WriteLine($"[state] {e.Previous} -> {e.Current}");
client.OnGap = (gap, _) =>
{
    Console.WriteLine($"[gap] {gap}");
    return Task.CompletedTask;
};

await client.ConnectAsync(ct);
var session = client.Session!;
Console.WriteLine($"Connected: session {session.SessionId}, protocol {session.Protocol}, server cursor {session.ServerCursor}");

await client.SendMessageAsync("hello from the quickstart", ct);
Console.Write("agent> ");
await foreach (var e in client.ReadEventsAsync(ct))
{
    switch (e.Type)
    {
        case "token_stream":
            // Stream events are wrapped: the token is at data.content.
            Console.Write(e.Payload.GetProperty("data").GetProperty("content").GetString());
            break;
        case "response" when e.Payload.GetProperty("status").GetString() == "final":
            Console.WriteLine();
            Console.WriteLine($"[final #{e.Sequence}] {e.Payload.GetProperty("content").GetString()} " +
                              $"(outcome: {e.Payload.GetProperty("outcome").GetProperty("status").GetString()})");
            await client.DisconnectAsync(ct);
            break;
    }
}

var stats = client.Statistics;
Console.WriteLine($"Done: {stats.EventsDelivered} events delivered, cursor {client.Cursor}, {stats.DuplicatesDropped} duplicates dropped, {stats.Gaps} gaps.");
