using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>Typed requests and frames through source-generated serializers, and raw frames sent exactly as given.</summary>
public class TypedApiTests
{
    [Fact]
    public async Task A_typed_request_sends_its_parameters_and_returns_its_typed_answer()
    {
        await using var gateway = await TestGateway.StartAsync();
        gateway.RegisterMethod("sum", (p, _) => Task.FromResult<JsonNode?>(new JsonObject { ["total"] = p.GetProperty("a").GetInt32() + p.GetProperty("b").GetInt32() }));
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());

        var result = await client.RequestAsync("sum", new TypedSum(2, 3), TypedJsonContext.Default.TypedSum, TypedJsonContext.Default.TypedTotal, cancellationToken: Harness.Deadline());

        Assert.Equal(5, result.Total);
        var request = await (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).WaitForFrameAsync("req", Harness.Deadline());
        Assert.Equal("""{"a":2,"b":3}""", request.GetProperty("params").GetRawText());
    }

    [Fact]
    public async Task An_answer_that_does_not_match_the_type_is_a_json_error_naming_the_method()
    {
        await using var gateway = await TestGateway.StartAsync();
        gateway.RegisterMethod("sum", (_, _) => Task.FromResult<JsonNode?>(new JsonObject { ["total"] = "five" }));
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());

        var error = await Assert.ThrowsAsync<JsonException>(() => client.RequestAsync("sum", new TypedSum(2, 3), TypedJsonContext.Default.TypedSum, TypedJsonContext.Default.TypedTotal, cancellationToken: Harness.Deadline()));

        Assert.Contains("'sum'", error.Message);
        Assert.Contains(nameof(TypedTotal), error.Message);
        Assert.Equal(ConnectionState.Connected, client.State);
    }

    [Fact]
    public async Task A_typed_frame_is_serialized_straight_to_the_wire_and_must_have_a_type()
    {
        await using var s = await Scenario.StartAsync();
        var (gateway, client, _) = s;

        await client.SendAsJsonAsync(new TypedNote("note", "hello"), TypedJsonContext.Default.TypedNote, Harness.Deadline());
        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.SendAsJsonAsync(new TypedSum(1, 2), TypedJsonContext.Default.TypedSum, Harness.Deadline()));

        var received = await (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).WaitForFrameAsync("note", Harness.Deadline());
        Assert.Equal("""{"type":"note","text":"hello"}""", received.GetRawText());
        Assert.Contains("no string 'type'", error.Message);
    }

    [Fact]
    public async Task Raw_bytes_are_checked_with_a_reader_and_sent_exactly_as_given()
    {
        await using var s = await Scenario.StartAsync();
        var (gateway, client, _) = s;
        const string Frame = """{ "text" : "kept as written", "type":"note",   "n": 1.50 }""";

        await client.SendAsync(Encoding.UTF8.GetBytes(Frame), Harness.Deadline());

        var received = await (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).WaitForFrameAsync("note", Harness.Deadline());
        Assert.Equal(Frame, received.GetRawText()); // spacing, order and number text untouched: no parse-and-rewrite
        foreach (var bad in new[] { """[{"type":"x"}]""", """{"type":1}""", """{"type":"x"} {"type":"y"}""", """{"type":"x" """, "" })
        {
            await Assert.ThrowsAsync<ArgumentException>(() => client.SendAsync(Encoding.UTF8.GetBytes(bad), Harness.Deadline()));
        }

        await Assert.ThrowsAsync<ArgumentException>(() => client.SendAsync(new byte[] { 0x7B, 0x22, 0x74, 0x79, 0x70, 0x65, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D }, Harness.Deadline()));
    }
}

/// <summary>This project's own source-generated context, as an app would write it.</summary>
[JsonSerializable(typeof(TypedSum))]
[JsonSerializable(typeof(TypedTotal))]
[JsonSerializable(typeof(TypedNote))]
internal sealed partial class TypedJsonContext : JsonSerializerContext
{
}

internal sealed record TypedSum([property: JsonPropertyName("a")] int A, [property: JsonPropertyName("b")] int B);

internal sealed record TypedTotal([property: JsonPropertyName("total")] int Total);

internal sealed record TypedNote([property: JsonPropertyName("type")] string Type, [property: JsonPropertyName("text")] string Text);
