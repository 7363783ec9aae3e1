using Gateway.Client.BrowserConformance.Host;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;

namespace Gateway.Client.BrowserTests;

/// <summary>
/// The browser conformance host (tests/Gateway.Client.BrowserConformance.Host) in this process, on a free loopback port,
/// serving the runner from the build's static web assets manifest; and one headless Chromium. Each test loads the
/// runner once for its scenario.
/// </summary>
public sealed class ConformanceFixture : IAsyncLifetime
{
    private WebApplication? _app;
    private IPlaywright? _playwright;

    /// <summary>The runner's address.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>The browser, or null where Chromium is missing (the tests are then reported skipped).</summary>
    public IBrowser? Browser { get; private set; }

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        if (Chromium.WhyNot is not null)
        {
            return;
        }

        _app = ConformanceHost.Build(
            ["--Logging:LogLevel:Default=Warning"],
            InProcessWebHost.Configure);
        Url = await InProcessWebHost.StartAsync(_app);
        _playwright = await Playwright.CreateAsync();
        Browser = await Chromium.LaunchAsync(_playwright);
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_app is not null)
        {
            await InProcessWebHost.StopAsync(_app);
        }
    }
}
