using System.Threading.Tasks.Sources;

namespace Gateway.Client.Engine;

/// <summary>
/// A reusable wake-up for one waiter at a time (the event buffer's single reader, or its single writer, the receive
/// loop): a wait allocates nothing (unlike a TaskCompletionSource per wait). Arm and Set are called under the buffer's
/// lock; the waiter awaits the returned ValueTask once. A cancelled wait ends with <see cref="OperationCanceledException"/>.
/// </summary>
internal sealed class WaitSignal : IValueTaskSource<bool>
{
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _cancellation;
    private int _armed;

    /// <summary>Whether someone is waiting.</summary>
    public bool IsArmed => Volatile.Read(ref _armed) == 1;

    /// <summary>Prepares a wait; call under the buffer's lock, then await outside it.</summary>
    public ValueTask<bool> Arm(CancellationToken cancellationToken)
    {
        _core.Reset();
        Volatile.Write(ref _armed, 1);
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.Register(static state => ((WaitSignal)state!).Cancel(), this);
        }

        return new ValueTask<bool>(this, _core.Version);
    }

    /// <summary>Wakes the waiter, if any; false when nobody was waiting.</summary>
    public bool TrySet()
    {
        if (Interlocked.Exchange(ref _armed, 0) == 0)
        {
            return false;
        }

        _core.SetResult(true);
        return true;
    }

    public bool GetResult(short token)
    {
        _cancellation.Dispose();
        _cancellation = default;
        return _core.GetResult(token);
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void Cancel()
    {
        if (Interlocked.Exchange(ref _armed, 0) == 1)
        {
            _core.SetException(new OperationCanceledException());
        }
    }
}
