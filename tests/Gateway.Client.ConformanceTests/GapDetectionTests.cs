using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>docs/protocol.md, "Numbering, duplicates and gaps": every hole is reported once, with its exact range, in stream order.</summary>
public class GapDetectionTests
{
    /// <summary>Logs each gap as OnGap sees it, into the log the consumer's events go to.</summary>
    private static List<string> LogGaps(GatewayClient client)
    {
        var log = new List<string>();
        client.OnGap((gap, _) =>
        {
            log.Add($"gap {gap.Reason} {gap.Expected}->{gap.Received?.ToString() ?? "?"}");
            return Task.CompletedTask;
        });
        return log;
    }

    /// <summary>Leaves the session, lets the server change while the client is away, and comes back.</summary>
    private static async Task AwayAsync(GatewayClient client, Func<Task> whileAway)
    {
        await client.DisconnectAsync(Harness.Deadline());
        await whileAway();
        await client.ConnectAsync(Harness.Deadline());
    }

    /// <summary>Logs each event as the consumer receives it, so the log interleaves with OnGap calls exactly.</summary>
    private static async Task ReadIntoAsync(GatewayClient client, List<string> log, Func<GatewayEvent, bool> until)
    {
        await foreach (var e in client.ReadEventsAsync(Harness.Deadline()))
        {
            log.Add(e.Sequence is { } seq ? $"{(e.IsReplay ? "replay" : "live")} {seq}" : e.Type);
            if (until(e))
            {
                return;
            }
        }
    }

    [Fact]
    public async Task A_forward_jump_reports_the_gap_after_the_events_before_it_and_before_the_one_after()
    {
        await using var s = await Scenario.StartAsync();
        var (gateway, client, _) = s;
        var log = LogGaps(client);
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());

        await connection.SendTextAsync("""{"type":"message","seq":1}""");
        await connection.SendTextAsync("""{"type":"message","seq":2}""");
        await connection.SendTextAsync("""{"type":"message","seq":6}""");
        await connection.SendTextAsync("""{"type":"message","seq":7}""");
        await ReadIntoAsync(client, log, e => e.Sequence == 7);

