using System.Text;
using System.Text.Json;
using Gateway.Client.Dialects;
using Gateway.Client.PraisonAI;

namespace Gateway.Client.Tests;

/// <summary>An event's body, id and time, wherever each dialect's envelope keeps them, and its typed deserialization.</summary>
public class GatewayEventDataTests
{
    private static GatewayEvent Event(string json, EventBodyShape shape = EventBodyShape.Envelope, long? seq = 7) =>
        new("x", seq, isReplay: false, Encoding.UTF8.GetBytes(json), shape, context: null, resumeSequence: 0);

    [Fact]
    public void A_wrapped_event_is_its_data_object_with_its_id_and_time()
    {
        var e = Event("""{"type":"token_stream","data":{"content":"hel","session_id":"s1"},"event_id":"e-1","timestamp":1764240000.25,"source":"echo","target":"c","seq":7,"cursor":7}""");

        Assert.Equal("""{"content":"hel","session_id":"s1"}""", Encoding.UTF8.GetString(e.Utf8Data.Span));
        Assert.Equal("hel", e.Data.GetProperty("content").GetString());
        Assert.Equal("e-1", e.EventId);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_764_240_000_250), e.Timestamp);
        Assert.Equal("hel", e.GetData(PraisonAIJsonContext.Default.TokenStreamData).Content);
        Assert.Equal("s1", e.GetData(PraisonAIJsonContext.Default.TokenStreamData).SessionId);
    }

    [Fact]
    public void A_flat_event_is_the_frame_without_its_envelope_fields()
    {
        var e = Event("""{"type":"response","status":"final","content":"echo: hi","outcome":{"status":"ok"},"session_id":"s1","seq":9,"cursor":9,"timestamp":"2026-11-27T10:00:00+00:00"}""");

        var data = e.Data;
        Assert.Equal(new[] { "status", "content", "outcome", "session_id" }, data.EnumerateObject().Select(p => p.Name));
        var response = e.GetData(PraisonAIJsonContext.Default.ResponseData);
        Assert.True(response.IsFinal);
        Assert.Equal("echo: hi", response.Content);
        Assert.Equal("ok", response.Outcome!.Value.GetProperty("status").GetString());
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero), e.Timestamp);
        Assert.Null(e.EventId);
    }

    [Fact]
    public void Other_typed_bodies_read_as_the_server_sends_them()
    {
        Assert.Equal("think", Event("""{"type":"reasoning_stream","data":{"content":"think"},"seq":1}""").GetData(PraisonAIJsonContext.Default.ReasoningStreamData).Content);
        Assert.Equal("search", Event("""{"type":"tool_call_stream","data":{"tool_call":{"name":"search"}},"seq":1}""").GetData(PraisonAIJsonContext.Default.ToolCallStreamData).ToolCall.GetProperty("name").GetString());
        Assert.Equal("s", Event("""{"type":"stream_end","data":{"session_id":"s"},"seq":1}""").GetData(PraisonAIJsonContext.Default.StreamEndData).SessionId);
        var error = Event("""{"type":"error","message":"Not joined to any session","code":"not_joined"}""", seq: null).GetData(PraisonAIJsonContext.Default.ErrorData);
        Assert.Equal(("Not joined to any session", "not_joined"), (error.Message, error.Code));
    }

    [Fact]
    public void OpenClaw_and_Praxis_bodies_are_the_payload_and_their_frames_the_whole_frame()
    {
        const string openClawFrame = """{"type":"event","event":"chat","payload":{"state":"delta"},"seq":3}""";
        const string praxisFrame = """{"type":"workflowProgress","payload":{"workflowId":"wf"}}""";
        var openClaw = Event(openClawFrame, EventBodyShape.PayloadField);
        var praxis = Event(praxisFrame, EventBodyShape.PayloadField, seq: null);

        Assert.Equal("delta", openClaw.Data.GetProperty("state").GetString());
        Assert.Equal("wf", praxis.Data.GetProperty("workflowId").GetString());
        Assert.Equal("""{"workflowId":"wf"}""", Encoding.UTF8.GetString(praxis.Utf8Data.Span));
        Assert.Equal(openClawFrame, Encoding.UTF8.GetString(openClaw.Utf8Frame.Span));
        Assert.Equal(praxisFrame, praxis.Frame.GetRawText());
        Assert.Null(praxis.Timestamp);
    }

    [Fact]
    public void A_PraisonAI_frame_is_the_whole_frame_and_its_body_the_data()
    {
        const string frame = """{"type":"token_stream","data":{"content":"hel"},"seq":7}""";
        var e = Event(frame);

        Assert.Equal(frame, e.Frame.GetRawText());
        Assert.Equal(frame, Encoding.UTF8.GetString(e.Utf8Frame.Span));
        Assert.Equal("""{"content":"hel"}""", e.Data.GetRawText());
    }

    [Fact]
    public void A_body_that_does_not_match_names_the_event_and_its_number()
    {
        var e = GatewayModelFactory.GatewayEvent("token_stream", 41, frame: JsonDocument.Parse("""{"type":"token_stream","data":{"content":5},"seq":41}""").RootElement);

        var error = Assert.Throws<JsonException>(() => e.GetData(PraisonAIJsonContext.Default.TokenStreamData));

        Assert.Contains("token_stream #41", error.Message);
        Assert.Contains(nameof(TokenStreamData), error.Message);
        Assert.IsType<JsonException>(error.InnerException);
    }

    [Fact]
    public void An_apps_own_context_reads_the_body_and_the_gateway_context_chains_with_it()
    {
        var e = Event("""{"type":"sum","data":{"total":5},"seq":2}""");
        var options = new JsonSerializerOptions();
        options.TypeInfoResolverChain.Add(AppJsonContext.Default);
        options.TypeInfoResolverChain.Add(PraisonAIJsonContext.Default.TypeInfoResolver);

        Assert.Equal(5, e.GetData(AppJsonContext.Default.SumResult).Total);
        Assert.NotNull(options.GetTypeInfo(typeof(TokenStreamData)));
    }

    [Fact]
    public void Unreadable_timestamps_are_null_not_errors()
    {
        Assert.Null(Event("""{"type":"t","timestamp":"yesterday","seq":1}""").Timestamp);
        Assert.Null(Event("""{"type":"t","timestamp":-5,"seq":1}""").Timestamp);
        Assert.Null(Event("""{"type":"t","timestamp":1e300,"seq":1}""").Timestamp);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_764_240_000_250), Event("""{"type":"t","timestamp":1764240000250,"seq":1}""").Timestamp);
    }

    /// <summary>
    /// A number below 1e11 is seconds, from 1e11 on milliseconds (docs/protocol.md, "Numbers from the server"); a time
    /// past <see cref="DateTimeOffset.MaxValue"/> (from about 2.5e14 ms) or before 1970 is unreadable: a null
    /// <see cref="GatewayEvent.Timestamp"/>, and the event's other accessors read as if it were absent.
    /// </summary>
    [Theory]
    [InlineData("99999999999", 99_999_999_999_000L)] // the largest number read as seconds (year 5138)
    [InlineData("100000000000", 100_000_000_000L)] // the smallest read as milliseconds (1973)
    [InlineData("250000000000000", 250_000_000_000_000L)] // 2.5e14 ms: year 9892, still a date
    [InlineData("253402300799999", 253_402_300_799_999L)] // the last millisecond of year 9999
    [InlineData("253402300800000", null)] // one millisecond later
    [InlineData("2.6e14", null)]
    [InlineData("999000000000000", null)] // 9.99e14
    [InlineData("1e15", null)]
    [InlineData("1e300", null)]
    [InlineData("-1", null)]
    [InlineData("-1e300", null)]
    public void A_timestamp_is_read_within_the_dates_there_are_and_never_breaks_the_other_accessors(string timestamp, long? unixMilliseconds)
    {
        var e = Event($$"""{"type":"token_stream","data":{"content":"hel"},"event_id":"e-9","timestamp":{{timestamp}},"seq":7}""");

        Assert.Equal(unixMilliseconds is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null, e.Timestamp);
        Assert.Equal("e-9", e.EventId);
        Assert.Equal("hel", e.Data.GetProperty("content").GetString());
        Assert.Equal("""{"content":"hel"}""", Encoding.UTF8.GetString(e.Utf8Data.Span));
        Assert.Equal("hel", e.GetData(PraisonAIJsonContext.Default.TokenStreamData).Content);
    }

    [Theory]
    [InlineData("300000000000000")]
    [InlineData("999999999999999")]
    public void A_flat_frame_with_a_timestamp_past_the_last_date_still_reads(string timestamp)
    {
        var e = Event($$"""{"type":"response","status":"final","content":"ok","timestamp":{{timestamp}},"seq":9}""");

        Assert.Equal("ok", e.GetData(PraisonAIJsonContext.Default.ResponseData).Content);
        Assert.Equal(new[] { "status", "content" }, e.Data.EnumerateObject().Select(p => p.Name));
        Assert.Null(e.EventId);
    }
}
