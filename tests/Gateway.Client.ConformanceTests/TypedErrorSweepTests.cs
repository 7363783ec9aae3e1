using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Gateway.Client.Testing;
using Gateway.Client.PraisonAI;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// Only typed exceptions leave the public API: under each class of fault, every public operation either
/// succeeds or throws a <see cref="GatewayException"/> (or a documented caller-side type:
/// <see cref="ArgumentException"/>, <see cref="OperationCanceledException"/>,
/// <see cref="ObjectDisposedException"/>, <see cref="TimeoutException"/> for the send and request bounds).
/// A raw exception from a dependency, the runtime or app code is a defect.
/// </summary>
public class TypedErrorSweepTests
{
    public enum Fault
    {
        NeverConnected,
        NothingListens,
        HandshakeRefused,
        UpgradeRefused,
        TokenProviderThrows,
        ConfigureWebSocketThrows,
        ConnectionLostWithoutReconnect,
        Disposed,
    }

    public static TheoryData<Fault> Faults => new(Enum.GetValues<Fault>());

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Every_public_operation_throws_only_typed_exceptions(Fault fault)
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o => Configure(fault, gateway, o)));
        await BringAboutAsync(fault, gateway, client);

        var thrown = new List<(string Operation, Exception Error)>();
        async Task Try(string operation, Func<Task> call)
        {
            try
            {
                await call().WaitAsync(Harness.Deadline());
            }
            catch (Exception ex)
            {
                thrown.Add((operation, ex));
            }
        }

        using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await Try("ConnectAsync", () => client.ConnectAsync(quick.Token));
        await Try("SendMessageAsync", () => client.SendMessageAsync("hi", quick.Token));
        await Try("SendAsync", () => client.SendAsync(JsonDocument.Parse("""{"type":"x"}""").RootElement, quick.Token));
        await Try("AbortAsync", () => client.AbortAsync("user", quick.Token));
        await Try("RequestAsync", () => client.RequestAsync("status", default, quick.Token));
        await Try("ResyncAsync", () => client.ResyncAsync(quick.Token));
        await Try("ReadEventsAsync", async () =>
        {
            await using var events = client.ReadEventsAsync(quick.Token).GetAsyncEnumerator(quick.Token);
            await events.MoveNextAsync();
        });
        await Try("DisconnectAsync", () => client.DisconnectAsync(quick.Token));

        Assert.All(thrown, t => Assert.True(
            t.Error is GatewayException or ArgumentException or OperationCanceledException or ObjectDisposedException or TimeoutException,
            $"{t.Operation} under {fault} threw {t.Error.GetType().FullName}: {t.Error.Message}"));
    }

    private static void Configure(Fault fault, TestGateway gateway, GatewayClientOptions options)
    {
        switch (fault)
        {
            case Fault.NothingListens:
                options.Url = new Uri($"ws://127.0.0.1:{FreePort()}/ws");
                break;
            case Fault.TokenProviderThrows:
                options.TokenProvider = _ => throw new InvalidOperationException("token service down");
                break;
            case Fault.ConfigureWebSocketThrows:
                options.ConfigureWebSocket = _ => throw new InvalidOperationException("app bug");
                break;
            case Fault.ConnectionLostWithoutReconnect:
                options.Reconnect.Enabled = false;
                break;
            case Fault.HandshakeRefused:
                gateway.RejectNextHandshake(new HandshakeRejection(HandshakeErrorCodes.AgentNotFound, "no such agent"));
                break;
            case Fault.UpgradeRefused:
                gateway.RefuseUpgrades(403);
                break;
        }
    }

    private static async Task BringAboutAsync(Fault fault, TestGateway gateway, GatewayClient client)
    {
        switch (fault)
        {
            case Fault.NothingListens or Fault.HandshakeRefused or Fault.UpgradeRefused or Fault.TokenProviderThrows or Fault.ConfigureWebSocketThrows:
                await Assert.ThrowsAnyAsync<GatewayException>(() => client.ConnectAsync(Harness.Deadline()));
                break;
            case Fault.ConnectionLostWithoutReconnect:
                await client.ConnectAsync(Harness.Deadline());
                var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                client.OnStateChanged((e, _) =>
                {
                    if (e.Current == ConnectionState.Failed)
                    {
                        failed.TrySetResult();
                    }

                    return Task.CompletedTask;
                });
                (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
                await failed.Task.WaitAsync(Harness.Deadline());
                break;
            case Fault.Disposed:
                await client.ConnectAsync(Harness.Deadline());
                await client.DisposeAsync();
                break;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
