using System.Text;
using Gateway.Client.Dialects;
using Gateway.Client.Dialects.Praxis;
using Gateway.Client.Wire;
using Gateway.Client.Praxis;

namespace Gateway.Client.Tests;

/// <summary>How the Praxis classifier reads one server frame: one JSON object, and nothing after it but whitespace.</summary>
public class PraxisFrameTests
{
    private static PraxisConnection Connect() => Assert.IsType<PraxisConnection>(new PraxisDialect(new PraxisOptions()).BeginConnection());

    private static byte[] U(string json) => Encoding.UTF8.GetBytes(json);

    [Theory]
    [InlineData("""{"type":"workflowLog","payload":{"message":"x"}} trailing""")]
    [InlineData("""{"type":"workflowLog","payload":{"message":"x"}}{"type":"workflowLog","payload":{"message":"y"}}""")]
    [InlineData("""{"type":"workflowLog","payload":{"message":"x"}} 1""")]
    [InlineData("""{"type":"workflowLog","payload":{"message":"x"}},""")]
    [InlineData("""{"type":"workflowLog","payload":{"message":"x"}}}""")]
    public void Anything_but_whitespace_after_the_object_makes_the_frame_malformed(string json)
    {
        var classified = Connect().Classify(U(json));

        Assert.Equal(FrameKind.Malformed, classified.Kind);
        Assert.False(string.IsNullOrEmpty(classified.Problem));
    }

    [Fact]
    public void Whitespace_after_the_object_is_allowed()
    {
        var frame = U("{\"type\":\"workflowLog\",\"payload\":{\"message\":\"x\"}} \r\n\t ");

        var classified = Connect().Classify(frame);

        Assert.Equal(FrameKind.Event, classified.Kind);
        Assert.Equal((0, frame.Length), (classified.PayloadOffset, classified.PayloadLength)); // the whole frame
        Assert.Equal("""{"message":"x"}""", Encoding.UTF8.GetString(EventBody.Read(frame, EventBodyShape.PayloadField).Utf8Data.Span));
    }

    [Fact]
    public void A_frame_with_trailing_data_answers_no_request()
    {
        var wire = Connect();
        using (var output = new PooledBufferWriter())
        {
            new PraxisDialect(new PraxisOptions()).WriteRequest(output, "r1", PraxisCommands.DslCommand, null, null);
            wire.Sending(output.WrittenMemory.Span, isRequest: true);
        }

        var classified = wire.Classify(U("""{"type":"dslResult","payload":{"success":true}} {"type":"dslResult","payload":{"success":false}}"""));

        Assert.Equal(FrameKind.Malformed, classified.Kind);
        Assert.Equal(1, wire.AwaitingAnswers);
    }
}
