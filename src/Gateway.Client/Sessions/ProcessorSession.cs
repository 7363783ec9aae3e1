using Gateway.Client.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Gateway.Client.Sessions;

/// <summary>
/// One session the processor runs on its lease: reads the checkpoint (none: the initializing handler picks the start),
/// builds and connects the session's <see cref="GatewayClient"/>, and hands its events to the event handler one at a
/// time, with the lost-lease token. Checkpoints go through a <see cref="CheckpointBatcher"/> on the lease (fenced).
/// <see cref="CloseAsync"/> stops reading, waits for the event in hand, flushes the last checkpoint (unless the lease was
/// lost), runs the closing handler and disposes the client.
/// </summary>
internal sealed class ProcessorSession
{
    private readonly GatewaySessionProcessor _processor;
    private readonly GatewaySessionDefinition _definition;
    private readonly LeaseKeeper _keeper;
    private readonly CheckpointBatcher _batcher;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private Task _run = Task.CompletedTask;
    private GatewayClient? _client;
    private Exception? _reported;
    private Task? _closing;
    private int _closeStarted;

    public ProcessorSession(GatewaySessionProcessor processor, GatewaySessionDefinition definition, LeaseKeeper keeper)
    {
        _processor = processor;
        _definition = definition;
        _keeper = keeper;
        var options = processor.Options;
        _batcher = new CheckpointBatcher(keeper, options.CheckpointEvery, options.CheckpointInterval, options.TimeProvider)
        {
            OnError = ex => _processor.Report(Key, "checkpoint", ex),
        };
    }

    public string Key => _definition.Key;

    public CancellationToken Lost => _keeper.Lost;

    public SessionLease Lease => _keeper.Lease;

    public bool HandledAnEvent { get; private set; }

    /// <summary>Events marked for a checkpoint and not yet written.</summary>
    public long CheckpointLag => _batcher.PendingCount;

    public void Start() => _run = Task.Run(RunAsync);

    public async Task CheckpointAsync(GatewayEvent gatewayEvent, CancellationToken cancellationToken)
    {
        if (gatewayEvent.ResumePoint is not { } position)
        {
            ProcessorLog.CheckpointSkipped(_processor.Logger, Key, gatewayEvent.Type);
            return;
        }

        try
        {
            await _batcher.MarkAsync(position, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SessionStoreException)
        {
            // reported here once; the event handler gets it too, and the loop does not report it a second time
            Volatile.Write(ref _reported, ex);
            _processor.Report(Key, "checkpoint", ex);
            throw;
        }
    }

    /// <summary>
    /// Closes the session; the caller's token (or the cycle's closing timeout) bounds only the wait: the close itself
    /// always runs to its end (the event in hand, the last checkpoint, the closing handler, the client disposed), so a
    /// cancelled or overrun stop never leaves a client connected or a closing handler uncalled.
    /// </summary>
    public Task CloseAsync(SessionCloseReason reason, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _closeStarted, 1) == 0)
        {
            _stop.Cancel(); // not under a lock: cancelling runs the read loop's callbacks
            Volatile.Write(ref _closing, CloseCoreAsync(reason));
        }

        // the runner closes a session once; a second call (none today) would find the close started above
        return (Volatile.Read(ref _closing) ?? Task.CompletedTask).WaitAsync(cancellationToken);
    }

    private async Task CloseCoreAsync(SessionCloseReason reason)
    {
        try
        {
            await _run.ConfigureAwait(false); // the event in hand finishes first (its token fires if the lease goes)
        }
        catch (OperationCanceledException)
        {
        }

        if (reason != SessionCloseReason.OwnershipLost)
        {
            try
            {
                await _batcher.FlushAsync(CancellationToken.None).ConfigureAwait(false); // bounded by the store's own timeouts
            }
            catch (SessionStoreException ex)
            {
                _processor.Report(Key, "checkpoint", ex);
            }
        }

        try
        {
            if (_processor.ClosingHandler is { } closing)
            {
                await closing(new GatewaySessionClosingEventArgs(Key, reason, _keeper.Lost)).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            _processor.Report(Key, "close", ex); // reported here: after a closing timeout nobody awaits this close
        }
        finally
        {
            ProcessorLog.Closed(_processor.Logger, Key, reason);
            GatewayClient? client;
            lock (_gate)
            {
                client = _client;
                _client = null;
            }

            if (client is not null)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }

            _batcher.Dispose();
            _stop.Dispose();
        }
    }

    private async Task RunAsync()
    {
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, _keeper.Lost);
        var token = reading.Token;
        var operation = "start";
        try
        {
            var checkpoint = await _processor.Store.ReadCheckpointAsync(Key, token).ConfigureAwait(false);
            var start = checkpoint?.Position;
            if (start is null && _processor.InitializingHandler is { } initializing)
            {
                var args = new GatewaySessionInitializingEventArgs(_definition, token);
                await initializing(args).WaitAsync(token).ConfigureAwait(false);
                start = args.StartFrom;
            }

            ProcessorLog.Starting(_processor.Logger, Key, start?.ToString() ?? "the beginning");
            var options = _definition.CreateOptions(_definition, start)
                ?? throw new InvalidOperationException($"The definition of session {Key} returned no client options.");
            if (options.ResumeFrom is null)
            {
                options.ResumeFrom = start;
            }
            else if (start is not null && options.ResumeFrom != start)
            {
                throw new InvalidOperationException(
                    $"The client options of session {Key} resume from {options.ResumeFrom}, not from {start} (the checkpoint or the initializing handler's choice): set ResumeFrom to the resume point the definition is given.");
            }

            var client = new GatewayClient(options, _processor.LoggerFactory);
            lock (_gate)
            {
                if (_stop.IsCancellationRequested)
                {
                    _ = client.DisposeAsync().AsTask();
                    return;
                }

                _client = client;
            }

            await client.ConnectAsync(token).ConfigureAwait(false);
            operation = "session";
            var handler = _processor.EventHandler!;
            await foreach (var gatewayEvent in client.ReadEventsAsync(token).ConfigureAwait(false))
            {
                // The client hands out what it has buffered without looking at the token: a session stopped or lost (a
                // refused checkpoint, a lapsed lease) must not get another event, or it handles what the new owner handles.
                if (token.IsCancellationRequested)
                {
                    break;
                }

                try
                {
                    await handler(new GatewaySessionEventArgs(this, gatewayEvent, client)).ConfigureAwait(false);
                    HandledAnEvent = true;
                }
                catch (Exception ex) when (!(ex is OperationCanceledException && _keeper.IsLost))
                {
                    if (!ReferenceEquals(ex, Volatile.Read(ref _reported)) && !(ex is SessionOwnershipLostException && _keeper.IsLost))
                    {
                        _processor.Report(Key, "event", ex);
                    }
                }
            }

            if (!token.IsCancellationRequested)
            {
                throw new InvalidOperationException($"The event stream of session {Key} ended while the session was still owned.");
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // stopped or lost: the closing path takes it from here
        }
        catch (Exception ex)
        {
            _processor.Report(Key, operation, ex);
            _processor.SessionFailed(this, _keeper);
        }
    }
}
