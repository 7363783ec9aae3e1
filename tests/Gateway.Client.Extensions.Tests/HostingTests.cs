using Gateway.Client.Extensions.DependencyInjection;
using Gateway.Client.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Gateway.Client.OpenClaw;
using Gateway.Client.Praxis;

namespace Gateway.Client.Extensions.Tests;

/// <summary>AddGatewayClient in a Generic Host: configuration, validation, names, container services, hosted connection.</summary>
public class HostingTests
{
    private static CancellationToken Deadline() => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    private static HostApplicationBuilder Builder(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        return builder;
    }

    /// <summary>A value for every option configuration can set (ConfigurationBindingTests checks that none is missing).</summary>
    internal static readonly Dictionary<string, string?> EveryOption = new()
    {
        ["Gateway:Url"] = "wss://gateway.example/ws",
        ["Gateway:Name"] = "orders",
        ["Gateway:AgentId"] = "support",
        ["Gateway:Token"] = "t0k",
        ["Gateway:TokenPlacement"] = "AuthorizationHeader",
        ["Gateway:Dialect"] = "praisonai",
        ["Gateway:AnnouncedCapabilities:0"] = "streaming",
        ["Gateway:AnnouncedCapabilities:1"] = "tools",
        ["Gateway:MinProtocol"] = "2",
        ["Gateway:MaxProtocol"] = "2",
        ["Gateway:AllowLegacyHandshake"] = "false",
        ["Gateway:HandshakeTimeout"] = "00:00:05",
        ["Gateway:EventBufferCapacity"] = "64",
        ["Gateway:MaxReceiveMessageBytes"] = "65536",
        ["Gateway:Backpressure"] = "DropOldest",
        ["Gateway:HeartbeatInterval"] = "00:00:15",
        ["Gateway:SendTimeout"] = "00:00:07",
        ["Gateway:RequestTimeout"] = "00:00:08",
        ["Gateway:CloseTimeout"] = "00:00:02",
        ["Gateway:ResumeFrom"] = new GatewayResumePoint("sess-1", "epoch-3", 41).ToString(),
        ["Gateway:Reconnect:Enabled"] = "false",
        ["Gateway:Reconnect:InitialDelay"] = "00:00:00.500",
        ["Gateway:Reconnect:MaxDelay"] = "00:01:00",
        ["Gateway:Reconnect:Multiplier"] = "3",
        ["Gateway:Reconnect:Jitter"] = "0.1",
        ["Gateway:Reconnect:MaxAttempts"] = "9",
        ["Gateway:Reconnect:RetryInitialConnect"] = "true",
        ["Gateway:Reconnect:HealthyConnectionTime"] = "00:00:12",
        ["Gateway:Reconnect:MaxResumesWithoutProgress"] = "4",
        ["Gateway:OpenClaw:ClientId"] = "cli",
        ["Gateway:OpenClaw:ClientMode"] = "ui",
        ["Gateway:OpenClaw:ClientVersion"] = "9.8.7",
        ["Gateway:OpenClaw:Platform"] = "linux",
        ["Gateway:OpenClaw:Role"] = "node",
        ["Gateway:OpenClaw:Scopes"] = "operator.read, operator.admin",
        ["Gateway:OpenClaw:MinProtocol"] = "3",
        ["Gateway:OpenClaw:MaxProtocol"] = "3",
        ["Gateway:Praxis:EventTypes:0"] = "task.started",
    };

