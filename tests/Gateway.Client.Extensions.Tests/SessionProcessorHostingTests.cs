using System.Text.Json.Nodes;
using Gateway.Client.Extensions.DependencyInjection;
using Gateway.Client.Sessions;
using Gateway.Client.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Client.Extensions.Tests;

/// <summary>AddGatewaySessionProcessor in a Generic Host: options from configuration, start-up checks, hosted start and stop.</summary>
public class SessionProcessorHostingTests
{
    private static CancellationToken Deadline() => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    private static HostApplicationBuilder Builder(Dictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings ?? new());
        return builder;
    }

    [Fact]
    public void Every_processor_setting_is_read_from_configuration_and_the_clock_is_the_containers()
    {
        var clock = new ObservableFakeTimeProvider();
        var builder = Builder(new()
        {
            ["Processor:OwnerId"] = "worker-7",
            ["Processor:LeaseDuration"] = "00:01:00",
            ["Processor:RenewInterval"] = "00:00:20",
            ["Processor:BalanceInterval"] = "00:00:05",
            ["Processor:CheckpointEvery"] = "50",
            ["Processor:ClaimsPerCycle"] = "4",
            ["Processor:CheckpointInterval"] = "00:00:02",
            ["Processor:ClosingTimeout"] = "00:00:09",
        });
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddGatewaySessionProcessor(builder.Configuration.GetSection("Processor"));
        using var host = builder.Build();

        var o = host.Services.GetRequiredService<IOptions<GatewaySessionProcessorOptions>>().Value;

        Assert.Equal("worker-7", o.OwnerId);
        Assert.Equal((TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(5)), (o.LeaseDuration, o.RenewInterval, o.BalanceInterval));
        Assert.Equal((50, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(9)), (o.CheckpointEvery, o.CheckpointInterval, o.ClosingTimeout));
        Assert.Equal(4, o.ClaimsPerCycle);
        Assert.Same(clock, o.TimeProvider);
    }

    [Fact]
    public void Every_processor_option_but_the_clock_has_a_configuration_key()
    {
        var options = typeof(GatewaySessionProcessorOptions).GetProperties().Where(p => p.CanWrite).Select(p => p.Name);
        var keys = typeof(GatewaySessionProcessorSettings).GetProperties().Select(p => p.Name);

        Assert.Equal(options.Where(name => name != nameof(GatewaySessionProcessorOptions.TimeProvider)).Order(), keys.Order());
    }

    [Fact]
    public void Absent_settings_keep_their_defaults_and_code_adjusts_them_after_configuration()
    {
        var builder = Builder(new() { ["Processor:CheckpointEvery"] = "10" });
        builder.Services.AddGatewaySessionProcessor(builder.Configuration.GetSection("Processor"))
            .Configure(o => o.CheckpointEvery *= 2);
        using var host = builder.Build();

        var o = host.Services.GetRequiredService<IOptions<GatewaySessionProcessorOptions>>().Value;

        Assert.Equal(20, o.CheckpointEvery);
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10), null), (o.LeaseDuration, o.RenewInterval, o.CheckpointInterval));
        Assert.Same(TimeProvider.System, o.TimeProvider);
    }

    [Theory]
    [InlineData("Processor:LeaseDurration", "00:01:00", "Configuration section 'Processor' has a key that is not an option (misspelled?)")]
    [InlineData("Processor:LeaseDuration", "00:00:00", "Configuration value 'Processor:LeaseDuration' = '00:00:00' is not valid: The value must be positive.")]
    [InlineData("Processor:CheckpointEvery", "0", "Configuration value 'Processor:CheckpointEvery' = '0' is not valid: At least 1.")]
    [InlineData("Processor:OwnerId", " ", "Configuration value 'Processor:OwnerId' = ' ' is not valid")]
    [InlineData("Processor:BalanceInterval", "soon", "Failed to convert configuration value at 'Processor:BalanceInterval' to type 'System.TimeSpan'.")]
    [InlineData("Processor:TimeProvider", "fake", "Configuration key 'Processor:TimeProvider' cannot be set from configuration")]
    public async Task A_bad_setting_stops_the_host_at_start_naming_its_key(string key, string value, string expected)
    {
        var builder = Builder(new() { [key] = value });
        builder.Services.AddGatewaySessionProcessor(builder.Configuration.GetSection("Processor"));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync(Deadline()));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_that_do_not_fit_together_stop_the_host_at_start()
    {
        var builder = Builder(new() { ["Processor:LeaseDuration"] = "00:00:30", ["Processor:RenewInterval"] = "00:00:15" });
        builder.Services.AddGatewaySessionProcessor(builder.Configuration.GetSection("Processor"));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Deadline()));

        Assert.Contains("The session processor: RenewInterval (00:00:15) must be less than half of LeaseDuration (00:00:30).", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, Action<IServiceCollection>, string> WhatIsMissing => new()
    {
        {
            "no store",
            services => services.AddGatewaySessionProcessor().AddSession("a", o => o.Url = new Uri("ws://127.0.0.1:1/ws")).OnEvent(_ => Task.CompletedTask),
            "The session processor needs an ISessionStore in the container"
        },
        {
            "no event handler",
            services => services.AddSingleton<ISessionStore>(new FileSessionStore(Path.Combine(Path.GetTempPath(), "gateway-di-tests-unused"))).AddGatewaySessionProcessor().AddSession("a", o => o.Url = new Uri("ws://127.0.0.1:1/ws")),
            "The session processor has no event handler: call OnEvent(...)"
        },
        {
            "no sessions",
            services => services.AddSingleton<ISessionStore>(new FileSessionStore(Path.Combine(Path.GetTempPath(), "gateway-di-tests-unused"))).AddGatewaySessionProcessor().OnEvent(_ => Task.CompletedTask),
            "The session processor has no sessions: call AddSession(...) or WithSessions(...)"
        },
        {
            "a session whose client options are invalid",
            services => services.AddSingleton<ISessionStore>(new FileSessionStore(Path.Combine(Path.GetTempPath(), "gateway-di-tests-unused"))).AddGatewaySessionProcessor().AddSession("orders", o => o.Url = new Uri("http://not-a-websocket/")).OnEvent(_ => Task.CompletedTask),
            "Session 'orders' of the session processor: GatewayClientOptions.Url must be an absolute ws:// or wss:// URI"
        },
        {
            "a session key twice",
            services => services.AddSingleton<ISessionStore>(new FileSessionStore(Path.Combine(Path.GetTempPath(), "gateway-di-tests-unused"))).AddGatewaySessionProcessor()
                .AddSession("a", o => o.Url = new Uri("ws://127.0.0.1:1/ws"))
                .WithSessions(_ => [new GatewaySessionDefinition("a", (_, from) => new GatewayClientOptions { Url = new Uri("ws://127.0.0.1:1/ws"), ResumeFrom = from })])
                .OnEvent(_ => Task.CompletedTask),
            "The session processor has session 'a' 2 times: keys must be unique."
        },
    };

    [Theory]
    [MemberData(nameof(WhatIsMissing))]
    public async Task What_the_processor_needs_is_checked_at_start_up_naming_the_cause(string missing, Action<IServiceCollection> register, string expected)
    {
        var builder = Builder();
        register(builder.Services);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync(Deadline()));

        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{missing}: {error.Message}");
    }

    [Fact]
    public void A_second_registration_and_a_second_handler_of_a_kind_are_refused()
    {
        var services = new ServiceCollection();
        var processor = services.AddGatewaySessionProcessor().OnEvent(_ => Task.CompletedTask);

        Assert.Contains("registered already", Assert.Throws<InvalidOperationException>(() => services.AddGatewaySessionProcessor()).Message, StringComparison.Ordinal);
        Assert.Contains("OnEvent was called already", Assert.Throws<InvalidOperationException>(() => processor.OnEvent(_ => Task.CompletedTask)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sessions_read_from_configuration_carry_their_key_as_name_and_the_containers_clock()
    {
        var clock = new ObservableFakeTimeProvider();
        var builder = Builder(new()
        {
            ["Sessions:orders:Url"] = "ws://127.0.0.1:1/ws",
            ["Sessions:orders:AgentId"] = "orders-agent",
            ["Gateway:Url"] = "ws://127.0.0.1:2/ws",
            ["Gateway:HandshakeTimeout"] = "00:00:03",
        });
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddSingleton<ISessionStore>(new FileSessionStore(Path.Combine(Path.GetTempPath(), "gateway-di-tests-unused")));
        builder.Services.AddGatewaySessionProcessor()
            .AddSession("orders", builder.Configuration.GetSection("Sessions:orders"))
            .AddSession("billing", builder.Configuration.GetSection("Gateway"), o => o.AgentId = "billing-agent") // a shared section
            .OnEvent(_ => Task.CompletedTask);
        using var host = builder.Build();
        await using var processor = host.Services.GetRequiredService<GatewaySessionProcessor>();
        var definitions = host.Services.GetRequiredService<GatewaySessionProcessorRegistration>().SessionSources.SelectMany(source => source(host.Services)).ToList();
        var from = new GatewayResumePoint("sess-1", "epoch-1", 7);

        var orders = definitions[0].CreateOptions(definitions[0], from);
        var billing = definitions[1].CreateOptions(definitions[1], null);

        Assert.Equal(("orders", "orders-agent", from), (orders.Name, orders.AgentId, orders.ResumeFrom));
        Assert.Same(clock, orders.TimeProvider);
        Assert.Equal(("billing", "billing-agent", new Uri("ws://127.0.0.1:2/ws"), TimeSpan.FromSeconds(3)), (billing.Name, billing.AgentId, billing.Url, billing.HandshakeTimeout));
        Assert.Equal(new[] { "orders", "billing" }, processor.SessionKeys);
    }

    [Fact]
    public async Task A_misspelled_key_in_a_sessions_configuration_stops_the_host_at_start()
    {
        var builder = Builder(new() { ["Sessions:orders:Url"] = "ws://127.0.0.1:1/ws", ["Sessions:orders:AgentIdd"] = "x" });
        builder.Services.AddSingleton<ISessionStore>(new FileSessionStore(Path.Combine(Path.GetTempPath(), "gateway-di-tests-unused")));
        builder.Services.AddGatewaySessionProcessor()
            .AddSession("orders", builder.Configuration.GetSection("Sessions:orders"))
            .OnEvent(_ => Task.CompletedTask);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync(Deadline()));

        Assert.Contains("Configuration section 'Sessions:orders' has a key that is not an option", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_host_starts_the_processor_and_its_stop_closes_each_session_before_releasing_its_lease()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var clock = new ObservableFakeTimeProvider();
        using var scratch = new ScratchStore(clock);
        var store = scratch.Store;
        var closing = new List<string>();
        var builder = Builder();
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddSingleton<ISessionStore>(store);
        builder.Services.AddGatewaySessionProcessor(o => o.OwnerId = "me")
            .AddSession("orders", o => (o.Url, o.AgentId) = (gateway.Url, "orders"))
            .OnEvent(_ => Task.CompletedTask)
            .OnClosing(async args =>
            {
                var lease = (await store.ListLeasesAsync(CancellationToken.None)).Single();
                closing.Add($"{args.SessionKey} {args.Reason}, lease held by {lease.OwnerId}");
            });
        using var host = builder.Build();
        var processor = host.Services.GetRequiredService<GatewaySessionProcessor>();
        Assert.False(processor.IsRunning);

        await host.StartAsync(Deadline());
        await gateway.WaitForHandshakeAsync(1, Deadline()); // the first cycle claimed the session and connected it

        Assert.True(processor.IsRunning);
        Assert.Equal(new[] { "orders" }, processor.OwnedSessions);

        await host.StopAsync(Deadline());

        Assert.False(processor.IsRunning);
        Assert.Equal(new[] { "orders Shutdown, lease held by me" }, closing);
        Assert.Equal(string.Empty, (await store.ListLeasesAsync(CancellationToken.None)).Single().OwnerId); // released after
    }

    [Fact]
    public async Task A_stop_is_bounded_by_the_hosts_shutdown_timeout()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var clock = new ObservableFakeTimeProvider(); // the closing timeout never runs out on it: only the host's bound can end the stop
        var logs = new CapturingLoggerProvider();
        var builder = Builder();
        builder.Logging.AddProvider(logs);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(300));
        builder.Services.AddSingleton<TimeProvider>(clock);
        using var scratch = new ScratchStore(clock);
        builder.Services.AddSingleton<ISessionStore>(scratch.Store);
        var hung = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        builder.Services.AddGatewaySessionProcessor(o => o.OwnerId = "me")
            .AddSession("orders", o => (o.Url, o.AgentId) = (gateway.Url, "orders"))
            .OnEvent(_ => Task.CompletedTask)
            .OnClosing(_ => hung.Task);
        using var host = builder.Build();
        await host.StartAsync(Deadline());
        await gateway.WaitForHandshakeAsync(1, Deadline());

        await host.StopAsync(Deadline());

        Assert.Contains(logs.Entries, e => e.Message.Contains("Session processor me did not stop within the host's shutdown timeout", StringComparison.Ordinal));
        hung.SetResult();
    }

    [Fact]
    public async Task A_handler_type_is_resolved_from_a_new_scope_for_each_event_and_checkpoints()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var clock = new ObservableFakeTimeProvider();
        using var scratch = new ScratchStore(clock);
        var store = scratch.Store;
        var builder = Builder();
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddSingleton<ISessionStore>(store);
        builder.Services.AddSingleton<HandledEvents>();
        builder.Services.AddScoped<PerEvent>();
        builder.Services.AddGatewaySessionProcessor()
            .AddSession("orders", o => (o.Url, o.AgentId) = (gateway.Url, "orders"))
            .OnEvent<RecordingHandler>();
        using var host = builder.Build();
        var handled = host.Services.GetRequiredService<HandledEvents>();

        await host.StartAsync(Deadline());
        var session = (await gateway.WaitForHandshakeAsync(1, Deadline())).Session!.Id;
        await gateway.PublishAsync(session, "message", new JsonObject { ["n"] = 1 });
        await gateway.PublishAsync(session, "message", new JsonObject { ["n"] = 2 });
        await handled.Count(2).WaitAsync(Deadline());

        Assert.Equal(2, handled.Scopes.Distinct().Count());
        Assert.Equal(2, (await store.ReadCheckpointAsync("orders", CancellationToken.None))!.Position.Sequence);
        await host.StopAsync(Deadline());
    }

    /// <summary>What <see cref="RecordingHandler"/> saw: one scoped <see cref="PerEvent"/> per event.</summary>
    public sealed class HandledEvents
    {
        private readonly List<TaskCompletionSource> _waiters = new();

        public List<Guid> Scopes { get; } = new();

        public void Add(Guid scope)
        {
            lock (Scopes)
            {
                Scopes.Add(scope);
                foreach (var waiter in _waiters)
                {
                    if (Scopes.Count >= (int)waiter.Task.AsyncState!)
                    {
                        waiter.TrySetResult();
                    }
                }
            }
        }

        public Task Count(int count)
        {
            lock (Scopes)
            {
                var waiter = new TaskCompletionSource(count, TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add(waiter);
                if (Scopes.Count >= count)
                {
                    waiter.TrySetResult();
                }

                return waiter.Task;
            }
        }
    }

    /// <summary>A scoped service: a new one per event.</summary>
    public sealed class PerEvent
    {
        public Guid Id { get; } = Guid.NewGuid();
    }

    /// <summary>An app's handler as a service.</summary>
    public sealed class RecordingHandler(PerEvent scope, HandledEvents handled) : IGatewaySessionEventHandler
    {
        public async Task HandleAsync(GatewaySessionEventArgs args)
        {
            await args.CheckpointAsync(args.CancellationToken);
            handled.Add(scope.Id);
        }
    }
}
