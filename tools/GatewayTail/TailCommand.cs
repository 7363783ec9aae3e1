using System.Diagnostics;
using System.Globalization;
using System.CommandLine;
using System.CommandLine.Invocation;
using Gateway.Client;

namespace GatewayTail;

/// <summary>gateway-tail itself, with its streams passed in (<see cref="TailHost"/>) so tests run it in-process.</summary>
internal static class TailCommand
{
    /// <summary>Runs the tail; <paramref name="outputClosed"/> completes when stdout's reader went away (the tail then exits <see cref="ExitCodes.OutputClosed"/>).</summary>
    public static async Task<int> RunAsync(string[] args, TailHost host, CancellationToken cancellationToken, Task? outputClosed = null)
    {
        var commandLine = new TailCommandLine();
        commandLine.Root.SetAction((parse, token) => RunAsync(commandLine, parse, host, token, outputClosed));
        var parse = commandLine.Root.Parse(args);
        // Help, --version and [suggest] run as asked; a line that asks to tail must be right first.
        if (parse.Action is ParseErrorAction || parse.Action == commandLine.Root.Action)
        {
            var errors = commandLine.Errors(parse);
            if (errors.Count > 0)
            {
                return await UsageErrorAsync(host, errors).ConfigureAwait(false);
            }
        }

        var invocation = new InvocationConfiguration
        {
            Output = host.Out,
            Error = host.Error,
            // Ctrl+C and SIGTERM are Program's: they stop the tail gracefully through cancellationToken.
            ProcessTerminationTimeout = null,
        };
        return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The client's options for these settings (internal: tests check what reaches the client).</summary>
    internal static GatewayClientOptions ClientOptions(TailOptions options)
    {
        var token = options.Token;
        var clientOptions = new GatewayClientOptions
        {
            Url = options.Url,
            Name = "gateway-tail",
            Dialect = options.Dialect,
            AgentId = options.AgentId, // a dialect that has no agents ignores it
            TokenProvider = token is null ? null : _ => new ValueTask<string?>(token),
            ResumeFrom = options.ResumeFrom,
        };
        clientOptions.Reconnect.MaxAttempts = options.MaxAttempts;
        // --wait: a gateway that is not up yet is waited for, with the reconnect backoff; without it the first
        // failure ends the tail at once, so a wrong URL shows at start-up.
        clientOptions.Reconnect.RetryInitialConnect = options.Wait;
        if (options.PinnedThumbprint is { } pinned)
        {
            clientOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && string.Equals(certificate.GetCertHashString(), pinned, StringComparison.OrdinalIgnoreCase);
        }

        return clientOptions;
    }

    private static async Task<int> UsageErrorAsync(TailHost host, IEnumerable<string> errors)
    {
        foreach (var error in errors)
        {
            await host.Error.WriteLineAsync($"gateway-tail: {error}").ConfigureAwait(false);
        }

        await host.Error.WriteLineAsync("Run 'gateway-tail --help' for the options.").ConfigureAwait(false);
        return ExitCodes.Usage;
    }

    private static async Task<int> RunAsync(TailCommandLine commandLine, ParseResult parse, TailHost host, CancellationToken cancellationToken, Task? outputClosed)
    {
        TailOptions options;
        try
        {
            options = commandLine.Bind(parse, host.Environment);
        }
        catch (UsageException ex)
        {
            return await UsageErrorAsync(host, new[] { ex.Message }).ConfigureAwait(false);
        }

        var errorPalette = new AnsiPalette(ColorDecision.ShouldColor(host.ErrorIsTerminal, host.Environment));
        using var status = new StatusLine(host.Error, StatusLineDecision.ShouldDraw(host.ErrorIsTerminal, options.NoStatus, host.Environment));
        using var logs = options.LogLevel is { } level ? new StderrLoggerFactory(level, status.Line, errorPalette) : null;
        GatewayClient client;
        try
        {
            client = new GatewayClient(ClientOptions(options), logs);
        }
        catch (ArgumentException ex)
        {
            await host.Error.WriteLineAsync($"gateway-tail: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        await using (client.ConfigureAwait(false))
        {
            // The reader of stdout going away stops the tail like Ctrl+C does, but with its own exit code.
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var closed = false;
            _ = outputClosed?.ContinueWith(
                t =>
                {
                    if (t.Status == TaskStatus.RanToCompletion)
                    {
                        closed = true;
                        stopping.Cancel();
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            using var lines = new EventLines(options.Format, options.Frames, new AnsiPalette(ColorDecision.ShouldColor(host.OutIsTerminal, host.Environment)), host.Time);
            var exit = await TailAsync(client, options, host.Out, lines, status, errorPalette, stopping.Token).ConfigureAwait(false);
            return closed ? ExitCodes.OutputClosed : exit;
        }
    }

    private static async Task<int> TailAsync(GatewayClient client, TailOptions options, TextWriter stdout, EventLines lines, StatusLine status, AnsiPalette palette, CancellationToken cancellationToken)
    {
        // Where a later run resumes: after the last event printed, or where this one was told to start.
        var resumeFrom = options.ResumeFrom;
        try
        {
            return await PrintEventsAsync(client, options, stdout, lines, status, palette, point => resumeFrom = point, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (resumeFrom is not null)
            {
                status.Line($"resume: {resumeFrom}");
            }
        }
    }

    private static async Task<int> PrintEventsAsync(GatewayClient client, TailOptions options, TextWriter stdout, EventLines lines, StatusLine status, AnsiPalette palette, Action<GatewayResumePoint> handled, CancellationToken cancellationToken)
    {
        long printed = 0;
        long lastSequence = 0;
        var clock = Stopwatch.StartNew();
        status.Track(() => string.Create(CultureInfo.InvariantCulture,
            $"{client.State} | {printed} events, {printed / Math.Max(clock.Elapsed.TotalSeconds, 0.001):0.0}/s | last #{lastSequence} | {client.Statistics.Reconnects} reconnects, {client.Statistics.Gaps} gaps"));
        // Set by the state handler too: a Ctrl+C right after "Connected" was printed may reach ConnectAsync before it
        // returns, and the tail did connect, so it still exits 0.
        var connected = false;
        // Registered for the client's lifetime: nothing to remove.
        client.OnStateChanged((e, _) =>
        {
            if (e.Current == ConnectionState.Connected)
            {
                Volatile.Write(ref connected, true);
            }

            status.Line(Describe(e, client, palette));
            return Task.CompletedTask;
        });
        client.OnGap((gap, _) =>
        {
            status.Line($"{palette.Gap()} {gap.Reason}, {(gap.MissingCount is { } n ? $"{n} events missing from #{gap.Expected}" : $"numbering reset (expected #{gap.Expected})")}");
            return Task.CompletedTask;
        });

        try
        {
            await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref connected, true);
            await foreach (var e in client.ReadEventsAsync(cancellationToken).ConfigureAwait(false))
            {
                if (e.Sequence is { } sequence)
                {
                    lastSequence = sequence;
                }

                await stdout.WriteLineAsync(lines.Format(e)).ConfigureAwait(false);
                await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (e.ResumePoint is { } point)
                {
                    // Printed: handled, as far as this tool goes.
                    handled(point);
                }

                if (++printed == options.MaxEvents)
                {
                    break;
                }
            }

            return ExitCodes.Ok;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C or SIGTERM: done, once the tail was running; before the first connection it never did its job.
            return Volatile.Read(ref connected) ? ExitCodes.Ok : ExitCodes.Interrupted;
        }
        catch (IOException)
        {
            // stdout's reader went away mid-write (EPIPE).
            return ExitCodes.OutputClosed;
        }
        catch (GatewayTlsException ex)
        {
            status.Line($"{palette.Error()} {TlsAdvice.For(ex, options.PinnedThumbprint)}");
            return ExitCodes.For(ex);
        }
        catch (Exception ex) when (ex is GatewayException or TimeoutException)
        {
            status.Line($"{palette.Error()} {ex.Message}");
            return ExitCodes.For(ex);
        }
    }

    private static string Describe(ConnectionStateChangedEventArgs e, GatewayClient client, AnsiPalette palette)
    {
        var text = $"{palette.State(e.Current)} {e.Previous} -> {e.Current}";
        if (e.Current == ConnectionState.Connected && client.Session is { } session)
        {
            text += $" (session {session.SessionId}, protocol {session.Protocol}{(session.Resumed ? ", resumed" : string.Empty)})";
        }

        if (e.RetryDelay is { } delay)
        {
            text += string.Create(CultureInfo.InvariantCulture, $", retrying in {delay.TotalSeconds:0.0} s");
        }

        // A terminal failure's cause is the "error:" line that follows (with this tool's advice), so it is not said twice.
        if (e.Cause is { } cause && e.Current != ConnectionState.Failed)
        {
            text += $": {cause.Message}";
        }

        return text;
    }
}
