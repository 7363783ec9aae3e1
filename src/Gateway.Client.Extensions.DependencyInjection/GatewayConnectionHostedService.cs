using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>
/// Connects one registered client when the host starts and disconnects it gracefully (leave, then a
/// close, and the client's OnStateChanged handlers for it, bounded by <see cref="GatewayClientOptions.CloseTimeout"/> and
/// the host's shutdown timeout) when the host stops. It calls <see cref="GatewayClient.ConnectAsync"/> in
/// <see cref="StartingAsync"/>, which the host runs before any hosted service's <c>StartAsync</c>: a service that reads the
/// client (<see cref="GatewayClient.ReadEventsAsync"/> needs <c>ConnectAsync</c> called) may be registered before this one.
/// </summary>
internal sealed class GatewayConnectionHostedService : IHostedLifecycleService, IDisposable
{
    private readonly IGatewayClientFactory _factory;
    private readonly string _name;
    private readonly GatewayConnectionHostingOptions _hosting;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _connecting;
    private int _started;

    public GatewayConnectionHostedService(IGatewayClientFactory factory, string name, GatewayConnectionHostingOptions hosting, ILoggerFactory? loggerFactory)
    {
        _factory = factory;
        _name = name;
        _hosting = hosting;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Gateway.Client.Hosting");
    }

    public Task StartingAsync(CancellationToken cancellationToken) => StartConnectingAsync(cancellationToken);

    // A host without lifecycle support (before Microsoft.Extensions.Hosting 8) calls only this one.
    public Task StartAsync(CancellationToken cancellationToken) => StartConnectingAsync(cancellationToken);

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task StartConnectingAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            return;
        }

        var client = _factory.GetClient(_name);
        if (_hosting.WaitForConnection)
        {
            await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        _connecting = ConnectInBackgroundAsync(client);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        if (_connecting is { } connecting)
        {
            await connecting.ConfigureAwait(false); // it ends once cancelled; it never throws
        }

        try
        {
            await _factory.GetClient(_name).DisconnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's shutdown timeout ran out: disposal (with the container) aborts the socket.
        }
        catch (ObjectDisposedException)
        {
            // Already disposed with the container.
        }
    }

    public void Dispose() => _stopping.Dispose();

    private async Task ConnectInBackgroundAsync(IGatewayClient client)
    {
        try
        {
            await client.ConnectAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The host stopped before the first handshake.
        }
        catch (Exception ex)
        {
            // Terminal (bad token, incompatible server, attempts exhausted): the client is Failed and says why.
            HostingLog.ConnectFailed(_logger, _name.Length == 0 ? "(default)" : _name, ex);
        }
    }
}
