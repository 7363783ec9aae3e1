using Gateway.Client.PraisonAI;

namespace Gateway.Client.Engine;

/// <summary>
/// A protocol 1 resync in flight: the client reconnects to its session without <c>since</c>, and the
/// fresh handshake's head becomes the cursor. Concurrent callers share one resync; it completes with the
/// next handshake that asked for no replay, or fails with the run.
/// </summary>
internal sealed class FreshHandshakeResync
{
    private TaskCompletionSource<ResyncResult>? _pending;

    /// <summary>Whether a resync waits for its fresh handshake: the next handshake asks for no replay.</summary>
    public bool IsPending => Volatile.Read(ref _pending) is not null;

    /// <summary>Joins the resync in flight, or starts one (<paramref name="started"/>: the caller must retire the connection).</summary>
    public Task<ResyncResult> Join(out bool started)
    {
        var completion = new TaskCompletionSource<ResyncResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = Interlocked.CompareExchange(ref _pending, completion, null);
        started = running is null;
        return (running ?? completion).Task;
    }

    /// <summary>The fresh handshake succeeded: the waiting callers get its head.</summary>
    public void Complete(ResyncResult result) => Interlocked.Exchange(ref _pending, null)?.TrySetResult(result);

    /// <summary>The run ended first: the waiting callers get <paramref name="reason"/>.</summary>
    public void Fail(Exception reason) => Interlocked.Exchange(ref _pending, null)?.TrySetObservedException(reason);
}
