using System.Collections.Concurrent;
using System.Security.Cryptography;
using Gateway.Client.Portable;

namespace Gateway.Client.BrowserConformance.Host;

/// <summary>The gateways the pages started, by id; each is stopped when its page asks, and every one when the host stops.</summary>
public sealed class ScenarioGateways : IAsyncDisposable
{
    /// <summary>How long a command may take (a wait for pongs included) before the host gives up on it.</summary>
    public static readonly TimeSpan CommandLimit = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, InProcessScenarioGateway> _gateways = new();

    internal async Task<ScenarioGatewayAddress> StartAsync(ScenarioGatewaySetup setup, CancellationToken cancellationToken)
    {
        var gateway = await InProcessScenarioGateway.StartAsync(setup, cancellationToken);
        var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        _gateways[id] = gateway;
        return new ScenarioGatewayAddress(id, gateway.Url, ((IScenarioGateway)gateway).Token);
    }

    internal InProcessScenarioGateway? Find(string id) => _gateways.TryGetValue(id, out var gateway) ? gateway : null;

    internal async Task<bool> StopAsync(string id)
    {
        if (!_gateways.TryRemove(id, out var gateway))
        {
            return false;
        }

        await gateway.DisposeAsync();
        return true;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var id in _gateways.Keys)
        {
            await StopAsync(id);
        }
    }
}
