using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Gateway.Client.Testing;

/// <summary>What a <see cref="TestGateway"/> in a Praxis mode keeps beside its connections: the documented server's limits, subscriptions and pings; the live one's held answers.</summary>
internal sealed class PraxisServerState
{
    private static readonly ConditionalWeakTable<TestGateway, PraxisServerState> States = new();

    private TaskCompletionSource _released = Released(); // live mode: complete unless a test holds the answers

    /// <summary>The documented server's default event filter (bus event types), used until a connection subscribes.</summary>
    public static readonly IReadOnlySet<string> DefaultSubscriptions = new HashSet<string>(StringComparer.Ordinal)
    {
        "dsl.command.progress", "dsl.command.completed", "task.started", "task.progress", "task.completed", "task.failed",
        "workflow.started", "workflow.progress", "workflow.completed", "node.status.update", "log.entry", "log.stream",
        "tool.executed", "tool.failed", "p2p.tool.response",
    };

    /// <summary>Documented mode: connections beyond this are closed with 1008 "Maximum connections reached".</summary>
    public int MaxConnections { get; set; } = 100;

    /// <summary>Documented mode: each connection's subscriptions (absent: the default filter).</summary>
    public ConcurrentDictionary<TestConnection, HashSet<string>> Subscriptions { get; } = new();

    /// <summary>Documented mode: when each connection last sent <c>PING</c> (absent: never, and it is never reaped).</summary>
    public ConcurrentDictionary<TestConnection, DateTimeOffset> LastPing { get; } = new();

    /// <summary>Live mode: completes when the handler may answer what it reads (<see cref="HoldAnswers"/>); complete unless held.</summary>
    public Task AnswersReleased => Volatile.Read(ref _released).Task;

    /// <summary>
    /// Live mode: the handler goes on reading (and recording) frames but holds its answers until the returned
    /// handle is disposed, then answers them in order: many requests in flight at once, deterministically.
    /// </summary>
    public IDisposable HoldAnswers()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _released, held);
        return new Release(this, held);
    }

    private static TaskCompletionSource Released()
    {
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        released.SetResult();
        return released;
    }

    public static PraxisServerState Of(TestGateway gateway) => States.GetValue(gateway, static _ => new PraxisServerState());

    /// <summary>Whether a bus event of <paramref name="busEventType"/> reaches <paramref name="connection"/>.</summary>
    public bool Receives(TestConnection connection, string busEventType)
    {
        if (!Subscriptions.TryGetValue(connection, out var subscribed))
        {
            return DefaultSubscriptions.Contains(busEventType);
        }

        lock (subscribed)
        {
            return subscribed.Contains(busEventType);
        }
    }

    private sealed class Release(PraxisServerState state, TaskCompletionSource held) : IDisposable
    {
        public void Dispose()
        {
            Interlocked.CompareExchange(ref state._released, Released(), held);
            held.TrySetResult();
        }
    }
}
