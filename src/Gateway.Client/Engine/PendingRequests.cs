using System.Collections.Concurrent;
using Gateway.Client.Dialects;

namespace Gateway.Client.Engine;

/// <summary>Requests waiting for their answer, by id: each with its completion and how its interim answers are handled.</summary>
internal sealed class PendingRequests
{
    // Made on the first request: many clients only read events, and an empty concurrent dictionary is half a KiB.
    private ConcurrentDictionary<string, Pending>? _pending;
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
        var pending = new Pending(new TaskCompletionSource<ResponseFrame>(TaskCreationOptions.RunContinuationsAsynchronously), inStream, onInterim, acceptedIsInterim);
        if (!Table().TryAdd(id, pending))
        {
            throw new InvalidOperationException($"A request with id '{id}' is already pending.");
        }

        return pending.Completion.Task;
    }

    public void Forget(string id) => Volatile.Read(ref _pending)?.TryRemove(id, out _);

    /// <summary>Completes the request the response answers (or hands it an interim answer); false when no request has that id.</summary>
    public bool TryComplete(ResponseFrame response)
    {
        if (response.Id is null || Volatile.Read(ref _pending) is not { } all || !all.TryGetValue(response.Id, out var pending))
        {
            return false;
        }

        if (response.IsProgress || (response.IsAccepted && pending.AcceptedIsInterim))
        {
            pending.OnInterim?.Invoke(response);
            return true;
        }

        if (!all.TryRemove(response.Id, out _))
        {
            return false;
        }

        pending.InStream?.Invoke(response);
        return pending.Completion.TrySetResult(response);
    }

    /// <summary>Fails every pending request (the connection is gone, so their outcome is unknown).</summary>
    public void FailAll(Exception error)
    {
        if (Volatile.Read(ref _pending) is not { } all)
        {
            return;
        }

        foreach (var id in all.Keys)
        {
            if (all.TryRemove(id, out var pending))
            {
                pending.Completion.TrySetObservedException(error);
            }
        }
    }

    private ConcurrentDictionary<string, Pending> Table() =>
        LazyInitializer.EnsureInitialized(ref _pending, static () => new ConcurrentDictionary<string, Pending>(StringComparer.Ordinal))!;

    private sealed record Pending(TaskCompletionSource<ResponseFrame> Completion, Action<ResponseFrame>? InStream, Action<ResponseFrame>? OnInterim, bool AcceptedIsInterim);
}
