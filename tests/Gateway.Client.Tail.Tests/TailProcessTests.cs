using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Client.Testing;
using GatewayTail;

namespace Gateway.Client.Tail.Tests;

/// <summary>
/// gateway-tail as a real process: signals, a closed stdout and a redirected one, which only a process has. The
/// executable is the JIT build beside the tests, or the one <c>GATEWAY_TAIL_EXECUTABLE</c> names (CI points it at
/// the native AOT binary, so the same behaviour is proven for what ships).
/// </summary>
public class TailProcessTests
{
    private static CancellationToken Deadline(int seconds = 20) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private static string Executable
    {
        get
        {
            var chosen = Environment.GetEnvironmentVariable("GATEWAY_TAIL_EXECUTABLE");
            if (string.IsNullOrEmpty(chosen))
            {
                return Path.Combine(AppContext.BaseDirectory, "gateway-tail");
            }

            Assert.True(File.Exists(chosen), $"GATEWAY_TAIL_EXECUTABLE names {chosen}, which does not exist");
            return chosen;
        }
    }

    private static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
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
    public async Task A_short_tail_prints_its_events_as_JSON_lines_and_exits_0()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        using var tail = Start(gateway.Url.ToString(), "--max-events", "2");
        var connection = await gateway.WaitForHandshakeAsync(1, Deadline());
        var sessionId = connection.Session!.Id;
        foreach (var text in new[] { "one", "tick \u00E9\u2603" })
        {
            await gateway.PublishAsync(sessionId, "message", new JsonObject { ["text"] = text }, EnvelopeShape.Flat);
        }

        var output = await tail.StandardOutput.ReadToEndAsync(Deadline());
        await tail.WaitForExitAsync(Deadline());

        Assert.Equal(ExitCodes.Ok, tail.ExitCode);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(new[] { "one", "tick \u00E9\u2603" }, lines.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("data").GetProperty("text").GetString()));
        Assert.Contains("tick \u00E9\u2603", output, StringComparison.Ordinal); // UTF-8 as is, not \u escapes
        await connection.WaitForFrameAsync("leave", Deadline());
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
        Assert.Equal("one", JsonDocument.Parse(first!).RootElement.GetProperty("data").GetProperty("text").GetString());

        // As `| head -1` does: the reader goes away, and no event comes to be written.
        var closedAt = Stopwatch.StartNew();
        tail.StandardOutput.Close();
        await tail.WaitForExitAsync(Deadline());

        Assert.Equal(ExitCodes.OutputClosed, tail.ExitCode);
        await connection.WaitForFrameAsync("leave", Deadline());
        Console.WriteLine($"gateway-tail exited {closedAt.ElapsedMilliseconds} ms after its stdout closed");
    }

    [Fact]
    public async Task Help_and_the_suggest_directive_answer_from_the_executable()
    {
        // What dotnet-suggest asks on a Tab: the completions of the word under the cursor, one per line.
        var dialects = await RunToEndAsync("[suggest:27]", "gateway-tail --dialect open");
        var options = await RunToEndAsync("[suggest:16]", "gateway-tail --f");
        var help = await RunToEndAsync("--help");

        Assert.Equal(0, dialects.Exit);
        Assert.Equal(new[] { "openclaw" }, dialects.Lines);
        Assert.Equal(new[] { "--format", "--frames" }, options.Lines);
        Assert.Equal(0, help.Exit);
        Assert.Contains(help.Lines, line => line.TrimStart().StartsWith("--token-file <path>", StringComparison.Ordinal));
        Assert.Contains("Exit codes:", help.Lines);
    }

    private static async Task<(int Exit, string[] Lines)> RunToEndAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        try
        {
            var output = await process.StandardOutput.ReadToEndAsync(Deadline());
            await process.WaitForExitAsync(Deadline());
            return (process.ExitCode, output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            // A run that outlived its deadline is not left behind.
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task Output_redirected_to_a_file_leaves_the_shell_s_offset_after_it()
    {
        // `{ gateway-tail --version; echo after; } > file`: the shell's echo must land after our line, not over it.
        var file = Path.Combine(Path.GetTempPath(), $"gateway-tail-{Guid.NewGuid():N}.txt");
        try
        {
            var tail = Executable;
            using var shell = Process.Start(new ProcessStartInfo("sh")
            {
                ArgumentList = { "-c", "{ \"$0\" --version; echo after; } > \"$1\"", tail, file },
                UseShellExecute = false,
            })!;
            await shell.WaitForExitAsync(Deadline());

            Assert.Equal(0, shell.ExitCode);
            var lines = await File.ReadAllLinesAsync(file, Deadline());
            Assert.Equal(2, lines.Length);
            Assert.StartsWith("gateway-tail ", lines[0], StringComparison.Ordinal);
            Assert.Equal("after", lines[1]);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
