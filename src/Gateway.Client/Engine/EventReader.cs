using System.Buffers;
using System.Runtime.CompilerServices;
using Gateway.Client.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Gateway.Client.Engine;

/// <summary>
/// The consumer's side of the <see cref="EventBuffer"/>: it owns what the app has been given (the
/// delivered cursor), what a resync snapshot already covers (the skip-through watermark), which run's
/// end ends an enumeration, and the call to the app's gap handler, in stream order.
/// </summary>
internal sealed class EventReader
{
    /// <summary>Items taken from the buffer per lock: small, so a batch costs little to hold and to hand back.</summary>
    private const int BatchSize = 32;

    private readonly EventBuffer _buffer;
    private readonly ClientCounters _counters;
    private readonly ILogger _logger;
    private readonly Func<int> _currentRun;
    private readonly CancellationToken _disposing;

    /// <summary>Waits (bounded) until the StateChanged handlers raised so far have run: OnGap runs after the one announcing its reconnect.</summary>
    private readonly Func<CancellationToken, Task>? _callbacksDrained;

    private long _deliveredCursor;
    private long _skipThrough;

    /// <summary>
    /// Reads <paramref name="buffer"/>. An end-of-run marker ends an enumeration only while its run is
    /// still <paramref name="currentRun"/>; the gap handler's token also fires with <paramref name="disposing"/>.
    /// </summary>
    public EventReader(EventBuffer buffer, ClientCounters counters, ILogger logger, Func<int> currentRun, CancellationToken disposing, Func<CancellationToken, Task>? callbacksDrained = null)
    {
        _buffer = buffer;
        _counters = counters;
        _logger = logger;
        _currentRun = currentRun;
        _disposing = disposing;
        _callbacksDrained = callbacksDrained;
    }

    /// <summary>The app's gap handlers (<see cref="GatewayClient.OnGap"/>, <see cref="GatewayClient.AddGapHandler"/>).</summary>
    public GapHandlers GapHandlers { get; } = new();

    /// <summary>The last sequence number delivered to the consumer.</summary>
    public long Cursor => Volatile.Read(ref _deliveredCursor);

    /// <summary>Records a delivery (one consumer at a time, or the run loop for a fresh session: a plain volatile write).</summary>
    public void MarkDelivered(long cursor) => Volatile.Write(ref _deliveredCursor, cursor);

    /// <summary>A resync answered: the consumer must not see what the snapshot already covers.</summary>
    public void ApplyResync(long cursor)
    {
        Interlocked.Exchange(ref _skipThrough, cursor);
        MarkDelivered(cursor);
    }

    /// <summary>The consumer's enumeration (see <see cref="GatewayClient.ReadEventsAsync"/>): one at a time.</summary>
    public async IAsyncEnumerable<GatewayEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var stream = _buffer;
        if (!stream.TryClaimReader())
        {
            throw new InvalidOperationException("ReadEventsAsync is already being enumerated: the event stream has one consumer at a time.");
        }

        StreamItem[]? batch = null;
        var next = 0;
        var taken = 0;
        try
        {
            while (await stream.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                // What this wake-up found is taken under one lock; the array goes back to the pool before the next wait,
                // so an idle enumeration holds none.
                batch = ArrayPool<StreamItem>.Shared.Rent(BatchSize);
                while ((taken = stream.TryReadBatch(batch.AsSpan(0, BatchSize))) > 0)
                {
                    for (next = 0; next < taken;)
                    {
                        var item = batch[next];
                        batch[next++] = default;
                        if (item.EndOfRun != 0)
                        {
                            // The end of an older run is old news once the app connected again: read on.
                            if (item.EndOfRun != _currentRun())
                            {
                                continue;
                            }

                            if (item.RunError is { } error)
                            {
                                throw error;
                            }

                            yield break;
                        }

                        if (item.Gap is { } gap)
                        {
                            if (gap.Received is null)
                            {
                                // The numbering was re-based downwards: an older resync watermark means nothing now.
                                Interlocked.Exchange(ref _skipThrough, 0);
                            }

                            // The handler sees the cursor of the last event before the hole; a resync it runs sets its own.
                            var watermark = Volatile.Read(ref _skipThrough);
                            if (!await InvokeOnGapAsync(gap, cancellationToken).ConfigureAwait(false))
                            {
                                // Disposed while the app handled the hole: what follows it must not reach an app that could not resync.
                                yield break;
                            }

                            if (Volatile.Read(ref _skipThrough) == watermark)
                            {
                                MarkDelivered(item.CursorAfterGap);
                            }

                            continue;
                        }

                        var gatewayEvent = item.Event!;
                        if (gatewayEvent.Sequence is { } sequence)
                        {
                            // Superseded by a resync snapshot the app already has: not a duplicate, covered.
                            if (sequence <= Volatile.Read(ref _skipThrough))
                            {
                                _counters.CoveredByResync();
                                continue;
                            }

                            MarkDelivered(sequence);
                        }

                        _counters.EventDelivered();
                        yield return gatewayEvent;
                    }
                }

                ArrayPool<StreamItem>.Shared.Return(batch);
                batch = null;
            }
        }
        finally
        {
            if (batch is not null)
            {
                // Ended mid-batch (break, end of run, an exception): what it took but never read goes back for the next enumeration.
                if (next < taken)
                {
                    stream.ReturnUnread(batch.AsSpan(next, taken - next));
                    batch.AsSpan(next, taken - next).Clear();
                }

                ArrayPool<StreamItem>.Shared.Return(batch);
            }

            stream.ReleaseReader();
        }
    }

    /// <summary>
    /// Runs the app's gap handlers in registration order; false when the client was disposed meanwhile (the stream
    /// then ends quietly). One that throws ends the enumeration, and those after it do not run.
    /// </summary>
    private async Task<bool> InvokeOnGapAsync(GapInfo gap, CancellationToken cancellationToken)
    {
        if (!GapHandlers.Any)
        {
            return true;
        }

        // The handler's token also fires on dispose, so a handler waiting on the app's own work can stop.
        using var handlerToken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing);
        try
        {
            if (_callbacksDrained is not null)
            {
                await _callbacksDrained(handlerToken.Token).ConfigureAwait(false);
                handlerToken.Token.ThrowIfCancellationRequested();
            }

            foreach (var handler in GapHandlers.Snapshot)
            {
                await handler(gap, handlerToken.Token).ConfigureAwait(false);
            }

            return true;
        }
        catch (Exception) when (_disposing.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Whatever the handler was doing (a resync, waiting for the token) failed because the client went away.
            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.GapHandlerFailed(_logger, gap.ToString(), ex);
            throw;
        }
    }
}
