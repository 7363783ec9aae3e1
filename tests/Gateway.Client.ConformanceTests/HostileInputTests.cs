using System.Net.WebSockets;
using System.Text;
using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// A hostile-input corpus, end to end: each kind of bad frame arrives between two good events. The
/// good ones are delivered in order, the bad one is a logged and counted skip (or, for an unknown type,
/// an unnumbered event as the contract says), and the connection stays up.
/// </summary>
public class HostileInputTests
{
    public enum Expect
    {
        Malformed,
        LateHandshake,
        Unmatched,
        Duplicate,
        Unnumbered,
        Ignored,
    }

    public static TheoryData<string, string, Expect> Corpus => new()
    {
        { "not JSON", "this is not json", Expect.Malformed },
        { "empty text", "", Expect.Malformed },
        { "whitespace", "   ", Expect.Malformed },
        { "array", "[1,2,3]", Expect.Malformed },
        { "string", "\"hello\"", Expect.Malformed },
        { "number", "42", Expect.Malformed },
        { "null", "null", Expect.Malformed },
        { "true", "true", Expect.Malformed },
        { "unterminated object", "{\"type\":\"message\"", Expect.Malformed },
        { "two objects", "{\"type\":\"status\"}{\"type\":\"status\"}", Expect.Malformed },
        { "trailing garbage", "{\"type\":\"status\"} xyz", Expect.Malformed },
        { "missing type", "{\"seq\":7}", Expect.Malformed },
        { "type is a number", "{\"type\":7}", Expect.Malformed },
        { "type is null", "{\"type\":null}", Expect.Malformed },
        { "type is an object", "{\"type\":{\"a\":1}}", Expect.Malformed },
        { "type is an array", "{\"type\":[\"message\"]}", Expect.Malformed },
        { "seq as string", "{\"type\":\"message\",\"seq\":\"3\"}", Expect.Malformed },
        { "seq as float", "{\"type\":\"message\",\"seq\":2.5}", Expect.Malformed },
        { "seq negative", "{\"type\":\"message\",\"seq\":-4}", Expect.Malformed },
        { "seq zero", "{\"type\":\"message\",\"seq\":0}", Expect.Malformed },
        { "seq huge", "{\"type\":\"message\",\"seq\":123456789012345678901234567890}", Expect.Malformed },
        { "seq exponent", "{\"type\":\"message\",\"seq\":1e3}", Expect.Malformed },
        { "seq boolean", "{\"type\":\"message\",\"seq\":true}", Expect.Malformed },
        { "seq object", "{\"type\":\"message\",\"seq\":{}}", Expect.Malformed },
        { "seq going backwards", "{\"type\":\"message\",\"seq\":1}", Expect.Duplicate },
        { "seq repeated", "{\"type\":\"message\",\"seq\":1,\"again\":true}", Expect.Duplicate },
        { "replay without event", "{\"type\":\"replay\"}", Expect.Malformed },
        { "replay event not an object", "{\"type\":\"replay\",\"event\":5}", Expect.Malformed },
        { "replay without data", "{\"type\":\"replay\",\"event\":{\"type\":\"message\",\"sequence\":2}}", Expect.Malformed },
        { "replay data not an object", "{\"type\":\"replay\",\"event\":{\"type\":\"message\",\"sequence\":2,\"data\":\"x\"}}", Expect.Malformed },
        { "replay without sequence", "{\"type\":\"replay\",\"event\":{\"type\":\"message\",\"data\":{\"type\":\"message\"}}}", Expect.Malformed },
        { "replay sequence as string", "{\"type\":\"replay\",\"event\":{\"sequence\":\"2\",\"data\":{\"type\":\"message\"}}}", Expect.Malformed },
        { "replay without any type", "{\"type\":\"replay\",\"event\":{\"sequence\":2,\"data\":{\"x\":1}}}", Expect.Malformed },
        { "replay of an old event", "{\"type\":\"replay\",\"event\":{\"sequence\":1,\"data\":{\"type\":\"message\",\"seq\":1}}}", Expect.Duplicate },
        { "late hello_ok", "{\"type\":\"hello_ok\",\"protocol\":2,\"session_id\":\"other\",\"cursor\":99}", Expect.LateHandshake },
        { "duplicate hello_ok without fields", "{\"type\":\"hello_ok\"}", Expect.LateHandshake },
        { "late hello_error", "{\"type\":\"hello_error\",\"code\":\"auth_unauthorized\"}", Expect.LateHandshake },
        { "late joined", "{\"type\":\"joined\",\"session_id\":\"x\",\"cursor\":1}", Expect.LateHandshake },
        { "res for an unknown id", "{\"type\":\"res\",\"id\":\"nobody\",\"ok\":true,\"result\":{}}", Expect.Unmatched },
        { "res without id", "{\"type\":\"res\",\"ok\":true}", Expect.Unmatched },
        { "res with a numeric id", "{\"type\":\"res\",\"id\":5,\"ok\":false}", Expect.Unmatched },
        { "deeply nested", "{\"type\":\"status\",\"x\":" + new string('[', 500) + new string(']', 500) + "}", Expect.Malformed },
        { "nested just under the limit", "{\"type\":\"status\",\"x\":" + new string('[', 60) + new string(']', 60) + "}", Expect.Unnumbered },
        { "unknown type", "{\"type\":\"from_the_future\",\"x\":1}", Expect.Unnumbered },
        { "unknown type with seq null", "{\"type\":\"status\",\"seq\":null}", Expect.Unnumbered },
        { "escaped type", "{\"type\":\"st\\u0061tus\"}", Expect.Unnumbered },
        { "huge string field", "{\"type\":\"status\",\"text\":\"" + new string('x', 200_000) + "\"}", Expect.Unnumbered },
        { "control characters in a string", "{\"type\":\"status\",\"text\":\"a\u0001b\"}", Expect.Malformed },
        { "duplicate keys", "{\"type\":\"status\",\"type\":\"message\"}", Expect.Unnumbered },
        { "ping with a bad seq", "{\"type\":\"ping\",\"seq\":\"x\"}", Expect.Ignored },
        { "pong out of the blue", "{\"type\":\"pong\"}", Expect.Ignored },
        { "comment", "/* hi */ {\"type\":\"status\"}", Expect.Malformed },
        { "single quotes", "{'type':'status'}", Expect.Malformed },
        { "NaN literal", "{\"type\":\"status\",\"x\":NaN}", Expect.Malformed },
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task A_hostile_frame_between_good_events_is_skipped_and_counted_and_nothing_else_is_lost(string kind, string frame, Expect expect)
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, Harness.SingleAttempt));
        await client.ConnectAsync(Harness.Deadline());
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        await connection.SendTextAsync("""{"type":"message","seq":1}""");

        await connection.SendTextAsync(frame);
        await connection.SendTextAsync("""{"type":"message","seq":2}""");
        var events = await client.ReadUntilAsync(e => e.Sequence == 2, Harness.Deadline(5));

        var numbered = events.Where(e => e.Sequence is not null).Select(e => e.Sequence).ToList();
        Assert.Equal(new long?[] { 1, 2 }, numbered);
        Assert.Equal(ConnectionState.Connected, client.State);
        var stats = client.Statistics;
        var unnumbered = events.Count(e => e.Sequence is null);
        switch (expect)
        {
            case Expect.Malformed:
                Assert.Equal(1, stats.MalformedFramesSkipped);
                break;
            case Expect.LateHandshake:
                Assert.Equal(1, stats.LateHandshakeFramesSkipped);
                break;
            case Expect.Unmatched:
                Assert.Equal(1, stats.UnmatchedResponsesSkipped);
                break;
            case Expect.Duplicate:
                Assert.Equal(1, stats.DuplicatesDropped);
                break;
            case Expect.Unnumbered:
                Assert.Equal(1, unnumbered);
                break;
        }

        if (expect != Expect.Unnumbered)
        {
            Assert.Equal(0, unnumbered);
        }

        Assert.Equal(0, stats.Gaps);
        _ = kind;
    }

    [Fact]
    public async Task A_binary_frame_is_skipped_and_counted()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, Harness.SingleAttempt));
        await client.ConnectAsync(Harness.Deadline());
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());

        await connection.SendBinaryAsync(Encoding.UTF8.GetBytes("""{"type":"message","seq":1}"""));
        await connection.SendTextAsync("""{"type":"message","seq":1}""");

        Assert.Equal(1, Assert.Single(await client.ReadAsync(1, Harness.Deadline())).Sequence);
        Assert.Equal(1, client.Statistics.NonTextFramesSkipped);
    }

    [Fact]
    public async Task A_close_with_an_unknown_code_is_resumed()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, Harness.ImmediateReconnect));
        var states = new StateRecorder(client);
        await client.ConnectAsync(Harness.Deadline());

        await (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).CloseAsync(4777, "made up");

        await states.WaitForAsync(ConnectionState.Connected, 2);
        Assert.Equal(4777, (int)((GatewayConnectionException)(await states.WaitForAsync(ConnectionState.Reconnecting)).Cause!).CloseStatus!.Value);
    }

    [Fact]
    public async Task A_server_that_accepts_the_upgrade_and_never_speaks_is_a_typed_timeout()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { LegacyOnly = true });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
        {
            o.TimeProvider = clock;
            o.HandshakeTimeout = TimeSpan.FromSeconds(4);
            o.Reconnect.MaxAttempts = 1;
        }));

        var connecting = client.ConnectAsync(Harness.Deadline());
        var connection = await gateway.WaitForConnectionAsync(1, Harness.Deadline());
        await connection.WaitForFrameAsync("hello", Harness.Deadline());

        // From here the server reads nothing: the join the client falls back to is never answered either.
        // (Stalling only after the join arrived would race the legacy server's 'joined'.)
        connection.Stall();
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(4), Harness.Deadline());
        clock.Advance(TimeSpan.FromSeconds(4)); // hello unanswered: fall back to join
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(4), Harness.Deadline());
        clock.Advance(TimeSpan.FromSeconds(4)); // join unanswered: give up

        var error = await Assert.ThrowsAsync<GatewayHandshakeException>(() => connecting);
        Assert.Equal(HandshakeErrorCodes.Timeout, error.Code);
    }
}
