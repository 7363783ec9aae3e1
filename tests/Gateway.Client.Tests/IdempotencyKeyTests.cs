using System.Text.Json;
using Gateway.Client.Dialects;
using Gateway.Client.Dialects.OpenClaw;
using Gateway.Client.Wire;
using Gateway.Client.OpenClaw;

namespace Gateway.Client.Tests;

/// <summary>Where a request's idempotency key goes on the wire: OpenClaw's <c>params.idempotencyKey</c>, given in one place only.</summary>
public class IdempotencyKeyTests
{
    private static readonly OpenClawDialect OpenClaw = new(new OpenClawOptions());

    private static JsonElement Write(JsonElement? parameters, string? key)
    {
        using var output = new PooledBufferWriter();
        OpenClaw.WriteRequest(output, "r1", "send", parameters, key);
        return JsonDocument.Parse(output.WrittenMemory).RootElement.Clone();
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    [Fact]
    public void The_key_joins_the_params_and_keeps_the_rest_as_they_were()
    {
        var frame = Write(Json("""{"to":"ops","message":"hi","nested":{"a":[1,2]}}"""), "k-1");
        var parameters = frame.GetProperty("params");

        Assert.Equal("k-1", parameters.GetProperty("idempotencyKey").GetString());
        Assert.Equal("ops", parameters.GetProperty("to").GetString());
        Assert.Equal(2, parameters.GetProperty("nested").GetProperty("a")[1].GetInt32());
        Assert.Equal("k-1", Write(null, "k-1").GetProperty("params").GetProperty("idempotencyKey").GetString());
    }

    [Fact]
    public void Params_that_carry_the_same_key_are_written_as_they_are_and_without_a_key_nothing_is_added()
    {
        var same = Write(Json("""{"idempotencyKey":"k-1","x":1}"""), "k-1").GetProperty("params");
        Assert.Equal(2, same.EnumerateObject().Count());
        Assert.False(Write(Json("""{"x":1}"""), null).GetProperty("params").TryGetProperty("idempotencyKey", out _));
    }

    [Fact]
    public void A_different_key_in_the_params_or_params_that_are_no_object_are_refused()
    {
        Assert.Contains("differs", Assert.Throws<ArgumentException>(() => Write(Json("""{"idempotencyKey":"other"}"""), "k-1")).Message, StringComparison.Ordinal);
        Assert.Contains("JSON object", Assert.Throws<ArgumentException>(() => Write(Json("[1]"), "k-1")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_OpenClaw_carries_a_key()
    {
        var options = new GatewayClientOptions { Url = new Uri("ws://127.0.0.1/ws"), AgentId = "unit" };
        foreach (var dialect in new[] { ProtocolDialect.PraisonAI, ProtocolDialect.OpenClaw, ProtocolDialect.Praxis })
        {
            var created = DialectCatalog.For(dialect).Create(options);
            Assert.Equal(dialect == ProtocolDialect.OpenClaw, created.WhyNoIdempotencyKey is null);
        }
    }
}
