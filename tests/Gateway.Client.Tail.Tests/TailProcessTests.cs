using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Client.Testing;
using GatewayTail;

namespace Gateway.Client.Tail.Tests;

/// <summary>gateway-tail as a real process: signals and a closed stdout, which only a process has.</summary>
public class TailProcessTests
{
    private static CancellationToken Deadline(int seconds = 20) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "gateway-tail"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args.Append("--no-status"))
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    private static void Signal(Process process, string signal)
    {
        using var kill = Process.Start("kill", new[] { "-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) })!;
        kill.WaitForExit();
    }

    /// <summary>Waits for the tail's own report that it is connected (its stderr), so a signal now is "while tailing".</summary>
    private static async Task ConnectedAsync(Process tail)
    {
        while (await tail.StandardError.ReadLineAsync(Deadline()) is { } line)
        {
            if (line.Contains("-> Connected", StringComparison.Ordinal))
            {
                return;
            }
        }

        Assert.Fail("gateway-tail ended before it connected");
    }

    [Fact]
    public async Task SIGTERM_ends_the_tail_gracefully_leaving_the_session_and_exiting_0()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        using var tail = Start(gateway.Url.ToString());
        var connection = await gateway.WaitForHandshakeAsync(1, Deadline());
        await ConnectedAsync(tail);

        Signal(tail, "TERM");
        await tail.WaitForExitAsync(Deadline());

        Assert.Equal(ExitCodes.Ok, tail.ExitCode);
        await connection.WaitForFrameAsync("leave", Deadline()); // graceful: it said goodbye, not 143 with a dropped socket
    }

    [Fact]
    public async Task A_closed_stdout_ends_an_idle_tail_with_141()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        using var tail = Start(gateway.Url.ToString());
        var connection = await gateway.WaitForHandshakeAsync(1, Deadline());
        var sessionId = connection.Session!.Id;
        await gateway.PublishAsync(sessionId, "message", new JsonObject { ["text"] = "one" }, EnvelopeShape.Flat);
        var first = await tail.StandardOutput.ReadLineAsync(Deadline());
        Assert.Equal("one", JsonDocument.Parse(first!).RootElement.GetProperty("payload").GetProperty("text").GetString());

        // As `| head -1` does: the reader goes away, and no event comes to be written.
        var closedAt = Stopwatch.StartNew();
        tail.StandardOutput.Close();
        await tail.WaitForExitAsync(Deadline());

        Assert.Equal(ExitCodes.OutputClosed, tail.ExitCode);
        await connection.WaitForFrameAsync("leave", Deadline());
        Console.WriteLine($"gateway-tail exited {closedAt.ElapsedMilliseconds} ms after its stdout closed");
    }
}
