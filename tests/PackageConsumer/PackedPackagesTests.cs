using System.Text.Json.Nodes;
using Gateway.Client;
using Gateway.Client.Extensions.DependencyInjection;
using Gateway.Client.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace PackageConsumer;

/// <summary>A user's first scenario, built only from the packed packages: host, configuration, stream, drop, resume.</summary>
public class PackedPackagesTests
{
    [Fact]
    public async Task A_hosted_client_from_the_packages_streams_and_resumes_after_a_drop()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Token = "consumer-token" });
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:Url"] = gateway.Url.ToString(),
            ["Gateway:AgentId"] = "support",
            ["Gateway:Token"] = "consumer-token",
            ["Gateway:Reconnect:InitialDelay"] = "00:00:00",
        });
        builder.Services.AddGatewayClient(builder.Configuration.GetSection("Gateway")).AddHostedConnection(o => o.WaitForConnection = true);
        using var host = builder.Build();
        await host.StartAsync(deadline.Token);
        var client = host.Services.GetRequiredService<GatewayClient>();
        var sessionId = client.Session!.SessionId;

        await gateway.PublishAsync(sessionId, "message", new JsonObject { ["n"] = 1 }, EnvelopeShape.Flat);
        (await gateway.WaitForHandshakeAsync(1, deadline.Token)).Drop();
        await gateway.PublishAsync(sessionId, "message", new JsonObject { ["n"] = 2 }, EnvelopeShape.Flat);
        var seen = new List<long>();
        await foreach (var e in client.ReadEventsAsync(deadline.Token))
        {
            if (e.Sequence is { } sequence)
            {
                seen.Add(sequence);
                if (sequence == 2)
                {
                    break;
                }
            }
        }

        await host.StopAsync(deadline.Token);
        Assert.Equal(new long[] { 1, 2 }, seen);
        Assert.Equal(1, client.Statistics.Reconnects);
        Assert.Equal(ConnectionState.Disconnected, client.State);
    }
}
