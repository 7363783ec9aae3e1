// Quickstart: an embedded TestGateway (the in-process reference server) and a GatewayClient that
//   1. connects, streams one agent turn (typed event bodies) and makes a typed request,
//   2. survives a network drop and gets what it missed replayed,
//   3. survives an outage longer than the server's replay window, hears about the gap in stream
//      order, and resyncs from a snapshot,
//   4. restarts as a new process would: from the resume point it stored after the last event it
//      handled, it gets exactly what came after.
// Run it with: dotnet run --project samples/Quickstart
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Gateway.Client;
using Gateway.Client.Testing;
using Gateway.Client.PraisonAI;

using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
var ct = timeout.Token;

// A small replay window (5 events) so step 3 can outrun it.
await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Token = "quickstart-secret", RetentionWindow = 5 });
gateway.RegisterMethod("time.now", (_, _) => Task.FromResult<JsonNode?>(new JsonObject { ["utc"] = DateTimeOffset.UtcNow.ToString("O") }));
Console.WriteLine($"TestGateway listening on {gateway.Url}");

await using var client = new GatewayClient(new GatewayClientOptions
{
    Url = gateway.Url,
    AgentId = "support",
    TokenProvider = _ => ValueTask.FromResult<string?>("quickstart-secret"),
    Reconnect = { InitialDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(2) },
});
client.OnStateChanged((e, _) =>
{
    Console.WriteLine($"[state] {e}");
    return Task.CompletedTask;
});

// The app's own progress: the last sequence it handled (or the resync snapshot's), and the resume point it stores
// after handling each event (in a file or a database column, as text, in a real app).
long handledThrough = 0;
string? stored = null;

// OnGap runs in stream order, on the consumer's loop: everything before the hole has been handled.
client.OnGap(async (gap, token) =>
{
    Console.WriteLine($"[gap] {gap} -> resyncing");
    var resync = await client.ResyncAsync(token);
    Volatile.Write(ref handledThrough, resync.Sequence);
    Console.WriteLine($"[resync] snapshot at sequence {resync.Sequence}: the replayed events it covers are skipped, not shown");
});

await client.ConnectAsync(ct);
var sessionId = client.Session!.SessionId;

// The app's event loop: one consumer, across every reconnect.
var turnDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
var consumer = Task.Run(async () =>
{
    await foreach (var e in client.ReadEventsAsync(ct))
    {
        switch (e.Type)
        {
            case PraisonAIEventTypes.TokenStream:
                Console.Write(e.GetData(PraisonAIJsonContext.Default.TokenStreamData).Content);
                break;
            case PraisonAIEventTypes.Response when e.GetData(PraisonAIJsonContext.Default.ResponseData) is { IsFinal: true } final:
                Console.WriteLine();
                Console.WriteLine($"[final #{e.Sequence}] {final.Content}");
                turnDone.TrySetResult();
                break;
            case "notification":
                Console.WriteLine($"  #{e.Sequence} notification{(e.IsReplay ? " (replayed)" : string.Empty)}: {e.Data.GetProperty("text").GetString()}");
                break;
        }

        // Handled: now store where a restart resumes.
        stored = e.ResumePoint?.ToString() ?? stored;
        Volatile.Write(ref handledThrough, e.Sequence ?? handledThrough);
    }
}, ct);

// 1. One turn, streamed as it arrives.
Console.Write("agent> ");
await client.SendMessageAsync("hello from the quickstart", ct);
await turnDone.Task.WaitAsync(ct);

// A typed request: parameters and answer through source-generated serializers (trimming- and AOT-safe).
var now = await client.RequestAsync("time.now", new TimeQuery("UTC"), QuickstartJson.Default.TimeQuery, QuickstartJson.Default.TimeAnswer, cancellationToken: ct);
Console.WriteLine($"[request] time.now -> {now.Utc}");

// 2. A network drop. The server holds the reconnect briefly, so 3 notifications happen while away.
Console.WriteLine("--- network drop: 3 notifications are published while the client is away");
await AwayAsync(notifications: 3, "while you were away");
await CaughtUpAsync();

// 3. An outage longer than the replay window: 8 notifications, only the last 5 can be replayed.
Console.WriteLine("--- long outage: 8 notifications, but the server keeps only the last 5");
await AwayAsync(notifications: 8, "during the long outage");
await CaughtUpAsync();
await gateway.PublishAsync(sessionId, "notification", new JsonObject { ["text"] = "after the resync" }, EnvelopeShape.Flat);
await CaughtUpAsync();

await client.DisconnectAsync(ct);
await consumer;
var stats = client.Statistics;
Console.WriteLine($"Done: {stats.EventsDelivered} events delivered, {stats.EventsReplayed} replayed, {stats.Reconnects} reconnects, " +
                  $"{stats.Gaps} gap(s), {stats.CoveredByResync} covered by the resync snapshot, {stats.DuplicatesDropped} duplicate(s) dropped.");

// 4. A process restart: the stored text is all a new client needs to resume after the last event handled.
Console.WriteLine($"--- restart: the app stored \"{stored}\"; 2 notifications are published while it is down");
for (var i = 1; i <= 2; i++)
{
    await gateway.PublishAsync(sessionId, "notification", new JsonObject { ["text"] = $"while restarting {i}" }, EnvelopeShape.Flat);
}

await using var restarted = new GatewayClient(new GatewayClientOptions
{
    Url = gateway.Url,
    AgentId = "support",
    TokenProvider = _ => ValueTask.FromResult<string?>("quickstart-secret"),
    ResumeFrom = GatewayResumePoint.Parse(stored!),
});
await restarted.ConnectAsync(ct);
var missed = 0;
await foreach (var e in restarted.ReadEventsAsync(ct))
{
    Console.WriteLine($"  #{e.Sequence} {e.Type}{(e.IsReplay ? " (replayed)" : string.Empty)}: {e.Data.GetProperty("text").GetString()}");
    if (++missed == 2)
    {
        break;
    }
}

async Task AwayAsync(int notifications, string text)
{
    gateway.DelayNextHandshake(TimeSpan.FromMilliseconds(300));
    var before = gateway.Handshakes.Count;
    gateway.Handshakes[^1].Drop();
    for (var i = 1; i <= notifications; i++)
    {
        await gateway.PublishAsync(sessionId, "notification", new JsonObject { ["text"] = $"{text} {i}" }, EnvelopeShape.Flat);
    }

    await gateway.WaitForHandshakeAsync(before + 1, ct);
}

// The sample checks its own progress: the last event handled (or the resync snapshot) has reached the
// server's head. Tests await signals instead of polling.
async Task CaughtUpAsync()
{
    while (Volatile.Read(ref handledThrough) < gateway.GetSession(sessionId).Head)
    {
        await Task.Delay(20, ct);
    }
}

internal sealed record TimeQuery([property: JsonPropertyName("zone")] string Zone);

internal sealed record TimeAnswer([property: JsonPropertyName("utc")] string Utc);

[JsonSerializable(typeof(TimeQuery))]
[JsonSerializable(typeof(TimeAnswer))]
internal sealed partial class QuickstartJson : JsonSerializerContext;