        Assert.Equal(new[] { "live 1", "live 2", "gap SequenceJump 3->6", "live 6", "live 7" }, log);
        Assert.Equal(7, client.Cursor);
    }

    [Fact]
    public async Task OnGap_runs_in_stream_order_even_when_the_consumer_is_slower_than_the_socket()
    {
        await using var s = await Scenario.StartAsync();
        var (gateway, client, _) = s;
        var log = LogGaps(client);
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());

        // Everything is on the wire before the consumer reads anything.
        foreach (var seq in new[] { 1, 2, 3, 10, 11 })
        {
            await connection.SendTextAsync($$"""{"type":"message","seq":{{seq}}}""");
        }

        await connection.SendTextAsync("""{"type":"marker"}""");
        var cursorSeenByHandler = -1L;
        using var cursorProbe = client.OnGap((_, _) =>
        {
            cursorSeenByHandler = client.Cursor;
            return Task.CompletedTask;
        });
        await ReadIntoAsync(client, log, e => e.Type == "marker");

        Assert.Equal(new[] { "live 1", "live 2", "live 3", "gap SequenceJump 4->10", "live 10", "live 11", "marker" }, log);
        Assert.Equal(3, cursorSeenByHandler);
    }

    [Theory]
    [InlineData(2)] // hello_ok announces the oldest retained number: the gap is known at the handshake
    [InlineData(1)] // no oldest retained number (as PraisonAI): the hole shows at the start of the replay
    public async Task An_evicted_replay_window_is_reported_with_the_missing_range_then_the_rest_is_replayed(int protocol)
    {
        await using var s = await Scenario.StartAsync(new TestGatewayOptions { ProtocolMax = protocol });
        var (gateway, client, _) = s;
        var log = LogGaps(client);
        var id = client.Session!.SessionId;
        await gateway.PublishMessagesAsync(id, "1");
        await ReadIntoAsync(client, log, e => e.Sequence == 1);
        await AwayAsync(client, async () =>
        {
            await gateway.PublishMessagesAsync(id, "2", "3", "4", "5", "6", "7", "8");
            gateway.EvictHistory(id, 5);
        });
        await ReadIntoAsync(client, log, e => e.Sequence == 8);

        Assert.Equal(protocol, client.Session!.Protocol);
        Assert.Equal(new[] { "live 1", "left", "gap ReplayWindowExceeded 2->6", "replay 6", "replay 7", "replay 8" }, log);
    }

    [Fact]
    public async Task A_restart_that_loses_history_is_a_server_reset()
    {
        await using var s = await Scenario.StartAsync();
        var (gateway, client, _) = s;
        var log = LogGaps(client);
        var id = client.Session!.SessionId;
        var epochBefore = client.Session.Epoch;
        await gateway.PublishMessagesAsync(id, "1", "2", "3");
        await ReadIntoAsync(client, log, e => e.Sequence == 3);
        await AwayAsync(client, () => gateway.RestartAsync(RestartMode.LoseHistory));
        await gateway.PublishMessagesAsync(id, "new-1");
        await ReadIntoAsync(client, log, e => e.Sequence == 1);

        Assert.NotEqual(epochBefore, client.Session!.Epoch);
        Assert.Equal(new[] { "live 1", "live 2", "live 3", "left", "gap ServerReset 4->?", "live 1" }, log);
        Assert.Equal(1, client.Cursor);
    }

    [Fact]
    public async Task A_new_epoch_with_a_head_past_since_is_a_server_reset()
    {
        await using var s = await Scenario.StartAsync();
        var (gateway, client, _) = s;
        var log = LogGaps(client);
        var id = client.Session!.SessionId;
        await gateway.PublishMessagesAsync(id, "1");
        await ReadIntoAsync(client, log, e => e.Sequence == 1);
        await AwayAsync(client, async () =>
        {
            await gateway.RestartAsync(RestartMode.LoseHistory);
            await gateway.PublishMessagesAsync(id, "new-1", "new-2", "new-3");
        });
        await ReadIntoAsync(client, log, e => e.Sequence == 3);

        // The head (3) is past since (1): only the epoch says the numbers mean something else now.
        Assert.Equal(new[] { "live 1", "left", "gap ServerReset 2->?", "replay 2", "replay 3" }, log);
    }

    [Fact]
    public async Task A_forgotten_session_is_reported_as_lost_and_the_new_numbering_is_followed()
    {
        await using var s = await Scenario.StartAsync();
        var (gateway, client, _) = s;
        var log = LogGaps(client);
        var id = client.Session!.SessionId;
        await gateway.PublishMessagesAsync(id, "1");
        await ReadIntoAsync(client, log, e => e.Sequence == 1);
        await AwayAsync(client, () => gateway.RestartAsync(RestartMode.ForgetSessions));
        await gateway.PublishMessagesAsync(id, "fresh-1");
        await ReadIntoAsync(client, log, e => e.Sequence == 1);

        Assert.False(client.Session!.Resumed);
        Assert.Equal(id, client.Session.SessionId);
        Assert.Equal(new[] { "live 1", "left", "gap SessionLost 2->?", "live 1" }, log);
    }

    [Fact]
    public async Task An_exception_from_OnGap_ends_the_enumeration_with_that_exception()
    {
        using var logs = new CapturingLoggerProvider();
        await using var s = await Scenario.StartAsync(logs: logs);
        var (gateway, client, _) = s;
        var later = 0;
        client.OnGap((_, _) => throw new InvalidOperationException("resync failed"));
        client.OnGap((_, _) =>
        {
            later++;
            return Task.CompletedTask;
        });
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        await connection.SendTextAsync("""{"type":"message","seq":5}""");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.ReadAsync(1, Harness.Deadline()));

        Assert.Equal("resync failed", error.Message);
        Assert.Equal(0, later); // the handlers after the one that threw do not run
        Assert.Same(error, Assert.Single(logs.Entries, e => e.EventId == 15).Exception);
    }
}
