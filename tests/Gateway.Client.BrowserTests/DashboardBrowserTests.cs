using Dashboard.Host;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Gateway.Client.BrowserTests;

/// <summary>
/// The dashboard in headless Chromium: Gateway.Client running in WebAssembly connects through the host's relay to the
/// embedded TestGateway, and the page shows what happens. Skipped, with the reason, where Chromium is missing.
/// </summary>
[RequiresServer(typeof(Chromium))]
public sealed class DashboardBrowserTests(BrowserFixture fixture, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task The_page_connects_and_shows_events()
    {
        await using var page = await OpenAsync("connects");
        await page.ScreenshotAsync("connected");

        await page.ClickAsync("publish");
        await Expect(page.Events).ToHaveCountAsync(5);

        var sequences = await page.SequencesAsync();
        Assert.Equal([1, 2, 3, 4, 5], sequences);
        Assert.Equal("5", await page.StatisticAsync("delivered"));
        await page.ScreenshotAsync("events");
        Assert.Empty(page.ConsoleErrors);
    }

    [Fact]
    public async Task A_drop_shows_Reconnecting_then_Connected_with_the_missed_events_replayed_and_no_duplicates()
    {
        await using var page = await OpenAsync("drop");
        await page.ClickAsync("publish");
        await Expect(page.Events).ToHaveCountAsync(5);

        await page.ClickAsync("drop");
        // The demo gateway holds the reconnect for a moment (DemoGateway.ReconnectPause), so the page can be seen in it.
        await Expect(page.StateChanges.Filter(new LocatorFilterOptions { Has = page.Page.Locator("xpath=self::li[@data-current='Reconnecting']") })).Not.ToHaveCountAsync(0);
        await page.ScreenshotAsync("reconnecting");
        await page.ExpectConnectedAsync();
        await Expect(page.Events).ToHaveCountAsync(5 + DemoGateway.MissedOnDrop);
        await page.ScreenshotAsync("reconnected");

        var sequences = await page.SequencesAsync();
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], sequences);
        await Expect(page.Page.Locator("[data-testid=events] li[data-replay=true]")).ToHaveCountAsync(DemoGateway.MissedOnDrop);
        Assert.Equal("0", await page.StatisticAsync("repeated"));
        Assert.Equal("1", await page.StatisticAsync("reconnects"));
        Assert.Empty(page.ConsoleErrors);
    }

    [Fact]
    public async Task A_gap_appears_in_the_gap_list()
    {
        await using var page = await OpenAsync("gap");
        await page.ClickAsync("publish");
        await Expect(page.Events).ToHaveCountAsync(5);

        await page.ClickAsync("gap");
        await Expect(page.Gaps).ToHaveCountAsync(1);
        await page.ExpectConnectedAsync();
        await Expect(page.Events).ToHaveCountAsync(5 + DemoGateway.KeptOnGap);
        await page.ScreenshotAsync("gap");

        await Expect(page.Gaps.First).ToHaveAttributeAsync("data-reason", nameof(GapReason.ReplayWindowExceeded));
        await Expect(page.Gaps.First).ToHaveAttributeAsync("data-expected", "6");
        var sequences = await page.SequencesAsync();
        Assert.Equal([1, 2, 3, 4, 5, 10, 11], sequences);
        Assert.Equal("1", await page.StatisticAsync("gaps"));
        Assert.Empty(page.ConsoleErrors);
    }

    private async Task<DashboardPage> OpenAsync(string name)
    {
        output.WriteLine($"Screenshots: {BrowserFixture.ScreenshotFolder}");
        return await DashboardPage.OpenAsync(fixture, name);
    }
}