    [Fact]
    public async Task Every_option_is_read_from_configuration()
    {
        var builder = Builder(EveryOption);
        builder.Services.AddGatewayClient(builder.Configuration.GetSection("Gateway"));
        using var host = builder.Build();

        var o = host.Services.GetRequiredService<IOptionsMonitor<GatewayClientOptions>>().Get(Options.DefaultName);

        Assert.Equal(new Uri("wss://gateway.example/ws"), o.Url);
        Assert.Equal(("orders", "support", ProtocolDialect.PraisonAI), (o.Name, o.AgentId, o.Dialect));
        Assert.Equal("t0k", await o.TokenProvider!(CancellationToken.None));
        Assert.Equal(TokenPlacement.AuthorizationHeader, o.TokenPlacement);
        Assert.Equal(new[] { "streaming", "tools" }, o.AnnouncedCapabilities);
        Assert.Equal((2, 2), (o.MinProtocol, o.MaxProtocol));
        Assert.False(o.AllowLegacyHandshake);
        Assert.Equal(TimeSpan.FromSeconds(5), o.HandshakeTimeout);
        Assert.Equal(64, o.EventBufferCapacity);
        Assert.Equal(65536, o.MaxReceiveMessageBytes);
        Assert.Equal(BackpressureMode.DropOldest, o.Backpressure);
        Assert.Equal(TimeSpan.FromSeconds(15), o.HeartbeatInterval);
        Assert.Equal((TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(2)), (o.SendTimeout, o.RequestTimeout, o.CloseTimeout));
        Assert.Equal(new GatewayResumePoint("sess-1", "epoch-3", 41), o.ResumeFrom);
        Assert.Equal((false, TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(1), 3.0, 0.1, 9), (o.Reconnect.Enabled, o.Reconnect.InitialDelay, o.Reconnect.MaxDelay, o.Reconnect.Multiplier, o.Reconnect.Jitter, o.Reconnect.MaxAttempts));
        Assert.Equal((true, TimeSpan.FromSeconds(12), 4), (o.Reconnect.RetryInitialConnect, o.Reconnect.HealthyConnectionTime, o.Reconnect.MaxResumesWithoutProgress));
        var openClaw = o.GetDialectOptions<OpenClawOptions>();
        Assert.Equal(("cli", "ui", "9.8.7", "linux", "node", 3, 3), (openClaw.ClientId, openClaw.ClientMode, openClaw.ClientVersion, openClaw.Platform, openClaw.Role, openClaw.MinProtocol, openClaw.MaxProtocol));
        Assert.Equal(new[] { "operator.read", "operator.admin" }, openClaw.Scopes);
        Assert.Equal(new[] { "task.started" }, o.GetDialectOptions<PraxisOptions>().EventTypes);
    }

