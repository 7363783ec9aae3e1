using System.Text.Json.Nodes;
using Gateway.Client.Testing;

namespace WorkerService;

/// <summary>
/// --gateway: the demo's gateway, an in-process TestGateway that every worker of the demo connects to. It writes its URL
/// where the workers started with --demo read it, and publishes a "tick" on every session each second, so each worker
/// shows the events of the sessions it owns, and a handed-over session resumes after the last checkpoint.
/// </summary>
public static class DemoGateway
{
    /// <summary>Where the demo keeps its gateway's URL and, by default, the file store (the system's temporary folder).</summary>
    public static string Folder(IConfiguration configuration) =>
        configuration["Fleet:DemoFolder"] ?? Path.Combine(Path.GetTempPath(), "gateway-fleet-sample");

    /// <summary>The file store's default directory, which a new demo gateway empties.</summary>
    public static string StoreFolder(IConfiguration configuration) => Path.Combine(Folder(configuration), "sessions");

    /// <summary>Runs the gateway until Ctrl+C.</summary>
    public static async Task RunAsync(IConfiguration configuration)
    {
        var folder = Folder(configuration);
        var demoStore = StoreFolder(configuration);
        if (Directory.Exists(demoStore))
        {
            Directory.Delete(demoStore, recursive: true); // a new gateway has none of the last demo's sessions: forget their checkpoints
        }

        Directory.CreateDirectory(folder);
        await using var gateway = await TestGateway.StartAsync();
        await File.WriteAllTextAsync(UrlFile(folder), gateway.Url.ToString());
        Console.WriteLine($"Demo gateway at {gateway.Url}; now start workers: dotnet run --project samples/WorkerService -- --demo");

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        using var ticks = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var n = 0;
        try
        {
            while (await ticks.WaitForNextTickAsync(stop.Token))
            {
                n++;
                foreach (var session in gateway.Sessions)
                {
                    await gateway.PublishAsync(session.Id, "tick", new JsonObject { ["tick"] = n });
                }
            }
        }
        catch (OperationCanceledException)
        {
            File.Delete(UrlFile(folder));
        }
    }

    /// <summary>The URL of the running demo gateway.</summary>
    public static string ReadUrl(IConfiguration configuration)
    {
        var file = UrlFile(Folder(configuration));
        return File.Exists(file)
            ? File.ReadAllText(file).Trim()
            : throw new InvalidOperationException($"No demo gateway is running ({file} is missing): start one first with: dotnet run --project samples/WorkerService -- --gateway");
    }

    private static string UrlFile(string folder) => Path.Combine(folder, "gateway-url.txt");
}
