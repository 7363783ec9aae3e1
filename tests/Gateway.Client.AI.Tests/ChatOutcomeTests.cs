using Microsoft.Extensions.AI;
using static Gateway.Client.AI.Tests.TurnModel;

namespace Gateway.Client.AI.Tests;

/// <summary>
/// A turn that did not complete ends the stream normally, with its finish reason and an <see cref="ErrorContent"/> that
/// carries the outcome; the text received before the end is kept. Only the caller's own cancellation throws.
/// </summary>
public class ChatOutcomeTests
{
    public static TheoryData<GatewayTurnStatus, string, string?, string?, string?, string?, string> Outcomes => new()
    {
        // status, finish reason, server code, server message, client reason, answer location, expected error code
        { GatewayTurnStatus.Rejected, "rejected", null, "agent busy", null, null, "rejected" },
        { GatewayTurnStatus.Failed, "failed", "model_error", "the model refused", null, null, "model_error" },
        { GatewayTurnStatus.Cancelled, "cancelled", null, null, "the run was aborted", null, "cancelled" },
        { GatewayTurnStatus.Lost, "lost", null, null, "the connection dropped mid-turn", "the history of session sess-1", "lost" },
        { GatewayTurnStatus.TimedOut, "timed_out", null, null, "the turn was silent for 00:02:00 (GatewayTurnOptions.IdleTimeout)", null, "timed_out" },
    };

    [Theory]
    [MemberData(nameof(Outcomes))]
    public async Task Each_outcome_has_its_finish_reason_and_an_error_content_carrying_it(GatewayTurnStatus status, string finishReason, string? code, string? serverMessage, string? reason, string? answerLocation, string errorCode)
    {
        var fake = new FakeGatewayClient().Script(
            Text("partial "),
            Final(status, "partial ", errorCode: code, errorMessage: serverMessage, reason: reason, answerLocation: answerLocation));
        var updates = new List<ChatResponseUpdate>();

        await foreach (var update in fake.AsIChatClient().GetStreamingResponseAsync("hi"))
        {
            updates.Add(update);
        }

        var last = updates.Last();
        Assert.Equal(new ChatFinishReason(finishReason), last.FinishReason);
        Assert.Equal(GatewayChatFinishReasons.For(status), last.FinishReason);
        Assert.Equal(finishReason, last.AdditionalProperties![GatewayChatResponseExtensions.TurnStatusKey]);
        var error = Assert.IsType<ErrorContent>(Assert.Single(last.Contents));
        Assert.Equal(errorCode, error.ErrorCode);
        Assert.Equal(answerLocation, error.Details);
        Assert.Contains(serverMessage ?? reason!, error.Message, StringComparison.Ordinal);
        var outcome = Assert.IsType<GatewayTurnOutcome>(error.RawRepresentation);
        Assert.Equal(status, outcome.Status);
        Assert.Same(outcome, last.GetGatewayTurnOutcome());
    }

    [Theory]
    [MemberData(nameof(Outcomes))]
    public async Task GetResponseAsync_keeps_the_partial_text_and_the_outcome_and_does_not_throw(GatewayTurnStatus status, string finishReason, string? code, string? serverMessage, string? reason, string? answerLocation, string errorCode)
    {
        var fake = new FakeGatewayClient().Script(
            Text("partial "),
            Final(status, "partial ", errorCode: code, errorMessage: serverMessage, reason: reason, answerLocation: answerLocation));

        var response = await fake.AsIChatClient().GetResponseAsync("hi");

        Assert.Equal("partial ", response.Text);
        Assert.Equal(finishReason, response.FinishReason?.Value);
        Assert.Equal(status, response.GetGatewayTurnOutcome()!.Status);
        Assert.Equal(errorCode, response.Messages.SelectMany(m => m.Contents).OfType<ErrorContent>().Single().ErrorCode);

        // A response the app aggregates itself from the updates still tells the outcome (through the ErrorContent).
        var again = new FakeGatewayClient().Script(Text("partial "), Final(status, "partial ", errorCode: code, errorMessage: serverMessage, reason: reason));
        var aggregated = await again.AsIChatClient().GetStreamingResponseAsync("hi").ToChatResponseAsync();
        Assert.Null(aggregated.RawRepresentation);
        Assert.Equal(status, aggregated.GetGatewayTurnOutcome()!.Status);
    }

    [Fact]
    public void Completed_maps_to_stop_and_each_other_status_to_its_own_reason()
    {
        Assert.Equal(ChatFinishReason.Stop, GatewayChatFinishReasons.For(GatewayTurnStatus.Completed));
        var reasons = Enum.GetValues<GatewayTurnStatus>().Where(s => s != GatewayTurnStatus.Completed).Select(GatewayChatFinishReasons.For).ToList();
        Assert.Equal(reasons.Count, reasons.Distinct().Count());
        Assert.DoesNotContain(ChatFinishReason.Stop, reasons);
    }

    [Fact]
    public async Task The_callers_cancellation_throws_OperationCanceledException_after_the_turn_ended()
    {
        var started = new TaskCompletionSource();
        var fake = new FakeGatewayClient().Script((_, _, ct) => FakeGatewayClient.UntilCancelled(started, ct));
        using var cancel = new CancellationTokenSource();
        var received = new List<ChatResponseUpdate>();

        var reading = Task.Run(async () =>
        {
            await foreach (var update in fake.AsIChatClient().GetStreamingResponseAsync("hi", cancellationToken: cancel.Token))
            {
                received.Add(update);
            }
        });
        await started.Task;
        await cancel.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
        Assert.Equal(cancel.Token, error.CancellationToken);
        Assert.Equal("partial ", string.Concat(received.Select(u => u.Text)));
        Assert.DoesNotContain(received, u => u.FinishReason is not null);
    }

    [Fact]
    public async Task A_completed_turn_has_no_error_content()
    {
        var fake = new FakeGatewayClient().Script(Text("ok"), Final(GatewayTurnStatus.Completed, "ok"));

        var response = await fake.AsIChatClient().GetResponseAsync("hi");

        Assert.DoesNotContain(response.Messages.SelectMany(m => m.Contents), c => c is ErrorContent);
        Assert.Equal("completed", response.AdditionalProperties![GatewayChatResponseExtensions.TurnStatusKey]);
    }
}
