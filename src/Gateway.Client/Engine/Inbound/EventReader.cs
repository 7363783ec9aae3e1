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
    private readonly EventBuffer _buffer;
    private readonly ClientCounters _counters;
    private readonly ILogger _logger;
    private readonly Func<int> _currentRun;
    private readonly CancellationToken _disposing;

    /// <summary>Waits (bounded) until the OnStateChanged handlers raised so far have run: OnGap runs after the one announcing its reconnect.</summary>
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

    /// <summary>The app's gap handlers (<see cref="GatewayClient.OnGap"/>), in registration order.</summary>
    public HandlerList<GapInfo> GapHandlers { get; } = new();

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

    /// <summary>The consumer's enumeration (see <see cref="GatewayClient.ReadEventsAsync"/>): one at a time, each event with its own copy of its bytes.</summary>
    public async IAsyncEnumerable<GatewayEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stream = ClaimedStream.Claim(_buffer);
        while (true)
        {
            StreamItem item;
            while (!stream.TryTake(out item))
            {
                await stream.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            if (!item.IsEvent)
            {
                if (await OnNoticeAsync(item, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                yield break;
            }

            if (IsCovered(item))
            {
                continue;
            }

            // The copy is the app's to keep; the bytes it came from go back to the pool with the last event in their slab.
            var gatewayEvent = item.ToGatewayEvent();
            item.ReleasePayload();
            Deliver(item.Sequence, 1);
            yield return gatewayEvent;
        }
    }

    /// <summary>
    /// The consumer's enumeration in batches (see <see cref="GatewayClient.ReadEventBatchesAsync(int, CancellationToken)"/>): the events that are
    /// there without waiting, up to <paramref name="maxBatchSize"/>, with no notice between them, lent where they were
    /// received. A batch is released when the app asks for the next one or the enumeration ends.
    /// </summary>
    public async IAsyncEnumerable<GatewayEventBatch> ReadBatchesAsync(int maxBatchSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stream = ClaimedStream.Claim(_buffer);
        var batch = new LentBatch(maxBatchSize);
        try
        {
            while (true)
            {
                // What the app was lent last goes back now: it asked for more.
                batch.Release();

                // Taking the next item and meeting a notice are written out here as in ReadAsync, not in a helper: an
                // async helper would park a second state machine for every idle consumer, and an iterator cannot end
                // (yield break) from one.
                StreamItem item;
                while (!stream.TryTake(out item))
                {
                    await stream.WaitAsync(cancellationToken).ConfigureAwait(false);
                }

                if (!item.IsEvent)
                {
                    if (await OnNoticeAsync(item, cancellationToken).ConfigureAwait(false))
                    {
                        continue;
                    }

                    yield break;
                }

                long? last = null;
                do
                {
                    if (!IsCovered(item))
                    {
                        batch.Add(item);
                        last = item.Sequence ?? last;
                    }
                }
                while (batch.Count < maxBatchSize && stream.TryTakeEvent(out item));

                if (batch.Count > 0)
                {
                    Deliver(last, batch.Count);
                    yield return batch.Current;
                }
            }
        }
        finally
        {
            batch.Retire();
        }
    }

    /// <summary>A gap or an end marker met in the stream: true to read on, false to end the enumeration (or it throws the run's error).</summary>
    private async ValueTask<bool> OnNoticeAsync(StreamItem item, CancellationToken cancellationToken)
    {
        if (item.EndOfRun != 0)
        {
            // The end of an older run is old news once the app connected again: read on.
            if (item.EndOfRun != _currentRun())
            {
                return true;
            }

            if (item.RunError is { } error)
            {
                throw error;
            }

            return false;
        }

        var gap = item.Gap!;
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
            return false;
        }

        if (Volatile.Read(ref _skipThrough) == watermark)
        {
            MarkDelivered(item.CursorAfterGap);
        }

        return true;
    }

    /// <summary>Superseded by a resync snapshot the app already has: not a duplicate, covered (and its bytes released).</summary>
    private bool IsCovered(StreamItem item)
    {
        if (item.Sequence is { } sequence && sequence <= Volatile.Read(ref _skipThrough))
        {
            item.ReleasePayload();
            _counters.CoveredByResync();
            return true;
        }

        return false;
    }

    private void Deliver(long? lastSequence, int count)
    {
        if (lastSequence is { } sequence)
        {
            MarkDelivered(sequence);
        }

        _counters.EventsDelivered(count);
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

            await GapHandlers.InvokeAsync(gap, handlerToken.Token).ConfigureAwait(false);

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
