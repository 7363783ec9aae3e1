namespace Gateway.Client.Engine;

/// <summary>
/// The app's handlers of one kind (<see cref="GatewayClient.OnGap"/>, <see cref="GatewayClient.OnStateChanged"/>), run in
/// registration order. Each registration is removed by disposing what <see cref="Add"/> returned: idempotent, and safe
/// while the handlers run (copy-on-write, so a run never sees the list change under it; a handler removed during a run
/// is skipped from then on, even by that run).
/// </summary>
/// <typeparam name="TArgs">What each call is about.</typeparam>
internal sealed class HandlerList<TArgs>
{
    private readonly object _gate = new();
    private Registration[] _registrations = Array.Empty<Registration>();

    /// <summary>Whether any handler is registered (read for every call, without a lock).</summary>
    public bool Any => Volatile.Read(ref _registrations).Length > 0;

    /// <summary>Adds <paramref name="handler"/> after those registered before it; disposing the result removes it.</summary>
    public IDisposable Add(Func<TArgs, CancellationToken, Task> handler)
    {
        var registration = new Registration(this, handler);
        lock (_gate)
        {
            Volatile.Write(ref _registrations, [.. _registrations, registration]);
        }

        return registration;
    }

    /// <summary>
    /// Calls every handler registered now, in registration order, each awaited before the next. With
    /// <paramref name="failed"/>, a handler's exception is handed to it and the next handler runs; without, it ends the
    /// run (those after it do not run).
    /// </summary>
    public async Task InvokeAsync(TArgs args, CancellationToken cancellationToken, Action<Exception>? failed = null)
    {
        foreach (var registration in Volatile.Read(ref _registrations))
        {
            // Removed while an earlier handler of this run ran (perhaps by that handler): not called again.
            if (registration.Handler is not { } handler)
            {
                continue;
            }

            if (failed is null)
            {
                await handler(args, cancellationToken).ConfigureAwait(false);
                continue;
            }

            try
            {
                await handler(args, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                failed(ex);
            }
        }
    }

    private void Remove(Registration registration)
    {
        lock (_gate)
        {
            Volatile.Write(ref _registrations, Array.FindAll(_registrations, r => !ReferenceEquals(r, registration)));
        }
    }

    /// <summary>One handler, and the removal of it.</summary>
    private sealed class Registration(HandlerList<TArgs> owner, Func<TArgs, CancellationToken, Task> handler) : IDisposable
    {
        private Func<TArgs, CancellationToken, Task>? _handler = handler;

        /// <summary>The handler; null once removed.</summary>
        public Func<TArgs, CancellationToken, Task>? Handler => Volatile.Read(ref _handler);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _handler, null) is not null)
            {
                owner.Remove(this);
            }
        }
    }
}
