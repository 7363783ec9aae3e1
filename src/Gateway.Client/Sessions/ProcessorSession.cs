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
    private long _lastMarked = -1;
    private Exception? _reported;

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

    public bool HandledAnEvent { get; private set; }

    /// <summary>Events marked for a checkpoint and not yet written (by sequence; 0 when none or unknown).</summary>
    public long CheckpointLag
    {
        get
        {
            var marked = Interlocked.Read(ref _lastMarked);
            if (marked < 0)
            {
                return 0;
            }

            var written = _batcher.Written?.Sequence ?? 0;
            return Math.Max(0, marked - written);
        }
    }

    public void Start() => _run = Task.Run(RunAsync);

    public async Task CheckpointAsync(GatewayEvent gatewayEvent, CancellationToken cancellationToken)
    {
        if (gatewayEvent.ResumePoint is not { } position)
        {
            ProcessorLog.CheckpointSkipped(_processor.Logger, Key, gatewayEvent.Type);
            return;
        }

        Interlocked.Exchange(ref _lastMarked, Math.Max(0, position.Sequence));
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

    public async Task CloseAsync(SessionCloseReason reason, CancellationToken cancellationToken)
    {
        _stop.Cancel();
        try
        {
            await _run.WaitAsync(cancellationToken).ConfigureAwait(false); // the event in hand finishes first
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        if (reason != SessionCloseReason.OwnershipLost)
        {
            try
            {
                await _batcher.FlushAsync(cancellationToken).ConfigureAwait(false);
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
