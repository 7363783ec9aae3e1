using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gateway.Client.BrowserTests;

/// <summary>
/// One dashboard page in Chromium: what the tests read from it, its buttons, its console errors, and a screenshot of
/// each step. Every wait is one of Playwright's, bounded by <see cref="StepTimeout"/> (or <see cref="LoadTimeout"/>).
/// </summary>
public sealed class DashboardPage : IAsyncDisposable
{
    /// <summary>Loading the WebAssembly app and connecting (the first load of a Debug build is the slow part).</summary>
    public const float LoadTimeout = 45_000;

    /// <summary>Each later step.</summary>
    public const float StepTimeout = 15_000;

    private readonly IBrowserContext _context;
    private readonly string _name;
    private readonly List<string> _consoleErrors = [];
    private int _step;

    private DashboardPage(IBrowserContext context, IPage page, string name)
    {
        _context = context;
        Page = page;
        _name = name;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (_consoleErrors)
                {
                    _consoleErrors.Add(message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (_consoleErrors)
            {
                _consoleErrors.Add(error);
            }
        };
    }

    /// <summary>The page.</summary>
    public IPage Page { get; }

    /// <summary>The console's errors and the page's uncaught errors so far.</summary>
    public IReadOnlyList<string> ConsoleErrors
    {
        get
        {
            lock (_consoleErrors)
            {
                return [.. _consoleErrors];
            }
        }
    }

    /// <summary>The connection state the page shows.</summary>
    public ILocator State => Page.GetByTestId("state");

    /// <summary>The listed events, newest first.</summary>
    public ILocator Events => Page.Locator("[data-testid=events] li");

    /// <summary>The listed gaps, newest first.</summary>
    public ILocator Gaps => Page.Locator("[data-testid=gaps] li");

    /// <summary>The listed state changes, newest first.</summary>
    public ILocator StateChanges => Page.Locator("[data-testid=state-changes] li");

    /// <summary>Opens the dashboard in a new browser context and waits until it shows Connected.</summary>
    public static async Task<DashboardPage> OpenAsync(BrowserFixture fixture, string name)
    {
        var context = await fixture.Browser!.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        context.SetDefaultTimeout(StepTimeout);
        var page = new DashboardPage(context, await context.NewPageAsync(), name);
        await page.Page.GotoAsync(fixture.Server.Url.ToString(), new PageGotoOptions { Timeout = LoadTimeout });
        await page.ExpectConnectedAsync(LoadTimeout);
        return page;
    }

    /// <summary>Waits until the page shows Connected; fails with the page's error text when it shows one.</summary>
    public async Task ExpectConnectedAsync(float timeout = StepTimeout)
    {
        // Connected, or an error the page shows (a failed start is terminal: no need to wait out the timeout).
        var error = Page.GetByTestId("error");
        try
        {
            await Page.Locator("[data-testid=state].state-connected").Or(error).First.WaitForAsync(new LocatorWaitForOptions { Timeout = timeout });
        }
        catch (TimeoutException)
        {
            await ScreenshotAsync("not-connected");
            throw;
        }

        if (await error.CountAsync() > 0)
        {
            await ScreenshotAsync("error");
            throw new Xunit.Sdk.XunitException($"The page did not connect; it shows: {await error.TextContentAsync()}");
        }
    }

    /// <summary>Clicks a demo button (<c>drop</c>, <c>gap</c>, <c>publish</c>) and waits until the host has done it.</summary>
    public async Task ClickAsync(string button)
    {
        var done = Page.WaitForResponseAsync(r => r.Url.EndsWith($"/api/demo/{button}", StringComparison.Ordinal), new PageWaitForResponseOptions { Timeout = StepTimeout });
        await Page.GetByTestId(button).ClickAsync();
        var response = await done;
        Assert.True(response.Ok, $"The host answered {button} with {response.Status}.");
    }

    /// <summary>The sequence numbers of the listed events, oldest first.</summary>
    public async Task<long[]> SequencesAsync()
    {
        var newestFirst = await Events.EvaluateAllAsync<long[]>("rows => rows.map(r => Number(r.dataset.sequence))");
        return [.. newestFirst.Reverse()];
    }

    /// <summary>A statistic as the page shows it.</summary>
    public Task<string?> StatisticAsync(string name) => Page.Locator($"[data-stat={name}]").TextContentAsync();

    /// <summary>Saves a screenshot of the whole page as <c>{test}-{nn}-{step}.png</c>.</summary>
    public async Task ScreenshotAsync(string step)
    {
        var path = Path.Combine(BrowserFixture.ScreenshotFolder, $"{_name}-{++_step:00}-{step}.png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Timeout = StepTimeout });
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}
