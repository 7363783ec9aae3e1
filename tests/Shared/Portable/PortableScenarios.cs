namespace Gateway.Client.Portable;

/// <summary>
/// The conformance scenarios that run both on the server runtime (Gateway.Client.ConformanceTests) and inside Chromium
/// (Gateway.Client.BrowserTests, through tests/Gateway.Client.BrowserConformance): reconnect, resume, gap detection,
/// heartbeats, typed events and typed requests. Each one's expected transcript is the same in both places.
/// </summary>
internal static class PortableScenarios
{
    /// <summary>Every scenario, by name.</summary>
    public static IReadOnlyList<PortableScenario> All { get; } =
    [
        new("typed-events",
            "Numbered events arrive in order, live, with their data read as a typed record (source-generated JSON).",
            new(),
            null,
            async s =>
            {
                await s.PublishAsync("a", "b", "c");
                await s.ReadIntoAsync(e => e.Sequence == 3, e => $"live {e.Sequence} {e.Type} {e.GetData(PortableJson.Default.MessageData).N}");
            },
            ["live 1 message a", "live 2 message b", "live 3 message c"]),

        new("typed-request",
            "A request with a typed body gets the method's typed answer.",
            new(),
            null,
            async s =>
            {
                var reply = await s.Client.RequestAsync("echo", new EchoRequest("hello"), PortableJson.Default.EchoRequest, PortableJson.Default.EchoReply, s.CancellationToken);
                s.Log($"reply {reply.Text}");
            },
            ["reply HELLO"]),

        new("resume-after-drop",
            "A dropped connection is retried (refused upgrades included) and resumed: what was published while away is replayed once, then live events go on.",
            new(),
            null,
            async s =>
            {
                await s.PublishAsync("1", "2");
                await s.ReadThroughAsync(2);
                await s.HoldReconnectsAsync();
                await s.DropAsync();
                await s.WaitForStateAsync(ConnectionState.Reconnecting);
                await s.PublishAsync("3", "4", "5");
                await s.ReleaseReconnectsAsync();
                await s.WaitForStateAsync(ConnectionState.Connected, 2);
                s.LogStateChanges();
                await s.LogResumedFromAsync();
                await s.ReadThroughAsync(5);
                await s.PublishAsync("6");
                await s.ReadThroughAsync(6);
            },
            ["live 1", "live 2", "Connected->Reconnecting, Reconnecting->Connected", "resumed from 2", "replay 3", "replay 4", "replay 5", "live 6"]),

        new("gap-beyond-replay-window",
            "Missing more than the gateway still holds is one ReplayWindowExceeded gap with its exact range, in stream order before the replay.",
            new(),
            null,
            async s =>
            {
                await s.PublishAsync("1");
                await s.ReadThroughAsync(1);
                await s.HoldReconnectsAsync();
                await s.DropAsync();
                await s.WaitForStateAsync(ConnectionState.Reconnecting);
                await s.PublishAsync("2", "3", "4", "5", "6", "7", "8");
                await s.EvictThroughAsync(5);
                await s.ReleaseReconnectsAsync();
                await s.ReadThroughAsync(8);
            },
            ["live 1", "gap ReplayWindowExceeded 2->6", "replay 6", "replay 7", "replay 8"]),

        new("server-reset",
            "A gateway restart that loses history (a new epoch) is a ServerReset gap, and the new numbering is followed.",
            new(),
            null,
            async s =>
            {
                await s.PublishAsync("1", "2", "3");
                await s.ReadThroughAsync(3);
                await s.RestartAsync("LoseHistory");
                await s.WaitForStateAsync(ConnectionState.Connected, 2);
                await s.PublishAsync("new-1");
                await s.ReadThroughAsync(1);
            },
            ["live 1", "live 2", "live 3", "gap ServerReset 4->?", "live 1"]),

        new("session-lost",
            "A gateway restart that forgets the session is a SessionLost gap, and the new numbering is followed.",
            new(),
            null,
            async s =>
            {
                await s.PublishAsync("1");
                await s.ReadThroughAsync(1);
                await s.RestartAsync("ForgetSessions");
                await s.WaitForStateAsync(ConnectionState.Connected, 2);
                await s.PublishAsync("fresh-1");
                await s.ReadThroughAsync(1);
            },
            ["live 1", "gap SessionLost 2->?", "live 1"]),

        new("heartbeat-detects-a-dead-connection",
            "A connection that goes silent (the gateway stalls, the socket stays open) is found dead by the client's heartbeat, dropped and resumed.",
            new(),
            // Real time: 2 s leaves a busy machine room for a late pong, and finds the stall in about 4 s.
            o => o.HeartbeatInterval = TimeSpan.FromSeconds(2),
            async s =>
            {
                await s.PublishAsync("1");
                await s.ReadThroughAsync(1);
                await s.StallAsync();
                await s.WaitForStateAsync(ConnectionState.Connected, 2);
                s.LogStateChanges();
                await s.LogResumedFromAsync();
                await s.PublishAsync("2");
                await s.ReadThroughAsync(2);
            },
            ["live 1", "Connected->Reconnecting, Reconnecting->Connected", "resumed from 1", "live 2"]),

        new("heartbeat-answers-the-gateway",
            "The gateway's pings are answered, so its liveness check keeps the connection; no ping reaches the stream.",
            // The client's floor for a gateway's heartbeat_ms is 1 s; the gateway reaps after two silent intervals, so a
            // late timer tick on a busy machine cannot reap a client that answers.
            new(ServerHeartbeatMilliseconds: 1000),
            null,
            async s =>
            {
                await s.WaitForPongsAsync(2);
                await s.PublishAsync("1");
                await s.ReadThroughAsync(1);
                s.LogStateChanges();
                await s.LogHandshakesAsync();
            },
            ["live 1", "no state change", "handshakes 1"]),

        new("praxis-dead-connection",
            "Praxis may be silent for hours, so its liveness is a ping: the socket's keep-alive on the server runtime, the client's own PING in a browser (which has no keep-alive setting). A frozen gateway is found either way, and requests work after the reconnect.",
            new(Praxis: true),
            o =>
            {
                o.Dialect = ProtocolDialect.Praxis;
                o.AgentId = null;
                o.HeartbeatInterval = TimeSpan.FromSeconds(2);   // real time: room for a late pong on a busy machine
            },
            async s =>
            {
                await s.LogReplyAsync("before");
                await s.StallAsync();
                await s.WaitForStateAsync(ConnectionState.Connected, 2);
                s.LogStateChanges();
                await s.LogReplyAsync("after");
                await s.LogHandshakesAsync();
            },
            ["reply I received your message: before", "Connected->Reconnecting, Reconnecting->Connected", "reply I received your message: after", "handshakes 2"]),
    ];

    /// <summary>The scenario named <paramref name="name"/>.</summary>
    public static PortableScenario Find(string name) =>
        All.FirstOrDefault(s => s.Name == name) ?? throw new ArgumentException($"No portable scenario is named '{name}'.", nameof(name));
}
