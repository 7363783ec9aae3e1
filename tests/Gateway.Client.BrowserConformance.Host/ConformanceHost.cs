using Gateway.Client.Portable;

namespace Gateway.Client.BrowserConformance.Host;

/// <summary>
/// The browser conformance host: serves the WebAssembly runner and gives each page a TestGateway of its own
/// (<c>POST /api/gateways</c>), carries out its commands (<c>POST /api/gateways/{id}/commands</c>) and stops it
/// (<c>DELETE /api/gateways/{id}</c>). Loopback only: it lets any page drive a gateway.
/// </summary>
public static class ConformanceHost
{
    /// <summary>Builds the host (not started); <paramref name="configure"/> lets tests set the environment and port.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // The static web assets manifest is named after this assembly, also when a test process hosts it.
            ApplicationName = typeof(ConformanceHost).Assembly.GetName().Name,
        });
        builder.WebHost.UseUrls("http://127.0.0.1:5090");
        configure?.Invoke(builder);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, PortableJson.Default));
        builder.Services.AddSingleton<ScenarioGateways>();

        var app = builder.Build();
        app.MapStaticAssets();
        app.MapPost("/api/gateways", async (ScenarioGatewaySetup setup, ScenarioGateways gateways, CancellationToken aborted) =>
            Results.Ok(await gateways.StartAsync(setup, aborted)));
        app.MapPost("/api/gateways/{id}/commands", async (string id, ScenarioCommand command, ScenarioGateways gateways, CancellationToken aborted) =>
        {
            if (gateways.Find(id) is not { } gateway)
            {
                return Results.NotFound($"No gateway {id}.");
            }

            using var limit = CancellationTokenSource.CreateLinkedTokenSource(aborted);
            limit.CancelAfter(ScenarioGateways.CommandLimit);
            try
            {
                return Results.Ok(new ScenarioCommandResult(await gateway.SendAsync(command, limit.Token)));
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or OperationCanceledException)
            {
                return Results.BadRequest(e.Message);
            }
        });
        app.MapDelete("/api/gateways/{id}", async (string id, ScenarioGateways gateways) =>
            await gateways.StopAsync(id) ? Results.NoContent() : Results.NotFound());
        app.MapFallbackToFile("index.html");
        return app;
    }
}
