// The fleet sample: a Generic Host worker that runs a GatewaySessionProcessor over a few gateway sessions (Fleet:Sessions,
// one per agent), sharing a session store with every other instance of itself. Each instance claims a fair share of the
// sessions, handles their events (LogAndCheckpoint) and checkpoints them; stop one and the others take its sessions
// over within one balancing cycle, resuming after its last checkpoint. Run it twice and watch the sessions split:
//
//   dotnet run --project samples/WorkerService -- --gateway   # terminal 1: the demo gateway, ticking on every session
//   dotnet run --project samples/WorkerService -- --demo      # terminals 2 and 3: workers on that gateway
//
// Without --demo a worker connects to Gateway:Url. The store is Fleet:Store (File by default, in the system's temporary
// folder: the processes of one machine; Redis or Postgres with ConnectionStrings:Redis / ConnectionStrings:Postgres for
// a fleet). Settings can also come from the command line: --Processor:BalanceInterval=00:00:05.
using Gateway.Client;
using Gateway.Client.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using WorkerService;

// The two switches are taken out: the command-line configuration would read "--demo --Processor:X=1" as demo = "--Processor:X=1".
string[] switches = ["--gateway", "--demo"];
var builder = Host.CreateApplicationBuilder(args.Where(arg => !switches.Contains(arg)).ToArray());
if (args.Contains("--gateway"))
{
    await DemoGateway.RunAsync(builder.Configuration);
    return;
}

if (args.Contains("--demo"))
{
    builder.Configuration["Gateway:Url"] = DemoGateway.ReadUrl(builder.Configuration);
}

builder.Services.AddSingleton(await SessionStores.CreateAsync(builder.Configuration));
var processor = builder.Services.AddGatewaySessionProcessor(builder.Configuration.GetSection("Processor"))
    .OnEvent<LogAndCheckpoint>();
if (builder.Configuration["Processor:OwnerId"] is null)
{
    processor.Configure(o => o.OwnerId = $"{Environment.MachineName}-{Environment.ProcessId}"); // short, for the logs
}

// Every session talks to the same gateway (the "Gateway" section), each to its own agent.
foreach (var agent in builder.Configuration.GetSection("Fleet:Sessions").Get<string[]>() ?? [])
{
    processor.AddSession(agent, builder.Configuration.GetSection("Gateway"), o => o.AgentId = agent);
}

builder.Services.AddHostedService<OwnershipLog>();

// --Telemetry:Console=true: the processor's and the clients' spans and metrics through the OpenTelemetry SDK, to the
// console (swap in OTLP or Prometheus in a real app; the meters come from the host's IMeterFactory).
if (builder.Configuration.GetValue<bool>("Telemetry:Console"))
{
    builder.Services.AddOpenTelemetry()
        .ConfigureResource(resource => resource.AddService("gateway-fleet-sample"))
        .WithMetrics(metrics => metrics.AddMeter(GatewayClientTelemetry.MeterName).AddConsoleExporter())
        .WithTracing(tracing => tracing.AddSource(GatewayClientTelemetry.ActivitySourceName).AddConsoleExporter());
}

await builder.Build().RunAsync();
