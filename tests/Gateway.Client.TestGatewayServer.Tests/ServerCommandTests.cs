using Gateway.Client.Tail.Tests;
using Gateway.Client.Testing;
using Microsoft.Extensions.Time.Testing;
using TestGatewayServer;

namespace Gateway.Client.TestGatewayServer.Tests;

/// <summary>gateway-testgateway run in-process: a client connects to what it prints and reads what it publishes.</summary>
public class ServerCommandTests
{
    private static CancellationToken Deadline() => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    /// <summary>A server started in-process on port 0, on a fake clock for its publishing; stopped by <see cref="StopAsync"/>.</summary>
    private sealed class RunningServer(Task<int> run, LineSignallingWriter output, StringWriter error, CancellationTokenSource stop, FakeTimeProvider time, Uri url)
    {
        public LineSignallingWriter Output { get; } = output;

        public StringWriter Error { get; } = error;

        public FakeTimeProvider Time { get; } = time;

        public Uri Url { get; } = url;

        public static async Task<RunningServer> StartAsync(string[] args, Func<string, string?>? environment = null)
        {
            var output = new LineSignallingWriter();
            var error = new StringWriter();
            var stop = new CancellationTokenSource();
            var time = new FakeTimeProvider();
            var run = ServerCommand.RunAsync(["--port", "0", .. args], output, error, environment ?? (_ => null), time, handleTermination: false, stop.Token);
            await output.WaitForLineAsync(StandaloneGateway.ListeningPrefix, Deadline());
            var banner = output.ToString().Split('\n').First(line => line.StartsWith(StandaloneGateway.ListeningPrefix, StringComparison.Ordinal));
            var url = new Uri(banner[StandaloneGateway.ListeningPrefix.Length..].Split(' ')[0]);
            return new RunningServer(run, output, error, stop, time, url);
        }

        public async Task<int> StopAsync()
        {
            await stop.CancelAsync();
            var exit = await run.WaitAsync(Deadline());
            stop.Dispose();
            return exit;
        }
    }

