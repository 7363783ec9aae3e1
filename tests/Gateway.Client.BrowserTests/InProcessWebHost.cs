using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Gateway.Client.BrowserTests;

/// <summary>
/// How the browser tests host a web app in their own process: the Development environment, so the WebAssembly app is
/// served from the build's static web assets manifest (no publish step), on Kestrel at 127.0.0.1 and a free port.
/// </summary>
public static class InProcessWebHost
{
    /// <summary>Sets the builder up as the tests need it.</summary>
    public static void Configure(WebApplicationBuilder builder)
    {
        builder.Environment.EnvironmentName = "Development";
        builder.WebHost.UseStaticWebAssets();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
    }

    /// <summary>Starts <paramref name="app"/> (bounded) and returns its address.</summary>
    public static async Task<Uri> StartAsync(WebApplication app)
    {
        using var starting = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.StartAsync(starting.Token);
        return new Uri(app.Urls.Single());
    }

    /// <summary>Stops and disposes <paramref name="app"/> (bounded).</summary>
    public static async Task StopAsync(WebApplication app)
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await app.StopAsync(stopping.Token);
        await app.DisposeAsync();
    }
}
