using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Client.Testing;
using Gateway.Client.PraisonAI;

namespace Gateway.Client.ConformanceTests;

/// <summary>docs/protocol.md, "Client frames" and "Resync": what the client sends, requests, and the payload guard.</summary>
public class ClientFramesTests
{
    [Fact]
    public async Task A_message_is_sent_as_a_message_frame()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());

        await client.SendMessageAsync("what is \"up\"?", Harness.Deadline());
        await client.SendMessageAsync(JsonDocument.Parse("""{"text":"structured","n":1}""").RootElement, Harness.Deadline());

        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        var text = await connection.WaitForFrameAsync(f => f.GetProperty("type").GetString() == "message" && f.GetProperty("content").ValueKind == JsonValueKind.String, Harness.Deadline());
        var structured = await connection.WaitForFrameAsync(f => f.GetProperty("type").GetString() == "message" && f.GetProperty("content").ValueKind == JsonValueKind.Object, Harness.Deadline());
        Assert.Equal("what is \"up\"?", text.GetProperty("content").GetString());
        Assert.Equal(1, structured.GetProperty("content").GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task Abort_is_sent_with_its_reason()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());

        await client.AbortAsync("user", Harness.Deadline());

        var abort = await (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).WaitForFrameAsync("abort", Harness.Deadline());
        Assert.Equal("user", abort.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Any_frame_can_be_sent_as_json_or_utf8()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());

        await client.SendAsync(JsonDocument.Parse("""{"type":"custom_one","x":[1,2]}""").RootElement, Harness.Deadline());
        await client.SendAsync(Encoding.UTF8.GetBytes("""{"type":"custom_two"}"""), Harness.Deadline());

        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        Assert.Equal(2, (await connection.WaitForFrameAsync("custom_one", Harness.Deadline())).GetProperty("x").GetArrayLength());
        await connection.WaitForFrameAsync("custom_two", Harness.Deadline());
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("""{"no_type":1}""")]
    [InlineData("""{"type":5}""")]
    [InlineData("not json")]
    public async Task Sending_something_that_is_not_a_frame_is_an_argument_error(string json)
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());

        await Assert.ThrowsAsync<ArgumentException>(() => client.SendAsync(Encoding.UTF8.GetBytes(json), Harness.Deadline()));
    }

    [Fact]
    public async Task Sending_before_connecting_is_a_connection_error()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));

        var error = await Assert.ThrowsAsync<GatewayConnectionException>(() => client.SendMessageAsync("hi"));

        Assert.Contains("not connected", error.Message);
    }

    [Fact]
    public async Task A_frame_over_max_payload_is_refused_before_sending_and_the_connection_stays_up()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { MaxPayload = 1024 });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());

        var error = await Assert.ThrowsAsync<GatewayPayloadTooLargeException>(() => client.SendMessageAsync(new string('x', 2000), Harness.Deadline()));
        await client.SendMessageAsync("small", Harness.Deadline());

        Assert.Equal(1024, error.Limit);
        Assert.True(error.Size > 2000);
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        await connection.WaitForFrameAsync(f => f.TryGetProperty("content", out var c) && c.GetString() == "small", Harness.Deadline());
        Assert.DoesNotContain(connection.ReceivedFrames, f => f.TryGetProperty("content", out var c) && c.GetString()!.StartsWith("xxx", StringComparison.Ordinal));
        Assert.Equal(ConnectionState.Connected, client.State);
    }

    [Fact]
    public async Task A_request_gets_its_result()
    {
        await using var gateway = await TestGateway.StartAsync();
        gateway.RegisterMethod("sum", (p, _) => Task.FromResult<JsonNode?>(new JsonObject { ["total"] = p.GetProperty("a").GetInt32() + p.GetProperty("b").GetInt32() }));
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());

        var result = await client.RequestAsync("sum", JsonDocument.Parse("""{"a":2,"b":3}""").RootElement, Harness.Deadline());

        Assert.Equal(5, result.GetProperty("total").GetInt32());
        var request = await (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).WaitForFrameAsync("req", Harness.Deadline());
        Assert.Equal("sum", request.GetProperty("method").GetString());
        Assert.False(string.IsNullOrEmpty(request.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Concurrent_requests_are_matched_to_their_answers_by_id()
    {
        await using var gateway = await TestGateway.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gateway.RegisterMethod("echo", async (p, _) =>
        {
            if (p.GetProperty("slow").GetBoolean())
            {
                await release.Task;
            }

            return new JsonObject { ["value"] = p.GetProperty("value").GetString() };
        });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());

        var slow = client.RequestAsync("echo", JsonDocument.Parse("""{"slow":true,"value":"first"}""").RootElement, Harness.Deadline());
        var fast = await client.RequestAsync("echo", JsonDocument.Parse("""{"slow":false,"value":"second"}""").RootElement, Harness.Deadline());
        release.SetResult();

        Assert.Equal("second", fast.GetProperty("value").GetString());
        Assert.Equal("first", (await slow).GetProperty("value").GetString());
    }

    [Fact]
    public async Task Resync_is_answered_by_the_gateway_with_snapshot_cursor_and_epoch()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());
        await gateway.PublishAsync(client.Session!.SessionId, "message", Harness.Data("n", "1"), EnvelopeShape.Flat);

        var result = await client.RequestAsync("resync", Harness.Deadline());

        Assert.Equal(1, result.GetProperty("cursor").GetInt64());
        Assert.Equal(client.Session.Epoch, result.GetProperty("epoch").GetString());
        Assert.Equal(JsonValueKind.Object, result.GetProperty("snapshot").ValueKind);
    }

    [Fact]
    public async Task A_refused_request_is_a_typed_error_with_the_server_code()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());

        var error = await Assert.ThrowsAsync<GatewayRequestException>(() => client.RequestAsync("no_such_method", Harness.Deadline()));

        Assert.Equal("unknown_method", error.Code);
        Assert.Equal("no_such_method", error.Method);
        Assert.False(error.RefusedByClient);
        Assert.StartsWith("The gateway rejected the 'no_such_method' request", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TestGatewayDialect.PraisonAI, "internal_error")]
    [InlineData(TestGatewayDialect.OpenClaw, "UNAVAILABLE")]
    public async Task A_test_method_that_fails_unexpectedly_is_answered_as_an_internal_error(TestGatewayDialect dialect, string code)
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Dialect = dialect, Token = dialect == TestGatewayDialect.OpenClaw ? "oc" : null });
        gateway.RegisterMethod("broken", (p, _) => Task.FromResult<JsonNode?>(p.GetProperty("missing").GetString()));
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o => o.Dialect = dialect == TestGatewayDialect.OpenClaw ? ProtocolDialect.OpenClaw : ProtocolDialect.PraisonAI));
        await client.ConnectAsync(Harness.Deadline());

        var error = await Assert.ThrowsAsync<GatewayRequestException>(() => client.RequestAsync("broken", Harness.Deadline()));

        Assert.Equal(code, error.Code);
        Assert.Contains("not present", error.ServerMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_on_protocol_1_are_a_typed_capability_error_announced_by_capabilities_and_send_nothing()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { ProtocolMax = 1 });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());

        Assert.False(client.Capabilities.Requests);
        var error = await Assert.ThrowsAsync<GatewayCapabilityException>(() => client.RequestAsync("resync", Harness.Deadline()));

        Assert.Equal(nameof(GatewayCapabilities.Requests), error.Capability);
        Assert.Contains("protocol 2", error.Message);
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        Assert.DoesNotContain(connection.ReceivedFrames, f => f.GetProperty("type").GetString() == "req");
    }

    [Fact]
    public async Task An_unanswered_request_times_out_on_the_clients_clock()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var gateway = await TestGateway.StartAsync();
        gateway.RegisterSilentMethod("never");
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
        {
            o.TimeProvider = clock;
            o.RequestTimeout = TimeSpan.FromSeconds(12);
        }));
        await client.ConnectAsync(Harness.Deadline());

        var request = client.RequestAsync("never", Harness.Deadline());
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(12), Harness.Deadline());
        Assert.False(request.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(12));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => request);
        Assert.Contains("never", error.Message);
    }

    [Fact]
    public async Task A_cancelled_request_stops_waiting_at_once()
    {
        await using var gateway = await TestGateway.StartAsync();
        gateway.RegisterSilentMethod("never");
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());
        using var cancel = new CancellationTokenSource();

        var request = client.RequestAsync("never", cancel.Token);
        await (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).WaitForFrameAsync("req", Harness.Deadline());
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        Assert.Equal(ConnectionState.Connected, client.State);
    }

    [Fact]
    public async Task A_request_in_flight_when_the_connection_dies_fails_saying_the_outcome_is_unknown()
    {
        await using var gateway = await TestGateway.StartAsync();
        gateway.RegisterSilentMethod("never");
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());

        var request = client.RequestAsync("never", Harness.Deadline());
        await connection.WaitForFrameAsync("req", Harness.Deadline());
        connection.Drop();

        await Assert.ThrowsAsync<GatewayConnectionException>(() => request);
    }
}
