namespace Gateway.Client.Extensions.Tests;

/// <summary>
/// The fleet sample's promise, with its processes: run it twice and the sessions split; stop one and the other takes its
/// sessions over, resuming after its checkpoints. Linux and macOS (a graceful stop is SIGTERM).
/// </summary>
public class SessionProcessorSampleTests
{
    [Fact]
    public async Task Two_workers_split_the_sessions_and_one_takes_them_all_over_when_the_other_stops()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no SIGTERM to send
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var folder = Path.Combine(Path.GetTempPath(), "gateway-fleet-sample-test-" + Guid.NewGuid().ToString("N"));
        string[] worker = ["--demo", $"--Fleet:DemoFolder={folder}", "--Processor:BalanceInterval=00:00:00.500", "--Processor:RenewInterval=00:00:01", "--Processor:LeaseDuration=00:00:05"];
        try
        {
            await using var gateway = SampleProcess.Start("--gateway", $"--Fleet:DemoFolder={folder}");
            await gateway.LineAsync("Demo gateway at ws://127.0.0.1:", deadline.Token);

            await using var first = SampleProcess.Start(worker);
            await first.LineAsync("owns 4 of 4 sessions", deadline.Token);
            await using var second = SampleProcess.Start(worker);
            await second.LineAsync("owns 2 of 4 sessions", deadline.Token);
            await first.LineAsync("owns 2 of 4 sessions", deadline.Token);
            await second.LineAsync("LogAndCheckpoint", deadline.Token); // it handles the events of what it took

            Assert.Equal(0, await first.StopAsync(deadline.Token));
            await second.LineAsync("owns 4 of 4 sessions", deadline.Token);
            var resumed = await second.LineAsync("(free), lease token", deadline.Token); // a released session, claimed at once

            Assert.Contains("stopped; its leases were released", first.Output, StringComparison.Ordinal);
            Assert.Contains("Claimed session", resumed, StringComparison.Ordinal);
            Assert.Matches(@"Session \w+ starts from gr1\.", second.Output); // a handed-over session resumes from a checkpoint
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
