using Gateway.Client.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Gateway.Client.Engine;

/// <summary>
/// Runs user callbacks (state change handlers) one at a time, in the order they were raised, on a
/// task of their own: never on the receive loop, never under a lock. A throwing handler is logged.
/// Disposal waits for the queue to drain only until a deadline on the injected clock: a handler that
/// never returns is abandoned there (and whatever it throws later is still logged). <see cref="DrainAsync"/>
/// lets the client order its own work after the callbacks raised so far (ConnectAsync returning, OnGap running).
/// </summary>
internal sealed class CallbackDispatcher : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly object _gate = new();
    private readonly object _waitGate = new();
    private readonly List<(long Ticket, TaskCompletionSource<bool> Done)> _waiters = new();

    // A runner exists only while callbacks are queued: an idle client holds no parked task and no channel.
    private Queue<Action>? _queue;
    private bool _running;
    private bool _disposed;
    private TaskCompletionSource<bool>? _idle;
    private long _posted;
    private long _completed;

    public CallbackDispatcher(ILogger logger, TimeProvider clock)
    {
        _logger = logger;
        _clock = clock;
    }

    public void Post(Action callback)
    {
        Interlocked.Increment(ref _posted);
        lock (_gate)
        {
            if (!_disposed)
            {
                (_queue ??= new Queue<Action>()).Enqueue(callback);
                if (!_running)
                {
                    _running = true;
                    _ = Task.Run(RunQueued);
                }

                return;
            }
        }

        Completed(); // disposed: it never runs, and nobody waits for it
    }

    /// <summary>
    /// Waits until every callback posted before this call has run, until <paramref name="deadline"/> (on the injected
    /// clock) or the token. False when one was still running at the deadline.
    /// </summary>
    public async Task<bool> DrainAsync(DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var ticket = Volatile.Read(ref _posted);
        TaskCompletionSource<bool> done;
        lock (_waitGate)
        {
            if (Volatile.Read(ref _completed) >= ticket)
            {
                return true;
            }

            done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((ticket, done));
        }

        try
        {
            return await TimeProviderDelay.WaitUntilAsync(done.Task, _clock, deadline, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_waitGate)
            {
                _waiters.Remove((ticket, done));
            }
        }
    }

    /// <summary>Stops taking callbacks and waits for the queued ones until <paramref name="deadline"/>.</summary>
    /// <returns>False when a callback was still running at the deadline (it is abandoned).</returns>
    public async ValueTask<bool> DisposeAsync(DateTimeOffset deadline)
    {
        Task idle;
        lock (_gate)
        {
            _disposed = true;
            if (!_running)
            {
                return true;
            }

            idle = (_idle ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }

        return await TimeProviderDelay.WaitUntilAsync(idle, _clock, deadline, CancellationToken.None).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await DisposeAsync(DateTimeOffset.MaxValue).ConfigureAwait(false);

    /// <summary>Runs the queued callbacks one at a time, in order, until the queue is empty; then the runner ends.</summary>
    private void RunQueued()
    {
        while (true)
        {
            Action callback;
            lock (_gate)
            {
                if (_queue!.Count == 0)
                {
                    _running = false;
                    _idle?.TrySetResult(true);
                    return;
                }

                callback = _queue.Dequeue();
            }

            try
            {
                callback();
            }
            catch (Exception ex)
            {
                Log.StateChangedHandlerFailed(_logger, ex);
            }
            finally
            {
                Completed();
            }
        }
    }

    private void Completed()
    {
        var completed = Interlocked.Increment(ref _completed);
        lock (_waitGate)
        {
            foreach (var (ticket, done) in _waiters)
            {
                if (ticket <= completed)
                {
                    done.TrySetResult(true);
                }
            }
        }
    }
}
