using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Client.PraisonAI;
using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// The client's own serializer (<see cref="GatewayClientOptions.TypeInfoResolver"/>): typed calls without a
/// <c>JsonTypeInfo</c> argument, source-generated metadata only, and tokens passed positionally.
/// </summary>
public class ClientSerializerTests
{
    [Fact]
    public async Task Typed_calls_without_a_type_info_serialize_through_the_clients_resolver()
    {
        await using var gateway = await StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o => o.TypeInfoResolver = TypedJsonContext.Default));
        await client.ConnectAsync(Harness.Deadline());

        var total = await client.RequestAsync<TypedSum, TypedTotal>("sum", new TypedSum(2, 3), Harness.Deadline());
        var viaOptions = await client.RequestAsync<TypedSum, TypedTotal>("sum", new TypedSum(4, 5), new GatewayRequestOptions { Timeout = TimeSpan.FromSeconds(20) }, Harness.Deadline());
        await client.SendAsJsonAsync(new TypedNote("note", "typed"), Harness.Deadline());

        Assert.Equal(5, total.Total);
        Assert.Equal(9, viaOptions.Total);
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        Assert.Equal("""{"type":"note","text":"typed"}""", (await connection.WaitForFrameAsync("note", Harness.Deadline())).GetRawText());
        Assert.Equal("""{"a":2,"b":3}""", connection.ReceivedFrames.First(f => f.GetProperty("type").GetString() == "req").GetProperty("params").GetRawText());
    }

    [Fact]
    public async Task A_type_no_resolver_knows_is_an_error_naming_the_type_and_the_fix_and_nothing_is_sent()
    {
        await using var gateway = await StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());

        var unset = Assert.Throws<InvalidOperationException>(() => { _ = client.SendAsJsonAsync(new TypedNote("note", "x"), Harness.Deadline()); });
        await using var withOther = new GatewayClient(Harness.OptionsFor(gateway, o => o.TypeInfoResolver = OtherJsonContext.Default));
        var unknown = Assert.Throws<InvalidOperationException>(() => { _ = withOther.RequestAsync<TypedSum, TypedTotal>("sum", new TypedSum(1, 1), Harness.Deadline()); });

        Assert.Contains(nameof(TypedNote), unset.Message, StringComparison.Ordinal);
        Assert.Contains("TypeInfoResolver is not set", unset.Message, StringComparison.Ordinal);
        Assert.Contains("[JsonSerializable(typeof(TypedNote))]", unset.Message, StringComparison.Ordinal);
        Assert.Contains("does not know it", unknown.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(TypedSum), unknown.Message, StringComparison.Ordinal);
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        Assert.DoesNotContain(connection.ReceivedFrames, f => f.GetProperty("type").GetString() is "note" or "req");
    }

    [Fact]
    public async Task Every_call_takes_its_token_positionally_right_after_its_required_arguments()
    {
        await using var gateway = await StartAsync();
        gateway.RegisterMethod("ping", (_, _) => Task.FromResult<JsonNode?>(new JsonObject { ["pong"] = true }));
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o => o.TypeInfoResolver = TypedJsonContext.Default));
        var ct = Harness.Deadline();
        await client.ConnectAsync(ct);

        // Each of these is the shape a newcomer writes first; they compile and answer.
        var pong = await client.RequestAsync("ping", ct);
        var sum = await client.RequestAsync("sum", JsonSerializer.SerializeToElement(new JsonObject { ["a"] = 1, ["b"] = 1 }), ct);
        var typed = await client.RequestAsync<TypedSum, TypedTotal>("sum", new TypedSum(3, 4), ct);
        await gateway.PublishAsync(client.Session!.SessionId, "message", Harness.Data("content", "one"));
        await foreach (var batch in client.ReadEventBatchesAsync(ct))
        {
            Assert.Equal("message", batch[0].Type);
            break;
        }

        Assert.NotNull(await gateway.WaitForHandshakeAsync(ct)); // the test gateway's waits too
        Assert.True(pong.GetProperty("pong").GetBoolean());
        Assert.Equal(2, sum.GetProperty("total").GetInt32());
        Assert.Equal(7, typed.Total);
    }

    [Fact]
    public async Task Event_bodies_deserialize_without_a_type_info_through_the_app_resolver_then_the_built_in_bodies()
    {
        await using var gateway = await StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o => o.TypeInfoResolver = TypedJsonContext.Default));
        await client.ConnectAsync(Harness.Deadline());
        var session = client.Session!.SessionId;
        await gateway.PublishAsync(session, "sum", new JsonObject { ["a"] = 6, ["b"] = 7 });
        await gateway.PublishAsync(session, PraisonAIEventTypes.TokenStream, new JsonObject { ["content"] = "tok" });
        await gateway.PublishAsync(session, "sum", new JsonObject { ["a"] = 1, ["b"] = 2 });

        var events = await client.ReadAsync(2, Harness.Deadline());
        GatewayEventView third = default;
        await foreach (var batch in client.ReadEventBatchesAsync(1, Harness.Deadline()))
        {
            third = batch[0];
            Assert.Equal(new TypedSum(1, 2), third.GetData<TypedSum>());
            break;
        }

        Assert.Equal(new TypedSum(6, 7), events[0].GetData<TypedSum>());
        Assert.Equal("tok", events[1].GetData<TokenStreamData>().Content);
        var unknown = Assert.Throws<InvalidOperationException>(() => events[0].GetData<Uri>());
        Assert.Contains("Uri", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_resolver_the_built_in_bodies_still_deserialize_and_an_app_type_names_the_fix()
    {
        await using var gateway = await StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());
        await gateway.PublishAsync(client.Session!.SessionId, PraisonAIEventTypes.TokenStream, new JsonObject { ["content"] = "tok" });

        var e = (await client.ReadAsync(1, Harness.Deadline()))[0];

        Assert.Equal("tok", e.GetData<TokenStreamData>().Content);
        var error = Assert.Throws<InvalidOperationException>(() => e.GetData<TypedSum>());
        Assert.Contains("TypeInfoResolver is not set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_context_s_own_options_apply_to_typed_calls_exactly_as_to_its_explicit_type_infos()
    {
        await using var gateway = await StartAsync();
        gateway.RegisterMethod("order.get", (p, _) => Task.FromResult<JsonNode?>(new JsonObject { ["orderId"] = p.GetProperty("orderId").GetString() + "!" }));
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o => o.TypeInfoResolver = CamelJsonContext.Default));
        await client.ConnectAsync(Harness.Deadline());

        await client.SendAsJsonAsync(new CamelNote("note", "via resolver"), Harness.Deadline());
        await client.SendAsJsonAsync(new CamelNote("note", "explicit"), CamelJsonContext.Default.CamelNote, Harness.Deadline());
        var answer = await client.RequestAsync<CamelOrder, CamelOrder>("order.get", new CamelOrder("o-1"), Harness.Deadline());

        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        await connection.WaitForFrameAsync(f => f.TryGetProperty("noteText", out var t) && t.GetString() == "explicit", Harness.Deadline());
        var notes = connection.ReceivedFrames.Where(f => f.GetProperty("type").GetString() == "note").Select(f => f.GetRawText()).ToList();
        Assert.Equal(new[] { """{"type":"note","noteText":"via resolver"}""", """{"type":"note","noteText":"explicit"}""" }, notes);
        Assert.Equal("o-1!", answer.OrderId); // the camelCase answer read back, not a silent default
    }

    [Fact]
    public async Task The_built_in_serializers_are_the_PraisonAI_bodies_only()
    {
        await using var gateway = await StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());
        await gateway.PublishAsync(client.Session!.SessionId, "message", Harness.Data("content", "x"));
        var e = (await client.ReadAsync(1, Harness.Deadline()))[0];

        var text = Assert.Throws<InvalidOperationException>(() => e.GetData<string>());
        var bytes = Assert.Throws<InvalidOperationException>(() => { _ = client.SendAsJsonAsync(new byte[] { 1 }, Harness.Deadline()); });

        Assert.Contains("TypeInfoResolver is not set", text.Message, StringComparison.Ordinal);
        Assert.Contains("SendAsync(ReadOnlyMemory<byte>)", bytes.Message, StringComparison.Ordinal);
    }

    private static async Task<TestGateway> StartAsync()
    {
        var gateway = await TestGateway.StartAsync();
        gateway.RegisterMethod("sum", (p, _) => Task.FromResult<JsonNode?>(new JsonObject { ["total"] = p.GetProperty("a").GetInt32() + p.GetProperty("b").GetInt32() }));
        return gateway;
    }
}

/// <summary>An app's context with its own naming policy, which typed calls must honour.</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(CamelNote))]
[System.Text.Json.Serialization.JsonSerializable(typeof(CamelOrder))]
internal sealed partial class CamelJsonContext : System.Text.Json.Serialization.JsonSerializerContext
{
}

internal sealed record CamelNote(string Type, string NoteText);

internal sealed record CamelOrder(string OrderId);

/// <summary>A context that knows none of the test's request types.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(int))]
internal sealed partial class OtherJsonContext : System.Text.Json.Serialization.JsonSerializerContext
{
}
