using Gateway.Client.Sessions;

namespace Gateway.Client.Benchmarks;

/// <summary>An open store and what must be disposed with it (a connection, a data source), if anything.</summary>
internal sealed class OpenedSessionStore(ISessionStore store, IAsyncDisposable? connection = null) : IAsyncDisposable
{
    public ISessionStore Store { get; } = store;

    public ValueTask DisposeAsync() => connection?.DisposeAsync() ?? ValueTask.CompletedTask;
}
