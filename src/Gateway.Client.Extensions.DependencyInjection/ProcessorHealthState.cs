using Gateway.Client.Sessions;

namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>
/// What the health check knows besides the processor itself: the keys of its sessions, and the newest failure of the
/// session store that the processor reported to its error handler (a <see cref="SessionStoreException"/> from a
/// balancing cycle, a renewal, a claim, a release or a checkpoint). A refused write
/// (<see cref="SessionOwnershipLostException"/>) is fencing at work, not a failing store.
/// </summary>
internal sealed class ProcessorHealthState
{
    private StoreFailure? _last;

    /// <summary>The processor's session keys, set when it is created.</summary>
    public IReadOnlyCollection<string> SessionKeys { get; set; } = Array.Empty<string>();

    public StoreFailure? LastStoreFailure => Volatile.Read(ref _last);

    public void Record(GatewaySessionErrorEventArgs error, DateTimeOffset at)
    {
        if (StoreException(error.Exception) is { } failure)
        {
            Volatile.Write(ref _last, new StoreFailure(at, error.Operation, failure));
        }
    }

    private static SessionStoreException? StoreException(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is SessionStoreException store)
            {
                return store is SessionOwnershipLostException ? null : store;
            }
        }

        return null;
    }
}

/// <summary>One failure of the store: when, in which operation, and the exception.</summary>
internal sealed class StoreFailure
{
    public StoreFailure(DateTimeOffset at, string operation, SessionStoreException exception)
    {
        At = at;
        Operation = operation;
        Exception = exception;
    }

    public DateTimeOffset At { get; }

    public string Operation { get; }

    public SessionStoreException Exception { get; }
}
