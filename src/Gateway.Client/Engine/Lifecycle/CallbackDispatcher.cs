using Gateway.Client.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Gateway.Client.Engine;

/// <summary>
/// Runs the app's callbacks (<see cref="GatewayClient.OnStateChanged"/> handlers, request progress reports) one at a
/// time, in the order they were raised, on a task of its own: never on the receive loop, never under a lock. Each is
/// awaited before the next starts, with <see cref="Stopping"/> as its token. A throwing callback is logged.
/// Disposal waits for the queue to drain only until a deadline on the injected clock: a callback that never returns is
/// abandoned there (and whatever it throws later is still logged). <see cref="DrainAsync"/> lets the client order its
/// own work after the callbacks raised so far (ConnectAsync and DisconnectAsync returning, OnGap running).
/// </summary>
internal sealed class CallbackDispatcher : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly object _gate = new();
    private readonly object _waitGate = new();
    private readonly List<(long Ticket, TaskCompletionSource<bool> Done)> _waiters = new();
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>
    /// The callback the current flow is running in. It flows into whatever the callback starts, so it says which callback
    /// and whether it is still running: a task a handler started goes on after the handler returned, and from then on its
    /// waits are ordinary ones.
    /// </summary>
    private static readonly AsyncLocal<RunningCallback?> Running = new();

    // A runner exists only while callbacks are queued: an idle client holds no parked task and no channel.
    private Queue<(string Name, Func<CancellationToken, Task> Callback)>? _queue;
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

    /// <summary>The token every callback is given: it fires once the client begins to dispose (<see cref="Stop"/>).</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Queues <paramref name="callback"/>; <paramref name="name"/> says what it was in the log if it throws.</summary>
    public void Post(string name, Func<CancellationToken, Task> callback)
    {
        Interlocked.Increment(ref _posted);
        lock (_gate)
        {
            if (!_disposed)
            {
                (_queue ??= new Queue<(string, Func<CancellationToken, Task>)>()).Enqueue((name, callback));
                if (!_running)
                {
                    _running = true;
                    _ = Task.Run(RunQueuedAsync);
                }

                return;
            }
        }

        Completed(); // disposed: it never runs, and nobody waits for it
    }

    /// <summary>Queues a synchronous <paramref name="callback"/>.</summary>
    public void Post(string name, Action callback) =>
        Post(name, _ =>
        {
            callback();
            return Task.CompletedTask;
        });

    /// <summary>The client begins to dispose: the callbacks' token fires (callbacks still queued still run, with it fired).</summary>
    public void Stop() => _stopping.Cancel();

    /// <summary>
    /// Waits until every callback posted before this call has run, until <paramref name="deadline"/> (on the injected
    /// clock) or the token. False when one was still running at the deadline. Called from inside a callback (a handler
    /// that disconnects), it does not wait: the callback calling it is one of those it would wait for.
    /// </summary>
    public async Task<bool> DrainAsync(DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        if (IsRunningCallback)
        {
            return true;
        }

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
        Stop();
        Task idle;
        lock (_gate)
        {
            _disposed = true;

            // Disposed from inside a callback (a handler that gives up on the client): the callback is the one that would
            // be waited for. The ones queued behind it still run once it returns, with the token fired.
            if (!_running || IsRunningCallback)
            {
                return true;
            }

            idle = (_idle ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }

        return await TimeProviderDelay.WaitUntilAsync(idle, _clock, deadline, CancellationToken.None).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await DisposeAsync(DateTimeOffset.MaxValue).ConfigureAwait(false);

    /// <summary>Runs the queued callbacks one at a time, in order, each awaited, until the queue is empty; then the runner ends.</summary>
    private async Task RunQueuedAsync()
    {
        while (true)
        {
            string name;
            Func<CancellationToken, Task> callback;
            lock (_gate)
            {
                if (_queue!.Count == 0)
                {
                    _running = false;
                    _idle?.TrySetResult(true);
                    return;
                }

                (name, callback) = _queue.Dequeue();
            }

            var running = new RunningCallback(this);
            try
            {
                Running.Value = running;
                await callback(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Log.CallbackFailed(_logger, name, ex);
            }
            finally
            {
                running.Finished = true;
                Running.Value = null;
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

    /// <summary>Whether the current flow is inside one of this dispatcher's callbacks that has not returned yet.</summary>
    private bool IsRunningCallback => Running.Value is { Finished: false } running && running.Dispatcher == this;

    /// <summary>One run of one callback, as the flows it starts see it.</summary>
    private sealed class RunningCallback(CallbackDispatcher dispatcher)
    {
        public CallbackDispatcher Dispatcher { get; } = dispatcher;

        public volatile bool Finished;
    }
}
