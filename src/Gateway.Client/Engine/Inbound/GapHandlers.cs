namespace Gateway.Client.Engine;

/// <summary>
/// The app's gap handlers, run in registration order: the one set through <see cref="GatewayClient.OnGap"/> and any
/// added with <see cref="GatewayClient.AddGapHandler"/>. Nothing is silently replaced: setting <c>OnGap</c> while it
/// holds another handler throws. Copy-on-write, so the consumer reads the list without a lock.
/// </summary>
internal sealed class GapHandlers
{
    private readonly object _gate = new();
    private Registration[] _handlers = Array.Empty<Registration>();

    /// <summary>The handlers, in registration order (a snapshot).</summary>
    public IReadOnlyList<Func<GapInfo, CancellationToken, Task>> Snapshot
    {
        get
        {
            var handlers = Volatile.Read(ref _handlers);
            var result = new Func<GapInfo, CancellationToken, Task>[handlers.Length];
            for (var i = 0; i < handlers.Length; i++)
            {
                result[i] = handlers[i].Handler;
            }

            return result;
        }
    }

    /// <summary>Whether any handler is registered (read on the consumer's loop for every gap).</summary>
    public bool Any => Volatile.Read(ref _handlers).Length > 0;

    /// <summary>The handler set through <see cref="GatewayClient.OnGap"/>, if any.</summary>
    public Func<GapInfo, CancellationToken, Task>? Assigned => Array.Find(Volatile.Read(ref _handlers), r => r.IsAssigned)?.Handler;

    /// <summary>Sets (or, with null, removes) the <c>OnGap</c> handler; another one already set is never replaced.</summary>
    /// <exception cref="InvalidOperationException">A different <c>OnGap</c> handler is set already.</exception>
    public void Assign(Func<GapInfo, CancellationToken, Task>? handler)
    {
        lock (_gate)
        {
            var current = Array.Find(_handlers, r => r.IsAssigned);
            if (handler is null)
            {
                if (current is not null)
                {
                    Remove(current);
                }

                return;
            }

            if (current is not null)
            {
                if (current.Handler == handler)
                {
                    return;
                }

                throw new InvalidOperationException(
                    "GatewayClient.OnGap is already set (perhaps by ConfigureClient in the DI set-up); setting it again would silently replace " +
                    "that handler. Use AddGapHandler to run several handlers in order, or set OnGap to null first to replace it on purpose.");
            }

            Add(new Registration(handler, IsAssigned: true));
        }
    }

    /// <summary>Adds a handler after those registered before; disposing the result removes it.</summary>
    public IDisposable Add(Func<GapInfo, CancellationToken, Task> handler)
    {
        var registration = new Registration(handler, IsAssigned: false);
        lock (_gate)
        {
            Add(registration);
        }

        return new Removal(this, registration);
    }

    private void Add(Registration registration) => Volatile.Write(ref _handlers, _handlers.Append(registration).ToArray());

    private void Remove(Registration registration) => Volatile.Write(ref _handlers, _handlers.Where(r => !ReferenceEquals(r, registration)).ToArray());

    private sealed record Registration(Func<GapInfo, CancellationToken, Task> Handler, bool IsAssigned);

    private sealed class Removal : IDisposable
    {
        private readonly GapHandlers _owner;
        private Registration? _registration;

        public Removal(GapHandlers owner, Registration registration)
        {
            _owner = owner;
            _registration = registration;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _registration, null) is { } registration)
            {
                lock (_owner._gate)
                {
                    _owner.Remove(registration);
                }
            }
        }
    }
}