    public static TheoryData<string, ProtocolDialect> Dialects => new()
    {
        { "praisonai", ProtocolDialect.PraisonAI },
        { "openclaw", ProtocolDialect.OpenClaw },
        { "praxis", ProtocolDialect.Praxis },
    };

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task A_client_connects_to_the_printed_url_and_reads_a_published_counter_event(string dialect, ProtocolDialect clientDialect)
    {
        var server = await RunningServer.StartAsync(["--dialect", dialect, "--publish-rate", "4", "--token", "secret"]);
        await using (var client = new GatewayClient(new GatewayClientOptions
        {
            Url = server.Url,
            Dialect = clientDialect,
            AgentId = "support",
            TokenProvider = _ => ValueTask.FromResult<string?>("secret"),
        }))
        {
            await client.ConnectAsync(Deadline());
            await server.Output.WaitForLineAsync("client 1 connected", Deadline());

            server.Time.Advance(TimeSpan.FromSeconds(0.25)); // one event at 4 a second
            var counter = await FirstEventAsync(client, CounterPublisher.EventType);

            Assert.Equal(1, counter.Data.GetProperty("n").GetInt64());
        }

        Assert.Equal(ExitCodes.Ok, await server.StopAsync());
        var output = server.Output.ToString();
        // The command it suggests takes the token from the variable or a file, never from the command line.
        var connect = Assert.Single(output.Split(Environment.NewLine), line => line.StartsWith("Connect with:", StringComparison.Ordinal));
        Assert.Contains($"gateway-tail {server.Url} --dialect {dialect}", connect, StringComparison.Ordinal);
        Assert.True(dialect == "praxis" || connect.Contains($"{ServerCommand.TokenVariable}=<the token>", StringComparison.Ordinal), connect);
        Assert.DoesNotContain("--token ", connect, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", output, StringComparison.Ordinal);
        Assert.EndsWith($"Stopped.{Environment.NewLine}", output, StringComparison.Ordinal);
        Assert.Empty(server.Error.ToString());
    }

    [Fact]
    public async Task The_token_comes_from_GATEWAY_TOKEN_when_not_given_and_the_printed_tail_command_needs_no_flag()
    {
        var server = await RunningServer.StartAsync(["--publish-rate", "0"], name => name == ServerCommand.TokenVariable ? "from-env" : null);
        await using (var refused = new GatewayClient(new GatewayClientOptions { Url = server.Url, AgentId = "support", Reconnect = { Enabled = false } }))
        {
            var error = await Assert.ThrowsAsync<GatewayHandshakeException>(() => refused.ConnectAsync(Deadline()));
            Assert.Equal(HandshakeRefusalKind.Credentials, error.Refusal);
        }

        await using (var client = new GatewayClient(new GatewayClientOptions { Url = server.Url, AgentId = "support", TokenProvider = _ => ValueTask.FromResult<string?>("from-env") }))
        {
            await client.ConnectAsync(Deadline());
        }

        Assert.Equal(ExitCodes.Ok, await server.StopAsync());
        var output = server.Output.ToString();
        Assert.Contains($"(from {ServerCommand.TokenVariable})", output, StringComparison.Ordinal);
        Assert.Contains($"Connect with: gateway-tail {server.Url} --dialect praisonai   (it reads {ServerCommand.TokenVariable} too)", output, StringComparison.Ordinal);
        Assert.Contains("events: none published; heartbeat: every 30 s", output, StringComparison.Ordinal);
        Assert.DoesNotContain("from-env", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--port 70000", "--port must be 0 (any free port) or a port from 1 to 65535.")]
    [InlineData("--port eighty", "--port: 'eighty' is not a number.")]
    [InlineData("--dialect signalr", "signalr")]
    [InlineData("--publish-rate -1", "--publish-rate must be 0 (none) or from 0.001 to 1000 events per second.")]
    [InlineData("--publish-rate 0.0000001", "--publish-rate must be 0 (none) or from 0.001 to 1000 events per second.")]
    [InlineData("--heartbeat -5", "--heartbeat must be 0 (none) or from 1 to 86400 seconds.")]
    [InlineData("--heartbeat 0.00000001", "--heartbeat must be 0 (none) or from 1 to 86400 seconds.")]
    [InlineData("--heartbeat 0.001", "--heartbeat must be 0 (none) or from 1 to 86400 seconds.")]
    [InlineData("--frobnicate", "--frobnicate")]
    [InlineData("--token|", "--token must not be empty")]
    public async Task A_wrong_command_line_exits_2_with_the_reason_and_starts_nothing(string args, string reason)
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await ServerCommand.RunAsync(args.Split(' ', '|'), output, error, _ => null, TimeProvider.System, handleTermination: false, Deadline());

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains(reason, error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Run gateway-testgateway --help for the options.", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(output.ToString());
    }

    [Fact]
    public async Task A_port_in_use_exits_3_naming_the_port()
    {
        await using var holder = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var error = new StringWriter();

        var exit = await ServerCommand.RunAsync(["--port", holder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)], new StringWriter(), error, _ => null, TimeProvider.System, handleTermination: false, Deadline());

        Assert.Equal(ExitCodes.PortUnavailable, exit);
        Assert.Contains($"127.0.0.1:{holder.Port}: the port is in use", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_every_option_with_its_default()
    {
        var output = new StringWriter();

        var exit = await ServerCommand.RunAsync(["--help"], output, new StringWriter(), _ => null, TimeProvider.System, handleTermination: false, Deadline());

        Assert.Equal(ExitCodes.Ok, exit);
        var help = output.ToString();
        Assert.Contains($"--port <port>", help, StringComparison.Ordinal);
        Assert.Contains($"[default: {ServerCommand.DefaultPort}]", help, StringComparison.Ordinal);
        Assert.Contains("--dialect <openclaw|praisonai|praxis>", help, StringComparison.Ordinal);
        Assert.Contains("--publish-rate <n>", help, StringComparison.Ordinal);
        Assert.Contains("--heartbeat <seconds>", help, StringComparison.Ordinal);
        Assert.Contains("--token <token>", help, StringComparison.Ordinal);
    }

    private static async Task<GatewayEvent> FirstEventAsync(GatewayClient client, string type)
    {
        await foreach (var e in client.ReadEventsAsync(Deadline()))
        {
            if (e.Type == type)
            {
                return e;
            }
        }

        throw new InvalidOperationException("The stream ended before the event came.");
    }
}
