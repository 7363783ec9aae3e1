using System.Text.Json;
using Gateway.Client.Testing;
using Gateway.Client.PraisonAI;

namespace Gateway.Client.ConformanceTests;

/// <summary>docs/protocol.md, "Frames": numbered events, both envelope shapes, replay, duplicates, the cursor.</summary>
public class NumberedEventsAndReplayTests
{
    [Fact]
    public async Task A_turn_arrives_as_numbered_events_in_order_in_both_envelope_shapes()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());

        await client.SendMessageAsync("hello world", Harness.Deadline());
        var events = await client.ReadUntilAsync(Harness.IsFinalResponse, Harness.Deadline());

        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long?)i), events.Select(e => e.Sequence));
        Assert.All(events, e => Assert.False(e.IsReplay));
        Assert.Equal("response", events[0].Type);
        Assert.Equal("accepted", events[0].Frame.GetProperty("status").GetString());
        var tokens = events.Where(e => e.Type == "token_stream").Select(e => e.Frame.GetProperty("data").GetProperty("content").GetString());
        Assert.Equal("echo: hello world", string.Concat(tokens));
        Assert.Equal("stream_end", events[^2].Type);
        Assert.Equal("ok", events[^1].Frame.GetProperty("outcome").GetProperty("status").GetString());
        Assert.Equal(events[^1].Sequence, client.Cursor);
    }

    [Fact]
    public async Task The_payload_is_the_frame_exactly_as_sent()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());
        var session = gateway.GetSession(client.Session!.SessionId);

        await session.PublishAsync("tool_call_stream", new() { ["name"] = "search", ["args"] = new System.Text.Json.Nodes.JsonObject { ["q"] = "x" } });
        var e = Assert.Single(await client.ReadAsync(1, Harness.Deadline()));

        var sent = JsonDocument.Parse(session.Retained.Single().Json).RootElement;
        Assert.Equal(sent.GetRawText(), e.Frame.GetRawText());
        Assert.Equal(sent.GetRawText(), System.Text.Encoding.UTF8.GetString(e.Utf8Frame.Span));
    }

    [Fact]
    public async Task A_resume_replays_what_was_missed_unwrapped_and_marked_before_live_events()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());
        var id = client.Session!.SessionId;
        await gateway.PublishAsync(id, "message", Harness.Data("text", "1"), EnvelopeShape.Flat);
        await client.ReadAsync(1, Harness.Deadline());
        await client.DisconnectAsync(Harness.Deadline());

        await gateway.PublishAsync(id, "message", Harness.Data("text", "2"), EnvelopeShape.Flat);
        await gateway.PublishAsync(id, "token_stream", Harness.Data("content", "3"), EnvelopeShape.Wrapped);
        var liveFrameOfThree = gateway.GetSession(id).Retained.Single(r => r.Sequence == 3).Json;
        await client.ConnectAsync(Harness.Deadline());
        await gateway.PublishAsync(id, "message", Harness.Data("text", "4"), EnvelopeShape.Flat);
        var events = await client.ReadUntilAsync(e => e.Sequence == 4, Harness.Deadline());

        var hello = await (await gateway.WaitForHandshakeAsync(2, Harness.Deadline())).WaitForFrameAsync("hello", Harness.Deadline());
        Assert.Equal(id, hello.GetProperty("session_id").GetString());
        Assert.Equal(1, hello.GetProperty("since").GetInt64());
        Assert.True(client.Session!.Resumed);

        var numbered = events.Where(e => e.Sequence is not null).ToList();
        Assert.Equal(new long?[] { 2, 3, 4 }, numbered.Select(e => e.Sequence));
        Assert.Equal(new[] { true, true, false }, numbered.Select(e => e.IsReplay));
        Assert.Equal("token_stream", numbered[1].Type);
        Assert.Equal(JsonDocument.Parse(liveFrameOfThree).RootElement.GetRawText(), numbered[1].Frame.GetRawText());
        Assert.Equal(2, client.Statistics.EventsReplayed);
    }

    [Fact]
    public async Task Replayed_duplicates_of_accepted_events_are_dropped_and_counted()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());
        var id = client.Session!.SessionId;
        var session = gateway.GetSession(id);
        await session.PublishAsync("message", Harness.Data("text", "1"), EnvelopeShape.Flat);
        await session.PublishAsync("message", Harness.Data("text", "2"), EnvelopeShape.Flat);
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());

        // A server replaying more than asked: events 1 and 2 again, then a new one.
        foreach (var retained in session.Retained)
        {
            await connection.SendTextAsync("{\"type\":\"replay\",\"event\":{\"type\":\"" + retained.Type + "\",\"sequence\":" + retained.Sequence + ",\"data\":" + retained.Json + "}}");
            await connection.SendTextAsync(retained.Json);
        }

        await session.PublishAsync("message", Harness.Data("text", "3"), EnvelopeShape.Flat);
        var events = await client.ReadUntilAsync(e => e.Sequence == 3, Harness.Deadline());

        Assert.Equal(new long?[] { 1, 2, 3 }, events.Select(e => e.Sequence));
        Assert.Equal(4, client.Statistics.DuplicatesDropped);
    }

    [Fact]
    public async Task The_cursor_is_the_last_number_delivered_not_the_last_received()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());
        var id = client.Session!.SessionId;
        for (var i = 0; i < 5; i++)
        {
            await gateway.PublishAsync(id, "message", Harness.Data("n", i.ToString()), EnvelopeShape.Flat);
        }

        await client.ReadAsync(2, Harness.Deadline());

        Assert.Equal(2, client.Cursor);
        await client.ReadAsync(3, Harness.Deadline());
        Assert.Equal(5, client.Cursor);
    }
}
