using System.Text;
using System.Text.Json;
using Gateway.Client.Dialects;
using Gateway.Client.Dialects.PraisonAI;

namespace Gateway.Client.Tests;

public class PraisonAIFrameClassifierTests
{
    private static InboundFrame Classify(string json) => PraisonAIFrameClassifier.Classify(Encoding.UTF8.GetBytes(json));

    private static string PayloadOf(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var frame = PraisonAIFrameClassifier.Classify(bytes);
        return Encoding.UTF8.GetString(bytes, frame.PayloadOffset, frame.PayloadLength);
    }

    [Fact]
    public void Flat_numbered_frame_is_an_event_with_its_seq_and_the_whole_frame_as_payload()
    {
        const string json = """{"type":"response","status":"accepted","session_id":"s1","seq":3,"cursor":3}""";
        var frame = Classify(json);

        Assert.Equal(FrameKind.Event, frame.Kind);
        Assert.Equal("response", frame.Type);
        Assert.Equal(3, frame.Sequence);
        Assert.False(frame.IsReplay);
        Assert.Equal(json, PayloadOf(json));
    }

    [Fact]
    public void Wrapped_stream_event_is_numbered_by_its_top_level_seq()
    {
        const string json = """{"type":"token_stream","data":{"content":"hi","seq":999},"event_id":"e","timestamp":"t","source":"gateway","target":"s","seq":7,"cursor":7}""";
        var frame = Classify(json);

        Assert.Equal(FrameKind.Event, frame.Kind);
        Assert.Equal("token_stream", frame.Type);
        Assert.Equal(7, frame.Sequence);
    }

    [Fact]
    public void Property_order_does_not_matter()
    {
        var frame = Classify("""{"seq":12,"cursor":12,"data":{},"type":"stream_end"}""");

        Assert.Equal("stream_end", frame.Type);
        Assert.Equal(12, frame.Sequence);
    }

    [Fact]
    public void Replay_wrapper_is_unwrapped_to_the_original_frame_and_numbered_by_event_sequence()
    {
        // The exact shape in docs/protocol.md, "Frames".
        const string original = """{"type":"token_stream","data":{"content":"echo: "},"cursor":7,"seq":7}""";
        var json = """{"type":"replay","event":{"type":"token_stream","sequence":7,"event_id":"x","source":"gateway","data":""" + original + "}}";
        var frame = Classify(json);

        Assert.Equal(FrameKind.Event, frame.Kind);
        Assert.True(frame.IsReplay);
        Assert.Equal(7, frame.Sequence);
        Assert.Equal("token_stream", frame.Type);
        Assert.Equal(original, PayloadOf(json));
    }

    [Fact]
    public void Legacy_replay_with_a_top_level_seq_is_still_a_replay()
    {
        var frame = Classify("""{"type":"replay","seq":5,"event":{"type":"response","sequence":5,"data":{"type":"response","status":"final","seq":5}}}""");

        Assert.True(frame.IsReplay);
        Assert.Equal(5, frame.Sequence);
        Assert.Equal("response", frame.Type);
    }

    [Fact]
    public void Replay_type_comes_from_the_original_frame_before_the_wrapper()
    {
        var frame = Classify("""{"type":"replay","event":{"type":"outer","sequence":2,"data":{"type":"inner","seq":2}}}""");

        Assert.Equal("inner", frame.Type);
    }

    [Fact]
    public void Replay_without_event_sequence_falls_back_to_the_original_frames_seq()
    {
        var frame = Classify("""{"type":"replay","event":{"type":"message","data":{"type":"message","seq":9}}}""");

        Assert.Equal(FrameKind.Event, frame.Kind);
        Assert.Equal(9, frame.Sequence);
    }

    [Theory]
    [InlineData("""{"type":"replay"}""", "no 'event'")]
    [InlineData("""{"type":"replay","event":{"type":"x","sequence":3}}""", "no 'data'")]
    [InlineData("""{"type":"replay","event":{"type":"x","data":{"type":"x"}}}""", "no positive integer sequence")]
    [InlineData("""{"type":"replay","event":{"sequence":3,"data":{"content":1}}}""", "no 'type'")]
    public void Broken_replay_wrappers_are_malformed(string json, string problem)
    {
        var frame = Classify(json);

        Assert.Equal(FrameKind.Malformed, frame.Kind);
        Assert.Contains(problem, frame.Problem);
    }

    [Theory]
    [InlineData("""{"type":"status","state":"thinking"}""", "status")]
    [InlineData("""{"type":"aborted"}""", "aborted")]
    [InlineData("""{"type":"error","message":"not bound"}""", "error")]
    [InlineData("""{"type":"brand_new_thing","x":1}""", "brand_new_thing")]
    [InlineData("""{"type":"left","seq":null}""", "left")]
    public void Frames_without_seq_are_unnumbered_events_including_unknown_types(string json, string type)
    {
        var frame = Classify(json);

        Assert.Equal(FrameKind.Event, frame.Kind);
        Assert.Equal(type, frame.Type);
        Assert.Null(frame.Sequence);
    }

