using System.Threading.Channels;
using Gateway.Client.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Gateway.Client.Engine;

/// <summary>
/// Runs user callbacks (state change handlers) one at a time, in the order they were raised, on a
/// task of their own: never on the receive loop, never under a lock. A throwing handler is logged.
/// </summary>
internal sealed class CallbackDispatcher : IAsyncDisposable
{
    private readonly Channel<Action> _queue = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger _logger;
    private readonly Task _loop;

    public CallbackDispatcher(ILogger logger)
    {
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    public void Post(Action callback) => _queue.Writer.TryWrite(callback);

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();

        // Bounded: a handler that never returns must not hang disposal.
        await Task.WhenAny(_loop, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (_queue.Reader.TryRead(out var callback))
            {
                try
                {
                    callback();
                }
                catch (Exception ex)
                {
                    Log.StateChangedHandlerFailed(_logger, ex);
                }
            }
        }
    }
}
