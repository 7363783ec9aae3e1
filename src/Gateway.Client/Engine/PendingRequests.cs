using System.Collections.Concurrent;
using Gateway.Client.Dialects;

namespace Gateway.Client.Engine;

/// <summary>Requests waiting for their <c>res</c>, by id.</summary>
internal sealed class PendingRequests
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<ResponseFrame>> _pending = new(StringComparer.Ordinal);
    private long _nextId;

    public string NextId() => "r" + Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public Task<ResponseFrame> Register(string id)
    {
        var completion = new TaskCompletionSource<ResponseFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.TryAdd(id, completion))
        {
            throw new InvalidOperationException($"A request with id '{id}' is already pending.");
        }

        return completion.Task;
    }

    public void Forget(string id) => _pending.TryRemove(id, out _);

    /// <summary>Completes the request the response answers; false when no request has that id.</summary>
    public bool TryComplete(ResponseFrame response) =>
        response.Id is not null && _pending.TryRemove(response.Id, out var completion) && completion.TrySetResult(response);

    /// <summary>Fails every pending request (the connection is gone, so their outcome is unknown).</summary>
    public void FailAll(Exception error)
    {
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var completion))
            {
                completion.TrySetException(error);
            }
        }
    }
}
