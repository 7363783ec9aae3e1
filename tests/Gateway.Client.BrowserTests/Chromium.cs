using Microsoft.Playwright;

namespace Gateway.Client.BrowserTests;

/// <summary>
/// The machine's Chromium, which Playwright drives through its executable path (nothing is downloaded): GATEWAY_CHROMIUM,
/// else Debian's /usr/bin/chromium (<c>apt-get install chromium</c>). GATEWAY_BROWSER_REQUIRED=1 (CI) makes a missing
/// Chromium a failure instead of a skip.
/// </summary>
public static class Chromium
{
    /// <summary>The executable Playwright launches.</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("GATEWAY_CHROMIUM") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";

    /// <summary>Whether a missing Chromium fails the browser tests instead of skipping them.</summary>
    public static bool Required => Environment.GetEnvironmentVariable("GATEWAY_BROWSER_REQUIRED") == "1";

    /// <summary>Why the browser tests cannot run here (read by <see cref="ServerRequirement"/>), or null.</summary>
    public static string? WhyNot => Required || File.Exists(ExecutablePath)
        ? null
        : $"Chromium is not at {ExecutablePath} (apt-get install -y chromium, or set GATEWAY_CHROMIUM); GATEWAY_BROWSER_REQUIRED=1 makes this a failure.";

    /// <summary>Launches it headless through <paramref name="playwright"/>.</summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Timeout = 30_000,
            // As root (CI containers) Chromium refuses its sandbox; the pages are this test's own.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
}
