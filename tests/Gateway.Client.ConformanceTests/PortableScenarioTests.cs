using Gateway.Client.Portable;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// The portable scenarios (tests/Shared/Portable) on the server runtime, against a TestGateway in this process. The same
/// scenarios, with the same expected transcripts, run inside Chromium in Gateway.Client.BrowserTests.
/// </summary>
public class PortableScenarioTests
{
    public static TheoryData<string> Names => new(PortableScenarios.All.Select(s => s.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public async Task The_scenario_produces_its_transcript(string name)
    {
        var scenario = PortableScenarios.Find(name);

        using var logs = new CapturingLoggerProvider();

        var outcome = await ScenarioRunner.RunAsync(scenario, async (setup, ct) => await InProcessScenarioGateway.StartAsync(setup, ct), logs);

        Assert.True(outcome.Error is null, $"{name} failed after {string.Join(" | ", outcome.Transcript)}: {outcome.Error}\nThe client's log:\n{logs.AllText}");
        Assert.Equal(scenario.Expected, outcome.Transcript);
    }

    [Fact]
    public void Every_scenario_has_a_distinct_name_and_an_expected_transcript()
    {
        Assert.Equal(PortableScenarios.All.Count, PortableScenarios.All.Select(s => s.Name).Distinct().Count());
        Assert.All(PortableScenarios.All, s => Assert.NotEmpty(s.Expected));
    }
}
