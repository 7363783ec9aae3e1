using Dashboard.Host;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Client.BrowserTests;

/// <summary>
/// The dashboard host, in this process, on Kestrel at 127.0.0.1 and a free port. In the Development environment it
/// serves the WebAssembly app from the build's static web assets manifest (Dashboard.Host.staticwebassets.*.json,
/// copied next to this assembly by the project reference), so the tests need no publish step. The demo publisher is
/// off: the tests publish with the page's buttons and know every sequence number.
/// </summary>
public sealed class DashboardServer : IAsyncLifetime
{
    private WebApplication? _app;

    /// <summary>The page's address.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>The embedded gateway.</summary>
    public DemoGateway Demo => _app!.Services.GetRequiredService<DemoGateway>();

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        _app = await DashboardHost.BuildAsync(
            ["--Dashboard:PublishInterval=00:00:00", "--Logging:LogLevel:Default=Warning"],
            builder =>
            {
                builder.Environment.EnvironmentName = "Development";
                builder.WebHost.UseStaticWebAssets();
                builder.WebHost.UseUrls("http://127.0.0.1:0");
            });
        using var starting = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _app.StartAsync(starting.Token);
        Url = new Uri(_app.Urls.Single());
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _app.StopAsync(stopping.Token);
            await _app.DisposeAsync();
        }
    }
}
