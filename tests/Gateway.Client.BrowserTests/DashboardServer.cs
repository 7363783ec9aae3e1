using Dashboard.Host;
using Microsoft.AspNetCore.Builder;
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
            InProcessWebHost.Configure);
        Url = await InProcessWebHost.StartAsync(_app);
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await InProcessWebHost.StopAsync(_app);
        }
    }
}
