using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>
/// Connects one registered client when the host starts and disconnects it gracefully (leave, then a
/// close, and the client's OnStateChanged handlers for it, bounded by <see cref="GatewayClientOptions.CloseTimeout"/> and the host's shutdown timeout)
/// when the host stops.
/// </summary>
internal sealed class GatewayConnectionHostedService : IHostedService, IDisposable
{
    private readonly IGatewayClientFactory _factory;
    private readonly string _name;
    private readonly GatewayConnectionHostingOptions _hosting;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _connecting;

    public GatewayConnectionHostedService(IGatewayClientFactory factory, string name, GatewayConnectionHostingOptions hosting, ILoggerFactory? loggerFactory)
    {
        _factory = factory;
        _name = name;
        _hosting = hosting;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Gateway.Client.Hosting");
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
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

    private async Task ConnectInBackgroundAsync(GatewayClient client)
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
