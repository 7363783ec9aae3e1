using System.Net.WebSockets;
using System.Text;
using Gateway.Client.Diagnostics;
using Gateway.Client.Dialects;
using Gateway.Client.Dialects.Praxis;
using Gateway.Client.Engine;
using Gateway.Client.Wire;
using Microsoft.Extensions.Logging.Abstractions;
using Gateway.Client.Praxis;

namespace Gateway.Client.Tests;

/// <summary>
/// The per-connection owner over a socket that was never opened: what it does with answers matched by their order on
/// the wire (Praxis) when no request waits for them any more.
/// </summary>
public class LiveConnectionTests
{
    private static readonly GatewayClientOptions Options = new() { Url = new Uri("ws://127.0.0.1/ws"), AgentId = "unit", Dialect = ProtocolDialect.Praxis };

    private static (LiveConnection Live, PraxisConnection Wire) Praxis()
    {
        var counters = new ClientCounters(new ClientTelemetry(Options));
        var dialect = new PraxisDialect(new PraxisOptions());
        var pipeline = new InboundPipeline(new SequenceTracker(), dialect, counters, NullLogger.Instance, new EventBuffer(16, BackpressureMode.Wait, counters));
        var wire = Assert.IsType<PraxisConnection>(dialect.BeginConnection());
        return (UnopenedConnection.Live(dialect, pipeline, Options, protocol: 1, frames: wire), wire);
    }

    private static void Written(PraxisConnection wire, string id) =>
        wire.Sending(Encoding.UTF8.GetBytes("{\"type\":\"CHAT_MESSAGE\",\"id\":\"" + id + "\",\"payload\":{\"content\":\"" + id + "\"}}"), isRequest: true);

    private static ValueTask ReceiveAsync(LiveConnection live, string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        return live.OnMessageAsync(ReceivedMessage.Data(WebSocketMessageType.Text, PayloadSlab.Wrap(bytes), 0, bytes.Length), default);
    }

    [Fact]
    public async Task An_answer_matched_by_order_to_a_request_given_up_closes_the_connection_instead_of_shifting_the_answers_behind_it()
    {
        var (live, wire) = Praxis();
        Written(wire, "r1"); // given up: it timed out, nobody waits for it
        Written(wire, "r2");
        Written(wire, "r3");
        var second = live.Requests.TryRegister("r2", null, null, false)!;
        var third = live.Requests.TryRegister("r3", null, null, false)!;

        // r1's late answer, or r2's with r1's lost: order cannot tell.
        await ReceiveAsync(live, """{"type":"chatMessage","payload":{"content":"which?","sender":"assistant","type":"text"}}""");

        Assert.True(live.Socket.IsClosing);
        Assert.False(second.IsCompleted);
        live.End(new GatewayConnectionException("ended") { OutcomeUnknown = true });
        Assert.True((await Assert.ThrowsAsync<GatewayConnectionException>(() => second)).OutcomeUnknown);
        Assert.True((await Assert.ThrowsAsync<GatewayConnectionException>(() => third)).OutcomeUnknown);
    }

    [Fact]
    public async Task An_answer_that_names_a_request_given_up_is_skipped_and_the_connection_kept()
    {
        var (live, wire) = Praxis();
        Written(wire, "r1");
        Written(wire, "r2");
        var second = live.Requests.TryRegister("r2", null, null, false)!;

        // A PONG names its ping by correlation_id; here an error names r1: its own late answer, nobody else's.
        await ReceiveAsync(live, """{"type":"error","payload":{"message":"late","code":"X"},"correlation_id":"r1"}""");
        await ReceiveAsync(live, """{"type":"chatMessage","payload":{"content":"for r2","sender":"assistant","type":"text"}}""");

        Assert.False(live.Socket.IsClosing);
        Assert.Equal("for r2", (await second).Result!.Value.GetProperty("content").GetString());
    }
}
