using Gateway.Client.Extensions.DependencyInjection;
using Gateway.Client.Sessions;
using Gateway.Client.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Gateway.Client.Extensions.Tests;

/// <summary>GatewaySessionProcessorHealthCheck: each state it reports, and why.</summary>
public class SessionProcessorHealthTests
{
    private static readonly TimeSpan BalanceInterval = TimeSpan.FromSeconds(10);

    private static CancellationToken Deadline() => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    /// <summary>A host whose processor runs <paramref name="keys"/> over a store that can fail, on a fake clock.</summary>
    private sealed class Fixture : IAsyncDisposable
    {
        private readonly ScratchStore _scratch;
        private readonly TaskCompletionSource<GatewaySessionErrorEventArgs> _storeError = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Fixture(Uri gateway, params string[] keys)
        {
            _scratch = new ScratchStore(Clock);
            Store = new StoreWithOutage(_scratch.Store);
            var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Services.AddSingleton<TimeProvider>(Clock);
            builder.Services.AddSingleton<ISessionStore>(Store);
            var processor = builder.Services.AddGatewaySessionProcessor(o => (o.OwnerId, o.BalanceInterval) = ("me", BalanceInterval))
                .OnEvent(_ => Task.CompletedTask)
                .OnError(args =>
                {
                    if (args.Exception is SessionStoreException)
                    {
                        _storeError.TrySetResult(args);
                    }

                    return Task.CompletedTask;
                });
            foreach (var key in keys)
            {
                processor.AddSession(key, o => (o.Url, o.AgentId) = (gateway, key));
            }

            Host = builder.Build();
        }

        public ObservableFakeTimeProvider Clock { get; } = new();

        public StoreWithOutage Store { get; }

        public IHost Host { get; }

        public Task<GatewaySessionErrorEventArgs> StoreError => _storeError.Task;

        public Task<HealthCheckResult> CheckAsync() =>
            Host.Services.GetRequiredService<GatewaySessionProcessorHealthCheck>().CheckHealthAsync(new HealthCheckContext(), Deadline());

        /// <summary>Another instance holds <paramref name="key"/> with a live lease.</summary>
        public Task OtherOwnerHoldsAsync(string key) => Store.TryClaimAsync(key, "other", TimeSpan.FromMinutes(5), null, CancellationToken.None);

        public async ValueTask DisposeAsync()
        {
            await Host.StopAsync(Deadline());
            Host.Dispose();
            _scratch.Dispose();
        }
    }

    private static readonly Uri Nowhere = new("ws://127.0.0.1:1/ws");

    [Fact]
    public async Task A_processor_not_started_or_stopped_is_unhealthy()
    {
        await using var fixture = new Fixture(Nowhere, "a");
        fixture.Store.ClaimsLost = true;

        var before = await fixture.CheckAsync();
        await fixture.Host.StartAsync(Deadline());
        var running = await fixture.CheckAsync();
        await fixture.Host.StopAsync(Deadline());
        var after = await fixture.CheckAsync();

        Assert.Equal((HealthStatus.Unhealthy, HealthStatus.Healthy, HealthStatus.Unhealthy), (before.Status, running.Status, after.Status));
        Assert.Contains("not running", after.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_processor_that_runs_its_session_is_healthy_and_says_how_many_it_runs()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        await using var fixture = new Fixture(gateway.Url, "a");

        await fixture.Host.StartAsync(Deadline());
        await gateway.WaitForHandshakeAsync(1, Deadline());
        var result = await fixture.CheckAsync();

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal(("me", 1, 1, 0), (result.Data["ownerId"], result.Data["owned"], result.Data["sessions"], result.Data["otherOwners"]));
    }

    [Fact]
    public async Task Owning_nothing_while_another_instance_runs_more_than_its_share_is_degraded()
    {
        await using var fixture = new Fixture(Nowhere, "a", "b");
        await fixture.OtherOwnerHoldsAsync("a");
        await fixture.OtherOwnerHoldsAsync("b");
        fixture.Store.ClaimsLost = true; // its claims keep losing: it never gets its share

        await fixture.Host.StartAsync(Deadline());
        var result = await fixture.CheckAsync();

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Equal((0, 2, 1), (result.Data["owned"], result.Data["sessions"], result.Data["otherOwners"]));
    }

    [Fact]
    public async Task An_instance_left_without_a_session_because_there_are_more_instances_than_sessions_is_a_healthy_standby()
    {
        await using var fixture = new Fixture(Nowhere, "a");
        await fixture.OtherOwnerHoldsAsync("a");

        await fixture.Host.StartAsync(Deadline()); // one session, one other owner at its share: nothing to claim
        var result = await fixture.CheckAsync();

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal((0, 1), (result.Data["owned"], result.Data["otherOwners"]));
    }

    [Fact]
    public async Task A_store_that_does_not_answer_the_check_is_unhealthy()
    {
        await using var fixture = new Fixture(Nowhere, "a");
        fixture.Store.ClaimsLost = true;
        await fixture.Host.StartAsync(Deadline());

        fixture.Store.Down = true;
        var result = await fixture.CheckAsync();
        fixture.Store.Down = false;

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.StartsWith("The session store failed: The store cannot be reached", result.Description, StringComparison.Ordinal);
        Assert.IsType<SessionStoreException>(result.Exception);
    }

    [Fact]
    public async Task A_store_failure_in_the_last_two_balancing_intervals_is_unhealthy_until_they_pass()
    {
        await using var fixture = new Fixture(Nowhere, "a");
        fixture.Store.ClaimsLost = true;
        await fixture.Host.StartAsync(Deadline());

        fixture.Store.Down = true;
        fixture.Clock.Advance(BalanceInterval); // the next cycle cannot list the leases
        var error = await fixture.StoreError.WaitAsync(Deadline());
        fixture.Store.Down = false;
        var justAfter = await fixture.CheckAsync();
        fixture.Clock.Advance(BalanceInterval * 2);
        var later = await fixture.CheckAsync();

        Assert.Equal("balance", error.Operation);
        Assert.Equal(HealthStatus.Unhealthy, justAfter.Status);
        Assert.Contains("(balance): The store cannot be reached", justAfter.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, later.Status);
    }

    [Fact]
    public void A_refused_checkpoint_is_fencing_at_work_not_a_failing_store()
    {
        var refused = new StoreFailureRecorder();
        var failed = new StoreFailureRecorder();

        refused.Record("checkpoint", new SessionOwnershipLostException("a", 1, 2), DateTimeOffset.UnixEpoch);
        failed.Record("event", new InvalidOperationException("the handler's", new SessionStoreException("down")), DateTimeOffset.UnixEpoch);

        Assert.Null(refused.Last);
        Assert.Equal(("event", "down"), (failed.Last!.Operation, failed.Last.Exception.Message));
    }
}
