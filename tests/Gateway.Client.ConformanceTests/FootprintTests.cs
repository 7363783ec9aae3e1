using System.Globalization;
using Gateway.Client.Testing;
using Xunit.Abstractions;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// An always-on client must not grow with time: what a live client holds is measured (heap with it
/// minus heap once it is released) after few and after many reconnects, so the gateway's own records
/// of each connection cancel out and only the client's share is compared.
/// </summary>
[Collection(SerialCollection.Name)]
public class FootprintTests
{
    private readonly ITestOutputHelper _output;

    public FootprintTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task A_client_holds_the_same_memory_and_handles_after_3000_reconnects_as_after_30()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        await HeldByClientAfterAsync(gateway, 10); // warms pools and the JIT

        // Each figure is the smaller of two clients': on a busy machine, garbage that is still reachable for
        // a moment (work of a just-closed connection finishing on another thread) can be counted with the
        // client once, never less than what it holds. A leak is in every sample, so the minimum keeps it.
        var few = Smaller(await HeldByClientAfterAsync(gateway, 30), await HeldByClientAfterAsync(gateway, 30));
        var many = Smaller(await HeldByClientAfterAsync(gateway, 3000), await HeldByClientAfterAsync(gateway, 3000));

        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"held by a live client after 30 reconnects: {few.Bytes / 1024.0:0.0} KiB, {few.Handles} handles"));
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"held by a live client after 3,000 reconnects: {many.Bytes / 1024.0:0.0} KiB, {many.Handles} handles"));

        // Run-to-run noise is up to ~30 KiB (pools and caches that happen to be released with the client).
        // Leaking even one bare object (24 bytes) per reconnect adds about 70 KiB over the 2,970 extra
        // reconnects (a planted one was caught), so this bound still catches it.
        Assert.InRange(many.Bytes - few.Bytes, long.MinValue, 48 * 1024);
        Assert.InRange(many.Handles - few.Handles, int.MinValue, 2);
    }

    private static (long Bytes, int Handles) Smaller((long Bytes, int Handles) a, (long Bytes, int Handles) b) =>
        (Math.Min(a.Bytes, b.Bytes), Math.Min(a.Handles, b.Handles));

    /// <summary>Connects a client, makes it reconnect <paramref name="reconnects"/> times, and measures what releasing it frees.</summary>
    private static async Task<(long Bytes, int Handles)> HeldByClientAfterAsync(TestGateway gateway, int reconnects)
    {
        var client = new GatewayClient(Harness.OptionsFor(gateway, Harness.ImmediateReconnect));
        await client.ConnectAsync(Harness.Deadline());
        var handshakes = gateway.Handshakes.Count;
        var sessionId = client.Session!.SessionId;
        for (var i = 0; i < reconnects; i++)
        {
            // An event per connection, read at once: the client works, and the test keeps nothing of it.
            await gateway.PublishMessagesAsync(sessionId, "x");
            Assert.Single(await client.ReadAsync(1, Harness.Deadline()));
            gateway.Handshakes[^1].Drop();
            await gateway.WaitForHandshakeAsync(++handshakes, Harness.Deadline());
        }

        // The gateway's side of each connection (a 64 KiB receive buffer) is freed when the gateway has
        // finished serving it, which can lag the client on a busy machine: measure only once every
        // connection but the live one is done, and again once that one is, or a gateway buffer is counted
        // as the client's in one measurement and not in the next.
        var live = await ServedAllButTheLastAsync(gateway);
        var withClient = ProcessFootprint.Take();
        await client.DisposeAsync();
        var released = new WeakReference(client);
        client = null;
        await live.WaitAsync(Harness.Deadline());

        // Aborted socket operations finish on I/O threads a few milliseconds after dispose returns; until
        // then they still reach the client. Once it is collectable, nothing holds it: no leak of disposed clients.
        var deadline = Harness.Deadline();
        while (released.IsAlive)
        {
            deadline.ThrowIfCancellationRequested();
            await Task.Yield();
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        var without = ProcessFootprint.Take();
        return (withClient.ManagedBytes - without.ManagedBytes, withClient.Handles - without.Handles);
    }

    /// <summary>
    /// Waits until the gateway has finished serving every connection but the last, and returns the last's
    /// completion. A method of its own, so its temporary arrays are not kept alive in the caller's frame
    /// (a Debug build keeps a method's temporaries until it returns) while the caller measures the heap.
    /// </summary>
    private static async Task<Task> ServedAllButTheLastAsync(TestGateway gateway)
    {
        var connections = gateway.Connections;
        await Task.WhenAll(connections.Take(connections.Count - 1).Select(c => c.Served)).WaitAsync(Harness.Deadline());
        return connections[^1].Served;
    }
}
