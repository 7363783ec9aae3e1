using System.Text.Json;
using Gateway.Client.Portable;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Gateway.Client.BrowserTests;

/// <summary>
/// The portable conformance scenarios (tests/Shared/Portable: reconnect, resume, gaps, heartbeats, typed events and
/// requests) run inside headless Chromium, with Gateway.Client in WebAssembly and its TestGateway in the page's host;
/// each must produce the same transcript as on the server runtime (Gateway.Client.ConformanceTests.PortableScenarioTests).
/// </summary>
[RequiresServer(typeof(Chromium))]
public sealed class BrowserConformanceTests(ConformanceFixture fixture, ITestOutputHelper output) : IClassFixture<ConformanceFixture>
{
    public static TheoryData<string> Names => new(PortableScenarios.All.Select(s => s.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public async Task The_scenario_produces_the_same_transcript_in_the_browser(string name)
    {
        var scenario = PortableScenarios.Find(name);
        var context = await fixture.Browser!.NewContextAsync();
        try
        {
            var page = await context.NewPageAsync();
            var console = new List<string>();
            page.Console += (_, message) =>
            {
                lock (console)
                {
                    console.Add($"{message.Type}: {message.Text}");
                }
            };

            await page.GotoAsync(new Uri(fixture.Url, $"?scenario={Uri.EscapeDataString(name)}").ToString());
            var outcomeElement = page.Locator("#outcome[data-status=done]");
            await outcomeElement.WaitForAsync(new LocatorWaitForOptions { Timeout = (float)(ScenarioRunner.Limit + TimeSpan.FromSeconds(30)).TotalMilliseconds });
            var outcome = JsonSerializer.Deserialize(await outcomeElement.TextContentAsync() ?? "", PortableJson.Default.ScenarioOutcome)!;

            string[] log;
            lock (console)
            {
                log = console.ToArray();
            }

            output.WriteLine($"Transcript: {string.Join(" | ", outcome.Transcript)}");
            Assert.True(outcome.Error is null, $"{name} failed in the browser after {string.Join(" | ", outcome.Transcript)}: {outcome.Error}\nThe page's console:\n{string.Join("\n", log)}");
            Assert.Equal(scenario.Expected, outcome.Transcript);
            Assert.Equal(name, outcome.Name);
        }
        finally
        {
            await context.CloseAsync();
        }
    }
}
