using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>Creates each named client once, with the container's logger factory and clock, and disposes them with the container.</summary>
internal sealed class GatewayClientFactory : IGatewayClientFactory, IAsyncDisposable, IDisposable
{
    private readonly IServiceProvider _services;
    private readonly IOptionsMonitor<GatewayClientOptions> _options;
    private readonly Dictionary<string, GatewayClientRegistration> _registrations;
    private readonly ConcurrentDictionary<string, Lazy<GatewayClient>> _clients = new(StringComparer.Ordinal);
    private int _disposed;

    public GatewayClientFactory(IServiceProvider services, IOptionsMonitor<GatewayClientOptions> options, IEnumerable<GatewayClientRegistration> registrations)
    {
        _services = services;
        _options = options;
        _registrations = registrations.GroupBy(r => r.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
    }

    IGatewayClient IGatewayClientFactory.GetClient(string name) => GetClient(name);

    /// <summary>The client registered under <paramref name="name"/>, as the concrete type the container also hands out.</summary>
    public GatewayClient GetClient(string name)
    {
        if (name is null)
        {
            throw new ArgumentNullException(nameof(name));
        }

        if (Volatile.Read(ref _disposed) == 1)
        {
            throw new ObjectDisposedException(nameof(IGatewayClientFactory));
        }

        if (!_registrations.TryGetValue(name, out var registration))
        {
            var known = string.Join(", ", _registrations.Keys.Select(k => k.Length == 0 ? "(default)" : $"'{k}'"));
            throw new InvalidOperationException($"No gateway client is registered under the name '{name}'. Registered: {known}. Call services.AddGatewayClient(\"{name}\", ...).");
        }

        return _clients.GetOrAdd(name, _ => new Lazy<GatewayClient>(() => Create(registration), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        foreach (var client in _clients.Values.Where(c => c.IsValueCreated))
        {
            await client.Value.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>For containers disposed synchronously: blocks until the clients are disposed (each bounded by its CloseTimeout).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private GatewayClient Create(GatewayClientRegistration registration)
    {
        // Validated here too (and at start-up with ValidateOnStart); the name and the container's clock
        // were filled in by GatewayClientContainerDefaults.
        var options = _options.Get(registration.Name);
        var client = new GatewayClient(options, _services.GetService<ILoggerFactory>());
        foreach (var action in registration.ClientActions)
        {
            action(_services, client);
        }

        return client;
    }
}
