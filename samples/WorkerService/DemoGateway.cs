using System.Text.Json.Nodes;
using Gateway.Client.Testing;

namespace WorkerService;

/// <summary>--demo: an embedded TestGateway the configuration is pointed at, so the sample runs anywhere.</summary>
public static class DemoGateway
{
    public static async Task<TestGateway> StartAsync(ConfigurationManager configuration)
    {
        var gateway = await TestGateway.StartAsync(new TestGatewayOptions { RetentionWindow = 5 });
        configuration["Gateway:Url"] = gateway.Url.ToString();
        configuration["Gateway:Reconnect:InitialDelay"] = "00:00:00.200";
        return gateway;
    }
}

/// <summary>--demo: publishes a few events, drops the connection, evicts history to cause a gap, then stops the host.</summary>
public sealed class DemoTraffic(TestGateway gateway, IHostApplicationLifetime lifetime, ILogger<DemoTraffic> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var connection = await gateway.WaitForHandshakeAsync(1, stoppingToken);
        var sessionId = connection.Session!.Id;
        for (var i = 1; i <= 3; i++)
        {
            await gateway.PublishAsync(sessionId, "message", new JsonObject { ["text"] = $"hello {i}" });
        }

        logger.LogInformation("Demo: dropping the connection; two events are published while the client is away");
        connection.Drop();
        await gateway.PublishAsync(sessionId, "message", new JsonObject { ["text"] = "while away 1" });
        await gateway.PublishAsync(sessionId, "message", new JsonObject { ["text"] = "while away 2" });
        var second = await gateway.WaitForHandshakeAsync(2, stoppingToken);

        logger.LogInformation("Demo: dropping again; eight events while away, more than the window of five keeps");
        second.Drop();
        for (var i = 1; i <= 8; i++)
        {
            await gateway.PublishAsync(sessionId, "message", new JsonObject { ["text"] = $"burst {i}" });
        }

        await gateway.WaitForHandshakeAsync(3, stoppingToken);
        await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken); // let the worker log the replay
        logger.LogInformation("Demo: done; stopping the host");
        lifetime.StopApplication();
    }
}
