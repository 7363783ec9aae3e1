using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Client.Testing;
using Gateway.Client.TestSupport;
using Gateway.Client.OpenClaw;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// Requests are at most once, per dialect (docs/reliability.md, "Requests: at most once"): a request belongs to the
/// connection its frame was written on. One never written goes to the next connection and is not failed by the old
/// one's end; one written on a connection that ends before its answer fails with <c>OutcomeUnknown</c> and is never
/// sent again, unless it carries an idempotency key the dialect can carry.
/// </summary>
public class RequestsAtMostOnceTests
{
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(30);

    public static TheoryData<ProtocolDialect> Dialects => new() { ProtocolDialect.PraisonAI, ProtocolDialect.OpenClaw, ProtocolDialect.Praxis };

    /// <summary>Each dialect's way to ask the test gateway something whose answer names the question.</summary>
    private sealed record Wire(ProtocolDialect Dialect, TestGatewayDialect Server, string Method, Func<string, JsonElement> Parameters, Func<JsonElement, string?> Answer, Func<JsonElement, bool> IsRequest)
    {
        public static Wire For(ProtocolDialect dialect) => dialect switch
        {
            ProtocolDialect.Praxis => new(dialect, TestGatewayDialect.Praxis, "CHAT_MESSAGE", Content, r => r.GetProperty("content").GetString(), f => f.GetProperty("type").GetString() == "CHAT_MESSAGE"),
            ProtocolDialect.OpenClaw => new(dialect, TestGatewayDialect.OpenClaw, "echo", Content, r => "I received your message: " + r.GetProperty("content").GetString(), IsEcho),
            _ => new(dialect, TestGatewayDialect.PraisonAI, "echo", Content, r => "I received your message: " + r.GetProperty("content").GetString(), IsEcho),
        };

        private static JsonElement Content(string text) => JsonSerializer.SerializeToElement(new JsonObject { ["content"] = text });

        private static bool IsEcho(JsonElement frame) => frame.GetProperty("type").GetString() == "req" && frame.GetProperty("method").GetString() == "echo";
    }

