using Gateway.Client.TestSupport;

namespace Gateway.Client.Portable;

/// <summary>
/// What a running scenario works with: its gateway (by command), its connected client, the client's recorded states and
/// the transcript, with the few steps every scenario is written in.
/// </summary>
internal sealed class ScenarioContext
{
    private readonly List<string> _transcript;
    private readonly int _transitionsBefore;

    public ScenarioContext(IScenarioGateway gateway, GatewayClient client, StateRecorder states, List<string> transcript, CancellationToken cancellationToken)
    {
        Gateway = gateway;
        Client = client;
        States = states;
        _transcript = transcript;
        _transitionsBefore = states.Transitions.Count;
        CancellationToken = cancellationToken;
    }

    public IScenarioGateway Gateway { get; }

    public GatewayClient Client { get; }

    public StateRecorder States { get; }

    /// <summary>The scenario's deadline: a safety net so a broken behaviour fails instead of hanging, never a wait.</summary>
    public CancellationToken CancellationToken { get; }

    public string SessionId => Client.Session?.SessionId ?? throw new InvalidOperationException("The client has no session.");

    /// <summary>Adds a line to the transcript.</summary>
    public void Log(string line)
    {
        lock (_transcript)
        {
            _transcript.Add(line);
        }
    }

    /// <summary>Logs each event as the consumer reads it (<c>live 3</c>, <c>replay 4</c>), until one matches.</summary>
    public async Task ReadIntoAsync(Func<GatewayEvent, bool> until, Func<GatewayEvent, string>? describe = null)
    {
        await foreach (var e in Client.ReadEventsAsync(CancellationToken))
        {
            Log(describe?.Invoke(e) ?? (e.Sequence is { } seq ? $"{(e.IsReplay ? "replay" : "live")} {seq}" : e.Type));
            if (until(e))
            {
                return;
            }
        }
    }

    /// <summary>Reads until the event numbered <paramref name="sequence"/>.</summary>
    public Task ReadThroughAsync(long sequence) => ReadIntoAsync(e => e.Sequence == sequence);

    /// <summary>Waits for the <paramref name="occurrence"/>-th transition into <paramref name="state"/> (counting the first connect).</summary>
    public Task WaitForStateAsync(ConnectionState state, int occurrence = 1) => States.WaitForAsync(state, occurrence, CancellationToken);

    /// <summary>Logs each state change since the scenario began (<c>Connected-&gt;Reconnecting</c>), or that there was none.</summary>
    public void LogStateChanges()
    {
        var changes = States.Transitions.Skip(_transitionsBefore).Select(t => $"{t.Previous}->{t.Current}").ToList();
        Log(changes.Count == 0 ? "no state change" : string.Join(", ", changes));
    }

    public Task PublishAsync(params string[] labels) => Gateway.SendAsync(new ScenarioCommand(ScenarioActions.Publish, SessionId, labels), CancellationToken);

    public Task HoldReconnectsAsync() => Gateway.SendAsync(new ScenarioCommand(ScenarioActions.HoldReconnects), CancellationToken);

    public Task ReleaseReconnectsAsync() => Gateway.SendAsync(new ScenarioCommand(ScenarioActions.ReleaseReconnects), CancellationToken);

    public Task DropAsync() => Gateway.SendAsync(new ScenarioCommand(ScenarioActions.Drop), CancellationToken);

    public Task StallAsync() => Gateway.SendAsync(new ScenarioCommand(ScenarioActions.Stall), CancellationToken);

    public Task EvictThroughAsync(long sequence) => Gateway.SendAsync(new ScenarioCommand(ScenarioActions.Evict, SessionId, Number: sequence), CancellationToken);

    public Task RestartAsync(string mode) => Gateway.SendAsync(new ScenarioCommand(ScenarioActions.Restart, Mode: mode), CancellationToken);

    public Task WaitForPongsAsync(int count) => Gateway.SendAsync(new ScenarioCommand(ScenarioActions.WaitForPongs, Number: count), CancellationToken);

    /// <summary>Logs where the latest handshake resumed from (<c>resumed from 2</c>, or <c>not resumed</c>).</summary>
    public async Task LogResumedFromAsync()
    {
        var from = await Gateway.SendAsync(new ScenarioCommand(ScenarioActions.ResumedFrom), CancellationToken);
        Log(from is { } since ? $"resumed from {since}" : "not resumed");
    }

    /// <summary>Sends Praxis's <c>CHAT_MESSAGE</c> with <paramref name="content"/> and logs the reply's content.</summary>
    public async Task LogReplyAsync(string content)
    {
        var request = System.Text.Json.JsonSerializer.SerializeToElement(new ChatRequest(content), PortableJson.Default.ChatRequest);
        var reply = await Client.RequestAsync(Praxis.PraxisCommands.ChatMessage, request, CancellationToken);
        Log($"reply {reply.GetProperty("content").GetString()}");
    }

    /// <summary>Logs how many handshakes the gateway completed.</summary>
    public async Task LogHandshakesAsync() =>
        Log($"handshakes {await Gateway.SendAsync(new ScenarioCommand(ScenarioActions.Handshakes), CancellationToken)}");
}
