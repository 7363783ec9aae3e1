using System.Diagnostics;

namespace Gateway.Client.AI.Tests;

/// <summary>samples/Chat runs non-interactively: messages on standard input until its end, answers on standard output.</summary>
public class ChatSampleTests
{
    [Fact]
    public async Task The_chat_sample_echoes_each_line_of_standard_input_through_its_embedded_gateway_and_exits_0()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "Chat.exe" : "Chat"))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var chat = Process.Start(start)!;

        await chat.StandardInput.WriteLineAsync("hello");
        await chat.StandardInput.WriteLineAsync("second line");
        chat.StandardInput.Close(); // end of input: the chat ends
        var output = chat.StandardOutput.ReadToEndAsync(deadline.Token);
        var errors = chat.StandardError.ReadToEndAsync(deadline.Token);
        try
        {
            await chat.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            chat.Kill(entireProcessTree: true);
            throw;
        }

        Assert.True(chat.ExitCode == 0, $"exit {chat.ExitCode}; stderr: {await errors}");
        Assert.Equal(["echo: hello", "echo: second line"], (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains("Connected to ws://127.0.0.1:", await errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_chat_sample_refuses_a_bad_argument_with_exit_2_and_its_usage()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "Chat.exe" : "Chat"), "--dialect klingon")
        {
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        using var chat = Process.Start(start)!;
        var errors = await chat.StandardError.ReadToEndAsync(deadline.Token);
        await chat.WaitForExitAsync(deadline.Token);

        Assert.Equal(2, chat.ExitCode);
        Assert.Contains("--dialect takes praisonai, openclaw or praxis", errors, StringComparison.Ordinal);
        Assert.Contains("usage: chat", errors, StringComparison.Ordinal);
    }
}