    private static async Task<(TestGateway Gateway, GatewayClient Client, StateRecorder States, Wire Wire)> StartAsync(ProtocolDialect dialect, ObservableFakeTimeProvider clock)
    {
        var wire = Wire.For(dialect);
        var gateway = await TestGateway.StartAsync(new TestGatewayOptions
        {
            Dialect = wire.Server,
            Token = dialect == ProtocolDialect.OpenClaw ? "oc-secret" : null,
            EnableHeartbeat = false,
            MaxPayload = 64 * 1024 * 1024,
        });
        gateway.RegisterMethod("echo", (parameters, _) => Task.FromResult<JsonNode?>(new JsonObject { ["content"] = parameters.GetProperty("content").GetString() }));
        var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
        {
            Harness.ImmediateReconnect(o);
            o.Dialect = dialect;
            o.TimeProvider = clock;
            o.SendTimeout = SendTimeout;
        }));
        var states = new StateRecorder(client);
        await client.ConnectAsync(Harness.Deadline());
        return (gateway, client, states, wire);
    }

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task A_request_registered_on_a_connection_that_ends_before_writing_it_goes_to_the_next_one_and_is_answered_there(ProtocolDialect dialect)
    {
        var clock = new ObservableFakeTimeProvider();
        var (gateway, client, states, wire) = await StartAsync(dialect, clock);
        await using var _ = gateway;
        await using var __ = client;
        var first = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        var dying = client.LiveConnection!;

        // A frame larger than every socket buffer holds the send lock while the gateway does not read.
        first.StopReading();
        var stuck = client.SendAsync(Encoding.UTF8.GetBytes($$"""{"type":"bulk","pad":"{{new string('x', 40 * 1024 * 1024)}}"}"""), Harness.Deadline());
        await clock.WaitForTimerAsync(SendTimeout, Harness.Deadline());

        // The request is registered on this connection and waits behind the stuck send: nothing of it is written.
        var request = client.RequestAsync(wire.Method, wire.Parameters("seven"), cancellationToken: Harness.Deadline());
        Assert.Equal(1, dying.Requests.Count);
        Assert.False(request.IsCompleted);

        // The connection ends (its end settles what was written on it) before the request could be written.
        first.Drop();
        await Assert.ThrowsAsync<GatewayConnectionException>(() => stuck.WaitAsync(Harness.Deadline()));
        var second = await gateway.WaitForHandshakeAsync(2, Harness.Deadline());

        // Not failed by the old connection's end: written once, on the next connection, and answered there.
        var answer = await request.WaitAsync(Harness.Deadline());
        Assert.Equal("I received your message: seven", wire.Answer(answer));
        Assert.Single(second.ReceivedFrames, f => wire.IsRequest(f));
        Assert.Null(dying.Requests.TryRegister("late", null, null, false)); // the ended connection takes no request
        await states.WaitForAsync(ConnectionState.Connected, 2);
    }

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task A_request_written_on_a_connection_that_ends_before_its_answer_fails_as_outcome_unknown_and_is_never_resent(ProtocolDialect dialect)
    {
        var clock = new ObservableFakeTimeProvider();
        var (gateway, client, states, wire) = await StartAsync(dialect, clock);
        await using var _ = gateway;
        await using var __ = client;
        var first = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());

        // The gateway reads the request (so it was written whole) and never answers; then the connection dies.
        first.Mute();
        var request = client.RequestAsync(wire.Method, wire.Parameters("once"), cancellationToken: Harness.Deadline());
        await first.WaitForFrameAsync(wire.IsRequest, Harness.Deadline());
        first.Drop();

        var error = await Assert.ThrowsAsync<GatewayConnectionException>(() => request.WaitAsync(Harness.Deadline()));
        Assert.True(error.OutcomeUnknown);
        Assert.Contains("outcome is unknown", error.Message, StringComparison.Ordinal);
        var second = await gateway.WaitForHandshakeAsync(2, Harness.Deadline());
        await states.WaitForAsync(ConnectionState.Connected, 2);
        await client.SendAsync(Encoding.UTF8.GetBytes("""{"type":"marker"}"""), Harness.Deadline());
        await second.WaitForFrameAsync("marker", Harness.Deadline());
        Assert.DoesNotContain(second.ReceivedFrames, f => wire.IsRequest(f));
    }

    [Theory]
    [InlineData(ProtocolDialect.PraisonAI)]
    [InlineData(ProtocolDialect.Praxis)]
    public async Task An_idempotency_key_on_a_dialect_that_cannot_carry_one_is_refused_before_anything_is_sent(ProtocolDialect dialect)
    {
        var clock = new ObservableFakeTimeProvider();
        var (gateway, client, _, wire) = await StartAsync(dialect, clock);
        await using var __ = gateway;
        await using var ___ = client;

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.RequestAsync(wire.Method, wire.Parameters("k"), new OpenClawRequestOptions { IdempotencyKey = "k-1" }, Harness.Deadline()));

        Assert.Equal("options", error.ParamName);
        Assert.Contains("OpenClawRequestOptions are for the OpenClaw dialect", error.Message, StringComparison.Ordinal);
        Assert.Contains("at most once", error.Message, StringComparison.Ordinal);
        Assert.False(client.Capabilities.IdempotencyKeys);
        await client.SendAsync(Encoding.UTF8.GetBytes("""{"type":"marker"}"""), Harness.Deadline());
        var connection = gateway.Handshakes[0];
        await connection.WaitForFrameAsync("marker", Harness.Deadline());
        Assert.DoesNotContain(connection.ReceivedFrames, f => wire.IsRequest(f));
    }

    [Fact]
    public async Task An_OpenClaw_request_with_an_idempotency_key_is_sent_again_on_the_next_connection_with_the_same_key()
    {
        var clock = new ObservableFakeTimeProvider();
        var (gateway, client, _, wire) = await StartAsync(ProtocolDialect.OpenClaw, clock);
        await using var __ = gateway;
        await using var ___ = client;
        var first = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        var calls = 0;
        gateway.RegisterMethod("echo", (parameters, _) =>
        {
            Interlocked.Increment(ref calls);
            return Task.FromResult<JsonNode?>(new JsonObject { ["content"] = parameters.GetProperty("content").GetString(), ["key"] = parameters.GetProperty("idempotencyKey").GetString() });
        });

        // The first connection reads the request and dies before its answer can go out.
        first.Mute();
        var request = client.RequestAsync("echo", wire.Parameters("pay"), new OpenClawRequestOptions { IdempotencyKey = "order-42" }, Harness.Deadline());
        var written = await first.WaitForFrameAsync(wire.IsRequest, Harness.Deadline());
        first.Drop();
        var answer = await request.WaitAsync(Harness.Deadline());

        var second = await gateway.WaitForHandshakeAsync(2, Harness.Deadline());
        Assert.Single(second.ReceivedFrames, f => wire.IsRequest(f));
        var again = second.ReceivedFrames.First(wire.IsRequest);
        Assert.Equal("order-42", written.GetProperty("params").GetProperty("idempotencyKey").GetString());
        Assert.Equal("order-42", again.GetProperty("params").GetProperty("idempotencyKey").GetString());
        Assert.Equal("pay", again.GetProperty("params").GetProperty("content").GetString());
        Assert.Equal("order-42", answer.GetProperty("key").GetString());
        Assert.Equal(2, calls);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_request_given_up_while_it_was_being_written_is_outcome_unknown_and_resent_only_with_its_key(bool withKey)
    {
        var clock = new ObservableFakeTimeProvider();
        var (gateway, client, _, wire) = await StartAsync(ProtocolDialect.OpenClaw, clock);
        await using var __ = gateway;
        await using var ___ = client;
        gateway.RegisterMethod("bulk", (parameters, _) => Task.FromResult<JsonNode?>(new JsonObject { ["length"] = parameters.GetProperty("content").GetString()!.Length }));
        var first = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());

        // Larger than every socket buffer: it cannot be written whole while the gateway does not read.
        first.StopReading();
        var content = new string('x', 40 * 1024 * 1024);
        var request = client.RequestAsync("bulk", wire.Parameters(content), new OpenClawRequestOptions { IdempotencyKey = withKey ? "bulk-1" : null, Timeout = TimeSpan.FromMinutes(5) }, Harness.Deadline());
        await clock.WaitForTimerAsync(SendTimeout, Harness.Deadline());
        clock.Advance(SendTimeout);

        if (!withKey)
        {
            // Part of it may be on the wire: not a "not sent" TimeoutException, and never sent again.
            var error = await Assert.ThrowsAsync<GatewayConnectionException>(() => request.WaitAsync(Harness.Deadline()));
            Assert.True(error.OutcomeUnknown);
            Assert.IsType<TimeoutException>(error.InnerException);
            var next = await gateway.WaitForHandshakeAsync(2, Harness.Deadline());
            await client.SendAsync(Encoding.UTF8.GetBytes("""{"type":"marker"}"""), Harness.Deadline());
            await next.WaitForFrameAsync("marker", Harness.Deadline());
            Assert.DoesNotContain(next.ReceivedFrames, f => f.GetProperty("type").GetString() == "req" && f.GetProperty("method").GetString() == "bulk");
            return;
        }

        // With its key the same frame goes out again on the next connection, and is answered there.
        var answer = await request.WaitAsync(Harness.Deadline());
        Assert.Equal(content.Length, answer.GetProperty("length").GetInt32());
        var second = await gateway.WaitForHandshakeAsync(2, Harness.Deadline());
        var again = second.ReceivedFrames.First(f => f.GetProperty("type").GetString() == "req" && f.GetProperty("method").GetString() == "bulk");
        Assert.Equal("bulk-1", again.GetProperty("params").GetProperty("idempotencyKey").GetString());
    }
}
