using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Gateway.Client;

namespace GatewayTail;

/// <summary>gateway-tail itself, with its streams passed in so tests run it in-process.</summary>
internal static class TailCommand
{
    /// <summary>Runs the tail; <paramref name="outputClosed"/> completes when stdout's reader went away (the tail then exits <see cref="ExitCodes.OutputClosed"/>).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, bool stderrIsTerminal, Func<string, string?> environment, CancellationToken cancellationToken, Task? outputClosed = null)
    {
        TailOptions options;
        try
        {
            options = TailOptions.Parse(args, environment);
        }
        catch (UsageException ex)
        {
            await stderr.WriteLineAsync($"gateway-tail: {ex.Message}\nRun 'gateway-tail --help' for the options.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        if (options.Help)
        {
            await stdout.WriteLineAsync(TailOptions.Usage).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        if (options.Version)
        {
            var version = typeof(TailCommand).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
                .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "unknown";
            await stdout.WriteLineAsync($"gateway-tail {version}").ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        GatewayClient client;
        try
        {
            client = new GatewayClient(ClientOptions(options));
        }
        catch (ArgumentException ex)
        {
            await stderr.WriteLineAsync($"gateway-tail: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        await using (client.ConfigureAwait(false))
        {
            using var status = new StatusLine(stderr, stderrIsTerminal && !options.NoStatus);
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
            var exit = await TailAsync(client, options, stdout, status, stopping.Token).ConfigureAwait(false);
            return closed ? ExitCodes.OutputClosed : exit;
        }
    }

    private static async Task<int> TailAsync(GatewayClient client, TailOptions options, TextWriter stdout, StatusLine status, CancellationToken cancellationToken)
    {
        // Where a later run resumes: after the last event printed, or where this one was told to start.
        var resumeFrom = options.ResumeFrom;
        try
        {
            return await PrintEventsAsync(client, options, stdout, status, point => resumeFrom = point, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (resumeFrom is not null)
            {
                status.Line($"resume: {resumeFrom}");
            }
        }
    }

    private static async Task<int> PrintEventsAsync(GatewayClient client, TailOptions options, TextWriter stdout, StatusLine status, Action<GatewayResumePoint> handled, CancellationToken cancellationToken)
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

            status.Line(Describe(e, client));
            return Task.CompletedTask;
        });
        client.OnGap((gap, _) =>
        {
            status.Line($"gap: {gap.Reason}, {(gap.MissingCount is { } n ? $"{n} events missing from #{gap.Expected}" : $"numbering reset (expected #{gap.Expected})")}");
            return Task.CompletedTask;
        });

        try
        {
            await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref connected, true);
            var line = new System.Buffers.ArrayBufferWriter<byte>(4096);
            // Non-ASCII text is written as UTF-8, not \uXXXX escapes; the lines stay valid JSON (quotes and controls are escaped).
            using var json = new Utf8JsonWriter(line, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            await foreach (var e in client.ReadEventsAsync(cancellationToken).ConfigureAwait(false))
            {
                line.Clear();
                json.Reset();
                json.WriteStartObject();
                if (e.Sequence is { } sequence)
                {
                    json.WriteNumber("seq", sequence);
                    lastSequence = sequence;
                }
                else
                {
                    json.WriteNull("seq");
                }

                json.WriteString("type", e.Type);
                json.WriteBoolean("replay", e.IsReplay);
                json.WritePropertyName("data");
                e.Data.WriteTo(json);
                if (options.Frames)
                {
                    json.WritePropertyName("frame");
                    e.Frame.WriteTo(json);
                }

                json.WriteEndObject();
                json.Flush();
                await stdout.WriteLineAsync(System.Text.Encoding.UTF8.GetString(line.WrittenSpan)).ConfigureAwait(false);
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
            status.Line($"error: {TlsAdvice.For(ex, options.PinnedThumbprint)}");
            return ExitCodes.For(ex);
        }
        catch (Exception ex) when (ex is GatewayException or TimeoutException)
        {
            status.Line($"error: {ex.Message}");
            return ExitCodes.For(ex);
        }
    }

    private static GatewayClientOptions ClientOptions(TailOptions options)
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
        if (options.PinnedThumbprint is { } pinned)
        {
            clientOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && string.Equals(certificate.GetCertHashString(), pinned, StringComparison.OrdinalIgnoreCase);
        }

        return clientOptions;
    }

    private static string Describe(ConnectionStateChangedEventArgs e, GatewayClient client)
    {
        var text = $"state: {e.Previous} -> {e.Current}";
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