    [Fact]
    public async Task Invalid_options_stop_the_host_at_start_up_naming_the_option()
    {
        var builder = Builder(new() { ["Gateway:Url"] = "http://not-a-websocket/", ["Gateway:AgentId"] = "support" });
        builder.Services.AddGatewayClient("orders", builder.Configuration.GetSection("Gateway"));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Deadline()));

        Assert.Contains("Gateway client 'orders': GatewayClientOptions.Url must be an absolute ws:// or wss:// URI", error.Message);
    }

    [Fact]
    public void The_praxis_dialect_and_its_subscriptions_bind_from_configuration()
    {
        var builder = Builder(new()
        {
            ["Gateway:Url"] = "ws://127.0.0.1:8000/ws/events",
            ["Gateway:Dialect"] = "Praxis",
            ["Gateway:Praxis:EventTypes:0"] = "task.started",
            ["Gateway:Praxis:EventTypes:1"] = "task.failed",
        });
        builder.Services.AddGatewayClient(builder.Configuration.GetSection("Gateway"));
        using var host = builder.Build();

        var o = host.Services.GetRequiredService<IOptionsMonitor<GatewayClientOptions>>().Get(Options.DefaultName);

        Assert.Equal(ProtocolDialect.Praxis, o.Dialect);
        Assert.Equal(new[] { "task.started", "task.failed" }, o.GetDialectOptions<PraxisOptions>().EventTypes);
        o.Validate(); // no agent id needed
    }

    [Fact]
    public void A_dialect_setting_that_does_not_parse_names_its_full_key()
    {
        var builder = Builder(new() { ["Gateway:Url"] = "ws://127.0.0.1:1/ws", ["Gateway:OpenClaw:MinProtocol"] = "four" });
        builder.Services.AddGatewayClient(builder.Configuration.GetSection("Gateway"));
        using var host = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<IOptionsMonitor<GatewayClientOptions>>().Get(Options.DefaultName));

        Assert.Equal("Failed to convert configuration value at 'Gateway:OpenClaw:MinProtocol' to type 'System.Int32'.", error.Message);
    }

    [Theory]
    [InlineData("Gateway:ResumeFrom:SessionId", "s1", "'Gateway:ResumeFrom' must be one value, not a section")]
    [InlineData("Gateway:Token:Value", "t", "'Gateway:Token' must be one value, not a section")]
    [InlineData("Gateway:Dialect:Name", "openclaw", "'Gateway:Dialect' must be one value, not a section")]
    [InlineData("Gateway:Reconnect", "true", "'Gateway:Reconnect' = 'true' must be a section of settings")]
    [InlineData("Gateway:OpenClaw", "on", "'Gateway:OpenClaw' = 'on' must be a section of settings")]
    public void A_key_in_the_wrong_shape_is_an_error_naming_it_not_silently_ignored(string key, string value, string expected)
    {
        var builder = Builder(new() { ["Gateway:Url"] = "ws://127.0.0.1:1/ws", ["Gateway:AgentId"] = "a", [key] = value });
        builder.Services.AddGatewayClient(builder.Configuration.GetSection("Gateway"));
        using var host = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<IOptionsMonitor<GatewayClientOptions>>().Get(Options.DefaultName));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_resume_point_that_does_not_parse_names_its_full_key_and_the_problem()
    {
        var builder = Builder(new() { ["Gateway:Url"] = "ws://127.0.0.1:1/ws", ["Gateway:AgentId"] = "a", ["Gateway:ResumeFrom"] = "sess-1:41" });
        builder.Services.AddGatewayClient(builder.Configuration.GetSection("Gateway"));
        using var host = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<IOptionsMonitor<GatewayClientOptions>>().Get(Options.DefaultName));

        Assert.StartsWith("Configuration value 'Gateway:ResumeFrom' = 'sess-1:41' is not valid: ", error.Message);
        Assert.Contains("must start with 'gr1.'", error.Message);
    }

    [Fact]
    public void A_value_that_does_not_parse_names_its_full_key_and_hides_a_token()
    {
        var builder = Builder(new() { ["Gateway:Url"] = "ws://127.0.0.1:1/ws", ["Gateway:AgentId"] = "a", ["Gateway:Token"] = "s3cret-t0ken", ["Gateway:Reconnect:MaxDelay"] = "soon" });
        builder.Services.AddGatewayClient(builder.Configuration.GetSection("Gateway"));
        using var host = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<IOptionsMonitor<GatewayClientOptions>>().Get(Options.DefaultName));

        Assert.Equal("Failed to convert configuration value at 'Gateway:Reconnect:MaxDelay' to type 'System.TimeSpan'.", error.Message);
        Assert.DoesNotContain("s3cret-t0ken", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Named_clients_talk_to_their_own_gateways_and_carry_their_names()
    {
        await using var orders = await TestGateway.StartAsync();
        await using var billing = await TestGateway.StartAsync();
        var builder = Builder(new()
        {
            ["Gateways:Orders:Url"] = orders.Url.ToString(),
            ["Gateways:Orders:AgentId"] = "orders-agent",
            ["Gateways:Billing:Url"] = billing.Url.ToString(),
            ["Gateways:Billing:AgentId"] = "billing-agent",
        });
        builder.Services.AddGatewayClient("orders", builder.Configuration.GetSection("Gateways:Orders"));
        builder.Services.AddGatewayClient("billing", builder.Configuration.GetSection("Gateways:Billing"));
        await using var provider = builder.Services.BuildServiceProvider();

        var ordersClient = provider.GetRequiredKeyedService<GatewayClient>("orders");
        var billingClient = provider.GetRequiredService<IGatewayClientFactory>().GetClient("billing");
        await ordersClient.ConnectAsync(Deadline());
        await billingClient.ConnectAsync(Deadline());

        Assert.NotSame(ordersClient, billingClient);
        Assert.Same(ordersClient, provider.GetRequiredService<IGatewayClientFactory>().GetClient("orders"));
        Assert.Same(ordersClient, provider.GetRequiredKeyedService<IGatewayClient>("orders")); // app code takes the interface
        Assert.Equal("orders-agent", (await orders.WaitForHandshakeAsync(1, Deadline())).ReceivedFrames[0].GetProperty("agent_id").GetString());
        Assert.Equal("billing-agent", (await billing.WaitForHandshakeAsync(1, Deadline())).ReceivedFrames[0].GetProperty("agent_id").GetString());
        Assert.Contains("Name = orders", ordersClient.ToString() + provider.GetRequiredService<IOptionsMonitor<GatewayClientOptions>>().Get("orders"));
        var unknown = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IGatewayClientFactory>().GetClient("shipping"));
        Assert.Contains("'orders'", unknown.Message);
    }

    [Fact]
    public async Task A_container_disposed_synchronously_disposes_its_clients_and_closes_their_connections()
    {
        await using var gateway = await TestGateway.StartAsync();
        var services = new ServiceCollection();
        services.AddGatewayClient(o =>
        {
            o.Url = gateway.Url;
            o.AgentId = "support";
        });
        var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<GatewayClient>();
        Assert.Same(client, provider.GetRequiredService<IGatewayClient>());
        await client.ConnectAsync(Deadline());

        provider.Dispose(); // a sync Dispose used to throw for an IAsyncDisposable-only singleton

        var connection = await gateway.WaitForHandshakeAsync(1, Deadline());
        await connection.Closed.WaitAsync(Deadline());
        Assert.Equal(ConnectionState.Disconnected, client.State);
        Assert.Throws<ObjectDisposedException>(() => client.ReadEventsAsync());
    }

    [Fact]
    public async Task The_containers_logger_factory_and_clock_are_used()
    {
        await using var gateway = await TestGateway.StartAsync();
        var logs = new CapturingLoggerProvider();
        var clock = new ObservableFakeTimeProvider();
        var builder = Builder(new() { ["Gateway:Url"] = gateway.Url.ToString(), ["Gateway:AgentId"] = "support", ["Gateway:HeartbeatInterval"] = "00:00:07" });
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddGatewayClient(builder.Configuration.GetSection("Gateway"));
        await using var provider = builder.Services.BuildServiceProvider();
        var client = provider.GetRequiredService<GatewayClient>();

        await client.ConnectAsync(Deadline());

        // The liveness timer (every 7 s) runs on the container's fake clock: it appears there, and a ping
        // goes out only when that clock moves.
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(7), Deadline());
        var connection = await gateway.WaitForHandshakeAsync(1, Deadline());
        clock.Advance(TimeSpan.FromSeconds(7));
        await connection.WaitForFrameAsync("ping", Deadline());
        Assert.Contains(logs.Entries, e => e.Message.Contains("Connected", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Handlers_registered_in_ConfigureClient_run_before_the_apps_in_registration_order()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var builder = Builder(new() { ["Gateway:Url"] = gateway.Url.ToString(), ["Gateway:AgentId"] = "support" });
        var heard = new List<string>();
        Func<ConnectionStateChangedEventArgs, CancellationToken, Task> Record(string who) => (e, _) =>
        {
            heard.Add($"{who} {e.Current}");
            return Task.CompletedTask;
        };

        builder.Services.AddGatewayClient(builder.Configuration.GetSection("Gateway"))
            .ConfigureClient((_, client) => client.OnStateChanged(Record("library")))
            .ConfigureClient((_, client) => client.OnStateChanged(Record("set-up")));
        await using var provider = builder.Services.BuildServiceProvider();
        var client = provider.GetRequiredService<GatewayClient>();
        using var app = client.OnStateChanged(Record("app"));

        await client.ConnectAsync(Deadline());

        Assert.Equal(
            new[] { "library Connecting", "set-up Connecting", "app Connecting", "library Connected", "set-up Connected", "app Connected" },
            heard);
    }

    [Fact]
    public async Task The_clients_meter_comes_from_the_containers_meter_factory()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var builder = Builder(new() { ["Gateway:Url"] = gateway.Url.ToString(), ["Gateway:AgentId"] = "support" });
        builder.Services.AddGatewayClient(builder.Configuration.GetSection("Gateway"));
        await using var provider = builder.Services.BuildServiceProvider();
        var meterFactory = provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();

        // Only instruments on a meter the container's factory made; the process-wide meter is not listened to.
        var attempts = new TaskCompletionSource<System.Diagnostics.Metrics.Meter>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == GatewayClientTelemetry.MeterName && ReferenceEquals(instrument.Meter.Scope, meterFactory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, _, _) =>
        {
            if (instrument.Name == "gateway.client.connect.attempts")
            {
                attempts.TrySetResult(instrument.Meter);
            }
        });
        listener.Start();

        var client = provider.GetRequiredService<GatewayClient>();
        await client.ConnectAsync(Deadline());

        var meter = await attempts.Task.WaitAsync(Deadline());
        Assert.Equal(GatewayClientTelemetry.MeterName, meter.Name);
    }

    [Fact]
    public async Task The_hosted_connection_connects_on_start_and_leaves_gracefully_on_stop()
    {
        await using var gateway = await TestGateway.StartAsync();
        var builder = Builder(new() { ["Gateway:Url"] = gateway.Url.ToString(), ["Gateway:AgentId"] = "support" });
        builder.Services.AddGatewayClient(builder.Configuration.GetSection("Gateway"))
            .AddHostedConnection(o => o.WaitForConnection = true);
        using var host = builder.Build();

        await host.StartAsync(Deadline());
        var client = host.Services.GetRequiredService<GatewayClient>();
        Assert.Equal(ConnectionState.Connected, client.State);

        await host.StopAsync(Deadline());
        var connection = await gateway.WaitForHandshakeAsync(1, Deadline());
        await connection.WaitForFrameAsync("leave", Deadline());
        await connection.Closed.WaitAsync(Deadline());
        Assert.Equal(ConnectionState.Disconnected, client.State);
        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, connection.ClientCloseStatus);
    }

    [Fact]
    public async Task The_hosted_connection_waits_for_a_gateway_that_is_not_up_yet()
    {
        // A service that starts before its gateway: the first connect retries (RetryInitialConnect), where
        // a plain ConnectAsync would fail at once.
        await using var gateway = await TestGateway.StartAsync();
        gateway.RefuseUpgrades(503);
        var clock = new ObservableFakeTimeProvider();
        var logs = new CapturingLoggerProvider();
        var builder = Builder(new() { ["Gateway:Url"] = gateway.Url.ToString(), ["Gateway:AgentId"] = "support", ["Gateway:Reconnect:Jitter"] = "0" });
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Logging.AddProvider(logs);
        var clientBuilder = builder.Services.AddGatewayClient(builder.Configuration.GetSection("Gateway")).AddHostedConnection();
        var heard = new List<string>();
        clientBuilder.ConfigureClient((_, client) => client.OnStateChanged((e, _) =>
        {
            lock (heard)
            {
                heard.Add($"{e.Previous}->{e.Current}");
            }

            return Task.CompletedTask;
        }));
        var connected = SignalWhen(clientBuilder, ConnectionState.Connected);
        using var host = builder.Build();

        await host.StartAsync(Deadline());
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(1), Deadline()); // the refused first attempt's retry, pending
        gateway.AcceptUpgrades();
        clock.Advance(TimeSpan.FromSeconds(1));
        await connected.WaitAsync(Deadline());
        await host.StopAsync(Deadline());

        // The second attempt is no change of state (the app hears Connecting once); the log tells of it, and why.
        lock (heard)
        {
            Assert.Equal(new[] { "Disconnected->Connecting", "Connecting->Connected", "Connected->Disconnected" }, heard);
        }

        var retry = Assert.Single(logs.Entries, e => e.EventId == 19);
        Assert.Contains("Attempt=2", retry.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 503", retry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task By_default_the_host_starts_at_once_and_the_client_connects_in_the_background()
    {
        // The gateway holds its handshake answer until its own (fake) clock moves.
        var gatewayClock = new ObservableFakeTimeProvider();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { TimeProvider = gatewayClock });
        gateway.DelayNextHandshake(TimeSpan.FromMinutes(1));
        var builder = Builder(new() { ["Gateway:Url"] = gateway.Url.ToString(), ["Gateway:AgentId"] = "support" });
        var connected = SignalWhen(builder.Services.AddGatewayClient(builder.Configuration.GetSection("Gateway")).AddHostedConnection(), ConnectionState.Connected);
        using var host = builder.Build();

        await host.StartAsync(Deadline());
        Assert.Equal(ConnectionState.Connecting, host.Services.GetRequiredService<GatewayClient>().State); // started without waiting
        await gatewayClock.WaitForTimerAsync(TimeSpan.FromMinutes(1), Deadline());
        gatewayClock.Advance(TimeSpan.FromMinutes(1));
        await connected.WaitAsync(Deadline());
        await host.StopAsync(Deadline());

        Assert.Equal(ConnectionState.Disconnected, host.Services.GetRequiredService<GatewayClient>().State);
    }

    [Fact]
    public async Task A_terminal_failure_in_the_background_is_logged_and_does_not_stop_the_host()
    {
        const string wrongToken = "wrong-token-7c1e";
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Token = "right" });
        var logs = new CapturingLoggerProvider();
        var builder = Builder(new() { ["Gateway:Url"] = gateway.Url.ToString(), ["Gateway:AgentId"] = "support", ["Gateway:Token"] = wrongToken });
        builder.Logging.AddProvider(logs);
        var failed = SignalWhen(builder.Services.AddGatewayClient(builder.Configuration.GetSection("Gateway")).AddHostedConnection(), ConnectionState.Failed);
        using var host = builder.Build();

        await host.StartAsync(Deadline());
        await failed.WaitAsync(Deadline());
        await host.StopAsync(Deadline());

        Assert.Contains(logs.Entries, e => e.EventId == 101 && e.Exception is GatewayHandshakeException);
        Assert.DoesNotContain(wrongToken, logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reader_registered_before_the_hosted_connection_reads_the_stream()
    {
        // The app's service is started first (registered first), so it reads before the hosted connection's StartAsync;
        // reading needs ConnectAsync called, and the hosted connection calls it in StartingAsync, before every StartAsync.
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var builder = Builder(new() { ["Gateway:Url"] = gateway.Url.ToString(), ["Gateway:AgentId"] = "support" });
        var firstEvent = new TaskCompletionSource<GatewayEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        builder.Services.AddHostedService(sp => new FirstEventReader(sp.GetRequiredService<GatewayClient>(), firstEvent));
        builder.Services.AddGatewayClient(builder.Configuration.GetSection("Gateway")).AddHostedConnection();
        using var host = builder.Build();

        await host.StartAsync(Deadline());
        var connection = await gateway.WaitForHandshakeAsync(1, Deadline());
        await connection.SendTextAsync("""{"type":"message","seq":1}""");
        var received = await firstEvent.Task.WaitAsync(Deadline());
        await host.StopAsync(Deadline());

        Assert.Equal(1, received.Sequence);
    }

    /// <summary>An app's service that starts reading in its StartAsync (the first event, or the error that ended its read).</summary>
    private sealed class FirstEventReader(GatewayClient client, TaskCompletionSource<GatewayEvent> first) : IHostedService
    {
        private readonly CancellationTokenSource _stopping = new();
        private Task _reading = Task.CompletedTask;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            try
            {
                var events = client.ReadEventsAsync(_stopping.Token); // here, not on another thread: no race with the connection
                _reading = ReadFirstAsync(events);
            }
            catch (Exception ex)
            {
                first.TrySetException(ex);
            }

            return Task.CompletedTask;
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            _stopping.Cancel();
            await _reading;
            _stopping.Dispose();
        }

        private async Task ReadFirstAsync(IAsyncEnumerable<GatewayEvent> events)
        {
            try
            {
                await foreach (var e in events)
                {
                    first.TrySetResult(e);
                    return;
                }
            }
            catch (Exception ex)
            {
                first.TrySetException(ex);
            }
        }
    }

    /// <summary>Hooks the registered client's state changes: completes when it enters <paramref name="state"/>.</summary>
    private static Task SignalWhen(IGatewayClientBuilder builder, ConnectionState state)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        builder.ConfigureClient((_, client) => client.OnStateChanged((e, _) =>
        {
            if (e.Current == state)
            {
                reached.TrySetResult();
            }

            return Task.CompletedTask;
        }));
        return reached.Task;
    }
}
