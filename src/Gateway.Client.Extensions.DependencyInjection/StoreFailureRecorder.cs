using Gateway.Client.Sessions;

namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>
/// For the health check: the newest failure of the session store that the processor reported to its error handler (a
/// <see cref="SessionStoreException"/> from a balancing cycle, a renewal, a claim, a release or a checkpoint). A refused
/// write (<see cref="SessionOwnershipLostException"/>) is fencing at work, not a failing store.
/// </summary>
internal sealed class StoreFailureRecorder
{
    private StoreFailure? _last;

    public StoreFailure? Last => Volatile.Read(ref _last);

    /// <summary>Keeps <paramref name="exception"/> when it is (or wraps) a failure of the store.</summary>
    public void Record(string operation, Exception exception, DateTimeOffset at)
    {
        if (StoreException(exception) is { } failure)
        {
            Volatile.Write(ref _last, new StoreFailure(at, operation, failure));
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
