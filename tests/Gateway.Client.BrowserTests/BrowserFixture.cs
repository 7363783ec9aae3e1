using Microsoft.Playwright;

namespace Gateway.Client.BrowserTests;

/// <summary>
/// One dashboard host and one headless Chromium for a test class; each test opens its own page (a session of its own on
/// the demo gateway). Screenshots go to GATEWAY_BROWSER_SCREENSHOTS, else a screenshots folder next to this assembly.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    /// <summary>The host the pages load.</summary>
    public DashboardServer Server { get; } = new();

    /// <summary>The browser, or null where Chromium is missing (the tests are then reported skipped).</summary>
    public IBrowser? Browser { get; private set; }

    /// <summary>Where the screenshots of each step are kept.</summary>
    public static string ScreenshotFolder { get; } =
        Environment.GetEnvironmentVariable("GATEWAY_BROWSER_SCREENSHOTS") is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(AppContext.BaseDirectory, "screenshots");

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        if (Chromium.WhyNot is not null)
        {
            return;
        }

        await Server.InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await Chromium.LaunchAsync(_playwright);
        Directory.CreateDirectory(ScreenshotFolder);
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        await Server.DisposeAsync();
    }
}
