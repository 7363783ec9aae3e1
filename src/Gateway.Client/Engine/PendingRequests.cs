using System.Collections.Concurrent;
using Gateway.Client.Dialects;

namespace Gateway.Client.Engine;

/// <summary>Requests waiting for their <c>res</c>, by id.</summary>
internal sealed class PendingRequests
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<ResponseFrame>> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Action<ResponseFrame>> _inStreamHandlers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Action<ResponseFrame>> _interimHandlers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _acceptedIsInterim = new(StringComparer.Ordinal);
    private long _nextId;

    public string NextId() => "r" + Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Registers a request. <paramref name="inStream"/>, when given, runs on the receive loop at the exact
    /// point in the stream where the answer arrived, before the caller sees it (resync re-bases there).
    /// </summary>
    /// <para>Progress reports are handed to <paramref name="onInterim"/> (when given) and never complete the request.
    /// With <paramref name="acceptedIsInterim"/>, a first-stage <c>accepted</c> answer is one too, and the request
    /// keeps waiting for the final one; otherwise it is the answer.</para>
    public Task<ResponseFrame> Register(string id, Action<ResponseFrame>? inStream = null, Action<ResponseFrame>? onInterim = null, bool acceptedIsInterim = false)
    {
        if (acceptedIsInterim)
        {
            _acceptedIsInterim[id] = true;
        }

        if (inStream is not null)
        {
            _inStreamHandlers[id] = inStream;
        }

        if (onInterim is not null)
        {
            _interimHandlers[id] = onInterim;
        }

        var completion = new TaskCompletionSource<ResponseFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.TryAdd(id, completion))
        {
            throw new InvalidOperationException($"A request with id '{id}' is already pending.");
        }

        return completion.Task;
    }

    public void Forget(string id)
    {
        _pending.TryRemove(id, out _);
        _inStreamHandlers.TryRemove(id, out _);
        _interimHandlers.TryRemove(id, out _);
        _acceptedIsInterim.TryRemove(id, out _);
    }

    /// <summary>Completes the request the response answers; false when no request has that id.</summary>
    public bool TryComplete(ResponseFrame response)
    {
        if (response.Id is not null && (response.IsProgress || (response.IsAccepted && _acceptedIsInterim.ContainsKey(response.Id))))
        {
            if (!_pending.ContainsKey(response.Id))
            {
                return false;
            }

            if (_interimHandlers.TryGetValue(response.Id, out var interim))
            {
                interim(response);
            }

            return true;
        }

        if (response.Id is null || !_pending.TryRemove(response.Id, out var completion))
        {
            return false;
        }

        _interimHandlers.TryRemove(response.Id, out _);
        _acceptedIsInterim.TryRemove(response.Id, out _);

        if (_inStreamHandlers.TryRemove(response.Id, out var inStream))
        {
            inStream(response);
        }

        return completion.TrySetResult(response);
    }

    /// <summary>Fails every pending request (the connection is gone, so their outcome is unknown).</summary>
    public void FailAll(Exception error)
    {
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var completion))
            {
                completion.TrySetObservedException(error);
            }
        }
    }
}
