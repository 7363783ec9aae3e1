using System.Text.Json.Serialization;
using Gateway.Client;

namespace Dashboard.Host;

/// <summary>
/// The dashboard's host: serves the WebAssembly app, issues the browser's short-lived tokens (<c>/api/connection</c>),
/// relays its WebSocket to the gateway (<c>/gateway</c>), and, with no <c>Gateway:Url</c> configured, embeds a
/// TestGateway with fault buttons (<c>/api/demo/drop</c>, <c>/api/demo/gap</c>, <c>/api/demo/publish</c>) and a count of what it published
/// (<c>/api/demo/published</c>).
/// </summary>
public static class DashboardHost
{
    /// <summary>Builds the host (not started); <paramref name="configure"/> lets tests set the environment and port.</summary>
    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // The static web assets manifest is named after this assembly, also when a test process hosts it.
            ApplicationName = typeof(DashboardHost).Assembly.GetName().Name,
        });
        configure?.Invoke(builder);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, HostJson.Default));

        var configured = builder.Configuration.GetSection("Gateway");
        DemoGateway? demo = null;
        GatewayTarget target;
        if (configured["Url"] is { Length: > 0 } url)
        {
            var dialect = configured["Dialect"] ?? "praisonai";
            if (!ProtocolDialects.TryParse(dialect, out _))
            {
                throw new InvalidOperationException($"Gateway:Dialect '{dialect}' is not a dialect this client speaks.");
            }

            target = new GatewayTarget(new Uri(url), configured["Token"], dialect, configured["AgentId"] ?? "dashboard",
                TokenInHeader: string.Equals(configured["TokenPlacement"], nameof(TokenPlacement.AuthorizationHeader), StringComparison.OrdinalIgnoreCase),
                Demo: false);
        }
        else
        {
            demo = await DemoGateway.StartAsync();
            target = demo.Target;
            builder.Services.AddSingleton(_ => demo);
            builder.Services.AddHostedService<DemoPublisher>();
        }

        var lifetime = builder.Configuration.GetValue("Dashboard:TokenLifetime", TimeSpan.FromSeconds(60));
        builder.Services.AddSingleton(target);
        builder.Services.AddSingleton(new BrowserTokens(TimeProvider.System, lifetime));

        var app = builder.Build();
        app.UseWebSockets();
        app.MapStaticAssets();

        app.MapGet("/api/connection", (BrowserTokens tokens) => tokens.Issue() is { } token
            ? Results.Ok(new BrowserConnection("gateway", token, target.Dialect, target.AgentId, target.Demo))
            : Results.StatusCode(StatusCodes.Status429TooManyRequests));
        app.Map("/gateway", (HttpContext context, BrowserTokens tokens, ILoggerFactory loggers) =>
            GatewayRelay.RelayAsync(context, tokens, target, loggers.CreateLogger(typeof(GatewayRelay))));
        if (demo is not null)
        {
            app.MapPost("/api/demo/drop", () => demo.DropAsync());
            app.MapPost("/api/demo/gap", () => demo.OpenGapAsync());
            app.MapPost("/api/demo/publish", () => demo.PublishAsync(5, "published"));
            app.MapGet("/api/demo/published", () => demo.Published);
        }

        app.MapFallbackToFile("index.html");
        app.Logger.LogInformation("Dashboard relays to {Gateway}", target);
        return app;
    }
}

/// <summary>The answer of <c>/api/connection</c> (the app's <c>ConnectionInfo</c>): never the gateway's token.</summary>
public sealed record BrowserConnection(
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("dialect")] string Dialect,
    [property: JsonPropertyName("agentId")] string AgentId,
    [property: JsonPropertyName("demo")] bool Demo);

/// <summary>Source-generated JSON for the host's answers.</summary>
[JsonSerializable(typeof(BrowserConnection))]
internal sealed partial class HostJson : JsonSerializerContext;
