// A Generic Host worker: the gateway client comes from configuration ("Gateway" in appsettings.json;
// put the token in user secrets or the Gateway__Token environment variable, never in the file), is
// connected by a hosted service, and is read by EventWorker. Its metrics and traces go through the OpenTelemetry
// SDK to the console exporter (swap in OTLP or Prometheus in a real app); the client's meter comes from the
// host's IMeterFactory.
//
// The worker stores the resume point of each event it handled (Worker:ResumePointFile) and, started again, resumes
// right after it.
//
//   dotnet run --project samples/WorkerService              # against Gateway:Url
//   dotnet run --project samples/WorkerService -- --demo    # against an embedded TestGateway, then exits
using Gateway.Client;
using Gateway.Client.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using WorkerService;
using Gateway.Client.PraisonAI;

var builder = Host.CreateApplicationBuilder(args);
var demo = args.Contains("--demo");
await using var demoGateway = demo ? await DemoGateway.StartAsync(builder.Configuration) : null;

// Where the last run stopped: resume right after the last event it handled. A demo gateway is new every run: its
// progress goes to a file of its own and is never read back.
var progress = new ResumePointFile(demo
    ? Path.Combine(Path.GetTempPath(), $"gateway-worker-demo-{Guid.NewGuid():N}.txt")
    : builder.Configuration["Worker:ResumePointFile"] ?? Path.Combine(builder.Environment.ContentRootPath, "resume-point.txt"));
if (!demo && progress.Load() is { } stored)
{
    builder.Configuration["Gateway:ResumeFrom"] = stored;
}

builder.Services.AddSingleton(progress);

builder.Services.AddOpenTelemetry()
    .ConfigureResource(resource => resource.AddService("gateway-worker-sample"))
    .WithMetrics(metrics => metrics
        .AddMeter(GatewayClientTelemetry.MeterName)
        .AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 10_000))
    .WithTracing(tracing => tracing
        .AddSource(GatewayClientTelemetry.ActivitySourceName)
        .AddConsoleExporter());
builder.Services
    .AddGatewayClient(builder.Configuration.GetSection("Gateway"))
    .ConfigureClient((services, client) =>
    {
        // A hole replay cannot fill: re-base on the server's state before reading on.
        var logger = services.GetRequiredService<ILogger<EventWorker>>();
        client.OnGap(async (gap, ct) =>
        {
            logger.LogWarning("Missed {Missing} events from #{Expected} ({Reason}); resynchronising", gap.MissingCount?.ToString() ?? "an unknown number of", gap.Expected, gap.Reason);
            var snapshot = await client.ResyncAsync(ct);
            logger.LogInformation("Resynchronised at sequence {Sequence}; replayed events it covers are skipped (Statistics.CoveredByResync)", snapshot.Sequence);
        });
        client.OnStateChanged((e, _) =>
        {
            logger.LogInformation("Gateway connection: {Previous} -> {Current}", e.Previous, e.Current);
            return Task.CompletedTask;
        });
    })
    .AddHostedConnection();
builder.Services.AddHostedService<EventWorker>();
if (demoGateway is not null)
{
    builder.Services.AddSingleton(demoGateway);
    builder.Services.AddHostedService<DemoTraffic>();
}

await builder.Build().RunAsync();
if (demo)
{
    progress.Delete();
}