    [Theory]
    [InlineData("""{"type":"ping"}""", "Ping")]
    [InlineData("""{"type":"pong"}""", "Pong")]
    [InlineData("""{"type":"res","id":"r1","ok":true,"result":{}}""", "Response")]
    [InlineData("""{"type":"reconnect","reason":"draining","retry_after_ms":0}""", "ReconnectRequest")]
    [InlineData("""{"type":"hello_ok","protocol":2}""", "LateHandshake")]
    [InlineData("""{"type":"hello_error","code":"x"}""", "LateHandshake")]
    [InlineData("""{"type":"joined","cursor":1}""", "LateHandshake")]
    public void Control_frames_are_recognised(string json, string kind)
    {
        Assert.Equal(Enum.Parse<FrameKind>(kind), Classify(json).Kind);
    }

    [Fact]
    public void Reconnect_request_carries_its_retry_after()
    {
        Assert.Equal(250, Classify("""{"type":"reconnect","reason":"draining","retry_after_ms":250}""").RetryAfterMilliseconds);
    }

    [Theory]
    [InlineData("""{"type":"response","seq":"3"}""")]
    [InlineData("""{"type":"response","seq":3.5}""")]
    [InlineData("""{"type":"response","seq":-1}""")]
    [InlineData("""{"type":"response","seq":0}""")]
    [InlineData("""{"type":"response","seq":99999999999999999999999}""")]
    [InlineData("""{"type":"response","seq":{"n":1}}""")]
    [InlineData("""{"type":"response","seq":true}""")]
    public void A_seq_that_is_not_a_positive_integer_is_malformed(string json)
    {
        var frame = Classify(json);

        Assert.Equal(FrameKind.Malformed, frame.Kind);
        Assert.Contains("seq", frame.Problem);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("[1,2,3]")]
    [InlineData("\"a string\"")]
    [InlineData("42")]
    [InlineData("{\"type\":\"status\"")]
    [InlineData("{\"type\":\"status\"} {\"type\":\"status\"}")]
    [InlineData("{\"seq\":1}")]
    [InlineData("{\"type\":7,\"seq\":1}")]
    [InlineData("")]
    public void Frames_that_are_not_a_json_object_with_a_string_type_are_malformed(string json)
    {
        Assert.Equal(FrameKind.Malformed, Classify(json).Kind);
    }

    [Fact]
    public void Deeply_nested_json_is_malformed_not_a_crash()
    {
        var json = "{\"type\":\"status\",\"x\":" + new string('[', 200) + new string(']', 200) + "}";

        Assert.Equal(FrameKind.Malformed, Classify(json).Kind);
    }

    [Fact]
    public void Invalid_utf8_is_malformed_not_a_crash()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"type\":\"status\",\"x\":\"ab\"}");
        bytes[Array.IndexOf(bytes, (byte)'a')] = 0xC3; // starts a 2-byte sequence that 'b' does not continue
        Assert.Equal(FrameKind.Malformed, PraisonAIFrameClassifier.Classify(bytes).Kind);
    }

    [Fact]
    public void Invalid_utf8_anywhere_in_the_frame_is_malformed_so_the_app_never_gets_an_unreadable_event()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"type\":\"message\",\"seq\":1,\"text\":\"ab\"}");
        bytes[Array.LastIndexOf(bytes, (byte)'a')] = 0x9A; // a lone continuation byte in a field the classifier never decodes

        var frame = PraisonAIFrameClassifier.Classify(bytes);

        Assert.Equal(FrameKind.Malformed, frame.Kind);
        Assert.Contains("UTF-8", frame.Problem);
    }

    [Fact]
    public void Escaped_type_strings_are_decoded()
    {
        Assert.Equal("token_stream", Classify("""{"type":"token\u005fstream","seq":1}""").Type);
    }

    [Fact]
    public void Known_types_share_one_string_instance()
    {
        var first = Classify("""{"type":"token_stream","seq":1}""").Type;
        var second = Classify("""{"type":"token_stream","seq":2}""").Type;

        Assert.Same(first, second);
    }

    [Fact]
    public void Unknown_fields_are_ignored()
    {
        var frame = Classify("""{"extra":{"deep":[1,{"seq":"no"}]},"type":"message","seq":4,"more":null}""");

        Assert.Equal(FrameKind.Event, frame.Kind);
        Assert.Equal(4, frame.Sequence);
    }

    [Fact]
    public void Payload_slice_of_a_replay_parses_as_the_original_object()
    {
        var json = """{"type":"replay","event":{"sequence":4,"data":{"type":"response","status":"final","content":"a \"quoted\" }","seq":4}}}""";
        var frame = Classify(json);
        var payload = JsonDocument.Parse(Encoding.UTF8.GetBytes(json).AsMemory(frame.PayloadOffset, frame.PayloadLength)).RootElement;

        Assert.Equal("final", payload.GetProperty("status").GetString());
        Assert.Equal("a \"quoted\" }", payload.GetProperty("content").GetString());
    }
}
