using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Gateway.Client.Testing;

/// <summary>What a <see cref="TestGateway"/> in a Praxis mode keeps beside its connections: the documented server's limits, subscriptions and pings.</summary>
internal sealed class PraxisServerState
{
    private static readonly ConditionalWeakTable<TestGateway, PraxisServerState> States = new();

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
}
