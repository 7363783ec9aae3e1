using Gateway.Client.Sessions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>
/// The health of this instance's <see cref="GatewaySessionProcessor"/>, registered by <c>AddGatewaySessionProcessor</c>; add
/// it to the app's health checks with <c>services.AddHealthChecks().AddCheck&lt;GatewaySessionProcessorHealthCheck&gt;("sessions")</c>.
/// Each check asks the store for its leases (bounded by the check's token and one balancing interval), and reports:
/// <list type="bullet">
/// <item><description><see cref="HealthStatus.Unhealthy"/>: the processor is not running (not started yet, stopped, or its start
/// failed); or the store did not answer the check; or it failed (a <see cref="SessionStoreException"/>, not a refused
/// write) in the last two balancing intervals.</description></item>
/// <item><description><see cref="HealthStatus.Degraded"/>: it runs none of the sessions while other instances hold live leases
/// and its fair share is at least one (no more instances than sessions): it is not taking its part of the work. An
/// instance that just joined is Degraded until its first claim, within a balancing interval or two; one of more
/// instances than sessions, left without any, is a standby and Healthy.</description></item>
/// <item><description><see cref="HealthStatus.Healthy"/>: otherwise.</description></item>
/// </list>
/// The result's data: <c>ownerId</c>, <c>owned</c> (how many sessions it runs), <c>sessions</c>, <c>otherOwners</c> (other
/// instances with live leases; a lease's expiry is the store's clock, compared with this instance's).
/// </summary>
public sealed class GatewaySessionProcessorHealthCheck : IHealthCheck
{
    private readonly GatewaySessionProcessor _processor;
    private readonly ISessionStore _store;
    private readonly StoreFailureRecorder _failures;
    private readonly GatewaySessionProcessorOptions _options;

    internal GatewaySessionProcessorHealthCheck(GatewaySessionProcessor processor, ISessionStore store, StoreFailureRecorder failures, IOptions<GatewaySessionProcessorOptions> options)
    {
        _processor = processor;
        _store = store;
        _failures = failures;
        _options = options.Value;
    }

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var owned = _processor.OwnedSessions.Count;
        var data = new Dictionary<string, object>
        {
            ["ownerId"] = _processor.OwnerId,
            ["owned"] = owned,
            ["sessions"] = _processor.SessionKeys.Count,
        };
        if (!_processor.IsRunning)
        {
            return HealthCheckResult.Unhealthy("The session processor is not running (not started, stopped, or its start failed).", data: data);
        }

        IReadOnlyList<SessionLease> leases;
        // bounded on the processor's clock (the injected TimeProvider), like every other wait of the processor
#if NET8_0_OR_GREATER
        using (var timeout = new CancellationTokenSource(_options.BalanceInterval, _options.TimeProvider))
#else
        using (var timeout = _options.TimeProvider.CreateCancellationTokenSource(_options.BalanceInterval))
#endif
        using (var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
        {
            try
            {
                leases = await _store.ListLeasesAsync(bound.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                var why = ex is OperationCanceledException ? $"did not answer within {_options.BalanceInterval}" : $"failed: {ex.Message}";
                return HealthCheckResult.Unhealthy($"The session store {why}.", ex, data);
            }
        }

        var now = _options.TimeProvider.GetUtcNow();
        if (_failures.Last is { } failure && now - failure.At < TimeSpan.FromTicks(_options.BalanceInterval.Ticks * 2))
        {
            return HealthCheckResult.Unhealthy($"The session store failed at {failure.At:O} ({failure.Operation}): {failure.Exception.Message}", failure.Exception, data);
        }

        var keys = new HashSet<string>(_processor.SessionKeys, StringComparer.Ordinal);
        var otherOwners = leases
            .Where(lease => keys.Contains(lease.SessionKey) && lease.IsLive(now) && !string.Equals(lease.OwnerId, _processor.OwnerId, StringComparison.Ordinal))
            .Select(lease => lease.OwnerId)
            .Distinct(StringComparer.Ordinal)
            .Count();
        data["otherOwners"] = otherOwners;
        if (owned == 0 && otherOwners > 0 && keys.Count >= otherOwners + 1)
        {
            return HealthCheckResult.Degraded($"This instance runs none of the {keys.Count} sessions while {otherOwners} other instance(s) do: it has yet to claim its share.", data: data);
        }

        return HealthCheckResult.Healthy($"This instance runs {owned} of {keys.Count} sessions.", data);
    }
}
