using Gateway.Client.Dialects;

namespace Gateway.Client.Engine;

/// <summary>
/// The requests written on one connection, waiting for their answers, by id. A request is registered here just
/// before its frame is written (the answer may arrive before the write returns) and belongs to this connection
/// from then on: when the connection ends, <see cref="End"/> fails every request still waiting (its outcome is
/// unknown) and refuses new ones, so a request is never failed by a connection it was not written on.
/// </summary>
internal sealed class ConnectionRequests
{
    /// <summary>The table of every connection that ended before it had a request: refuses them all.</summary>
    public static ConnectionRequests Ended { get; } = CreateEnded();

    private readonly object _gate = new();
    private Dictionary<string, Pending>? _pending; // made on the first request: many connections only read events
    private Exception? _ended;

    /// <summary>How many requests wait for an answer (for tests).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _pending?.Count ?? 0;
            }
        }
    }

    /// <summary>
    /// Registers a request about to be written here; null once the connection has ended (nothing may be written
    /// on it any more). <paramref name="inStream"/>, when given, runs on the receive loop at the exact point in the
    /// stream where the answer arrived, before the caller sees it (resync re-bases there). Progress reports go to
    /// <paramref name="onInterim"/> and never complete the request; with <paramref name="acceptedIsInterim"/> a
    /// first-stage <c>accepted</c> answer is one too.
    /// </summary>
    public Task<ResponseFrame>? TryRegister(string id, Action<ResponseFrame>? inStream, Action<ResponseFrame>? onInterim, bool acceptedIsInterim)
    {
        var pending = new Pending(new TaskCompletionSource<ResponseFrame>(TaskCreationOptions.RunContinuationsAsynchronously), inStream, onInterim, acceptedIsInterim);
        lock (_gate)
        {
            if (_ended is not null)
            {
                return null;
            }

            _pending ??= new Dictionary<string, Pending>(StringComparer.Ordinal);
            if (_pending.ContainsKey(id))
            {
                throw new InvalidOperationException($"A request with id '{id}' is already pending.");
            }

            _pending.Add(id, pending);
        }

        return pending.Completion.Task;
    }

    /// <summary>The request no longer waits here (answered, given up, or its frame was never written).</summary>
    public void Forget(string id)
    {
        lock (_gate)
        {
            _pending?.Remove(id);
        }
    }

    /// <summary>Completes the request the response answers (or hands it an interim answer); false when no request has that id.</summary>
    public bool TryComplete(ResponseFrame response)
    {
        Pending? pending;
        bool interim;
        lock (_gate)
        {
            if (response.Id is null || _pending is null || !_pending.TryGetValue(response.Id, out pending))
            {
                return false;
            }

            interim = response.IsProgress || (response.IsAccepted && pending.AcceptedIsInterim);
            if (!interim)
            {
                _pending.Remove(response.Id);
            }
        }

        if (interim)
        {
            pending.OnInterim?.Invoke(response);
            return true;
        }

        pending.InStream?.Invoke(response);
        return pending.Completion.TrySetResult(response);
    }

    /// <summary>
    /// The connection ended: every request still waiting fails with <paramref name="outcomeUnknown"/> (its frame was
    /// written, its answer can no longer arrive), and nothing more is registered. Idempotent: the first reason wins.
    /// </summary>
    public void End(Exception outcomeUnknown)
    {
        Dictionary<string, Pending>? waiting;
        lock (_gate)
        {
            if (_ended is not null)
            {
                return;
            }

            _ended = outcomeUnknown;
            waiting = _pending;
            _pending = null;
        }

        if (waiting is null)
        {
            return;
        }

        foreach (var pending in waiting.Values)
        {
            pending.Completion.TrySetObservedException(outcomeUnknown);
        }
    }

    private static ConnectionRequests CreateEnded()
    {
        var ended = new ConnectionRequests();
        ended.End(new GatewayConnectionException("The connection has ended.") { OutcomeUnknown = true });
        return ended;
    }

    private sealed record Pending(TaskCompletionSource<ResponseFrame> Completion, Action<ResponseFrame>? InStream, Action<ResponseFrame>? OnInterim, bool AcceptedIsInterim);
}
