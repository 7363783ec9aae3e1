using System.Globalization;
using System.Net.Sockets;
using Gateway.Client.Testing;

namespace TestGatewayServer;

/// <summary>One run of the server: start, say how to connect, publish, report clients, stop when asked.</summary>
internal static class StandaloneGateway
{
    /// <summary>How long a stop waits for the publisher and the client reports once the gateway is disposed.</summary>
    public static readonly TimeSpan DrainTimeout = ServerCommand.StopTimeout / 2;

    /// <summary>The banner's first line starts with this, then the URL.</summary>
    public const string ListeningPrefix = "TestGateway listening on ";

    /// <summary>Runs until <paramref name="stopping"/> is cancelled; returns an <see cref="ExitCodes"/> value.</summary>
    public static async Task<int> RunAsync(ServerSettings settings, TextWriter output, TextWriter error, TimeProvider timeProvider, CancellationToken stopping)
    {
        // Client reports and the banner come from different tasks.
        output = TextWriter.Synchronized(output);
        TestGateway gateway;
        try
        {
            gateway = await TestGateway.StartAsync(settings.ToOptions(timeProvider)).ConfigureAwait(false);
        }
        catch (TestGatewayPortInUseException ex)
        {
            await error.WriteLineAsync($"gateway-testgateway: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.PortUnavailable;
        }
        catch (SocketException ex)
        {
            await error.WriteLineAsync($"gateway-testgateway: cannot listen on 127.0.0.1:{settings.Port}: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.PortUnavailable;
        }

        var clients = new List<Task>();
        await using (gateway.ConfigureAwait(false))
        {
            foreach (var line in Banner(settings, gateway))
            {
                await output.WriteLineAsync(line).ConfigureAwait(false);
            }

            var watching = WatchClientsAsync(gateway, output, clients, stopping);
            var publishing = CounterPublisher.RunAsync(gateway, settings.PublishRate, timeProvider, stopping);
            try
            {
                await Task.Delay(Timeout.Infinite, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C, SIGTERM, or the caller's token.
            }

            await output.WriteLineAsync("Stopping.").ConfigureAwait(false);
            await watching.ConfigureAwait(false);

            // Disposing the gateway first ends every connection, and with it a publish stuck on a client that stopped
            // reading (its socket's send buffer full): the publisher is only waited for after that, and not for ever.
            await gateway.DisposeAsync().ConfigureAwait(false);
            if (!await EndsWithinAsync(Task.WhenAll([publishing, .. clients]), timeProvider).ConfigureAwait(false))
            {
                await error.WriteLineAsync($"gateway-testgateway: the publisher or a client report did not end within {Number(DrainTimeout.TotalSeconds)} s of the stop; leaving it.").ConfigureAwait(false);
            }
        }

        await output.WriteLineAsync("Stopped.").ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    /// <summary>What the server says on start: where it is, what it needs, and the gateway-tail command that connects.</summary>
    internal static IEnumerable<string> Banner(ServerSettings settings, TestGateway gateway)
    {
        yield return $"{ListeningPrefix}{gateway.Url} ({settings.Dialect})";
        var source = settings.TokenFromEnvironment ? $"from {ServerCommand.TokenVariable}" : "from --token";
        yield return (settings.Token, gateway.Options.Dialect) switch
        {
            (_, TestGatewayDialect.Praxis) => "  token: none (the Praxis agent API has no authentication)",
            (null, _) => "  token: none, any client may connect",
            (_, TestGatewayDialect.OpenClaw) => $"  token: required, as connect's auth.token ({source})",
            _ => $"  token: required, as the URL's token query parameter, ?token=... ({source})",
        };
        var events = settings.PublishRate > 0 ? $"{Number(settings.PublishRate)} {CounterPublisher.EventType} event(s) a second to every client" : "none published";
        var heartbeat = settings.Heartbeat is { } interval ? $"every {Number(interval.TotalSeconds)} s" : "off";
        yield return $"  events: {events}; heartbeat: {heartbeat}";
        var tail = $"gateway-tail {gateway.Url} --dialect {settings.Dialect}";
        yield return settings.Token is null || gateway.Options.Dialect == TestGatewayDialect.Praxis ? $"Connect with: {tail}"
            : settings.TokenFromEnvironment ? $"Connect with: {tail}   (it reads {ServerCommand.TokenVariable} too)"
            : $"Connect with: {ServerCommand.TokenVariable}=<the token> {tail}   (or --token-file <a file holding it>)";
        yield return "Ctrl+C stops it.";
    }

    /// <summary>Reports each client as its handshake is answered and as it leaves.</summary>
    private static async Task WatchClientsAsync(TestGateway gateway, TextWriter output, List<Task> clients, CancellationToken stopping)
    {
        try
        {
            for (var ordinal = 1; ; ordinal++)
            {
                var connection = await gateway.WaitForHandshakeAsync(ordinal, stopping).ConfigureAwait(false);
                var who = $"client {ordinal.ToString(CultureInfo.InvariantCulture)}";
                await output.WriteLineAsync(connection.Session is { } session ? $"{who} connected (session {session.Id})" : $"{who} connected").ConfigureAwait(false);
                clients.Add(ReportLeavingAsync(connection, who, output));
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private static async Task ReportLeavingAsync(TestConnection connection, string who, TextWriter output)
    {
        await connection.Closed.ConfigureAwait(false);
        await output.WriteLineAsync($"{who} left").ConfigureAwait(false);
    }

    /// <summary>Whether <paramref name="work"/> ended (however) within <see cref="DrainTimeout"/>, well inside the stop's own bound.</summary>
    private static async Task<bool> EndsWithinAsync(Task work, TimeProvider timeProvider)
    {
        try
        {
            await work.WaitAsync(DrainTimeout, timeProvider).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (Exception)
        {
            // A publish cut short by the gateway's disposal: it ended, which is all the stop waits for.
            return true;
        }
    }

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
