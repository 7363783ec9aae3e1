using Gateway.Client.Dialects;
using Gateway.Client.Engine;

namespace Gateway.Client.Tests;

/// <summary>Interim answers: progress reports never complete a request; an accepted answer does unless the caller waits for the final one.</summary>
public class PendingRequestsTests
{
    private static ResponseFrame Answer(string id, bool accepted = false, bool progress = false) =>
        new(id, ok: true, result: null, errorCode: null, errorMessage: null, error: null, isAccepted: accepted, isProgress: progress);

    [Fact]
    public async Task Progress_reports_go_to_the_interim_handler_in_order_and_the_request_waits_for_its_answer()
    {
        var requests = new PendingRequests();
        var seen = new List<ResponseFrame>();
        var answer = requests.Register("r1", onInterim: seen.Add);
        var first = Answer("r1", progress: true);
        var second = Answer("r1", progress: true);

        Assert.True(requests.TryComplete(first));
        Assert.True(requests.TryComplete(second));
        Assert.False(answer.IsCompleted);
        Assert.Equal(new[] { first, second }, seen);

        var final = Answer("r1");
        Assert.True(requests.TryComplete(final));
        Assert.Same(final, await answer);
    }

    [Fact]
    public void Progress_without_a_handler_is_passed_over_and_progress_for_no_pending_request_is_unmatched()
    {
        var requests = new PendingRequests();
        var answer = requests.Register("r1");

        Assert.True(requests.TryComplete(Answer("r1", progress: true)));
        Assert.False(answer.IsCompleted);
        Assert.False(requests.TryComplete(Answer("r9", progress: true)));
    }

    [Fact]
    public async Task An_accepted_answer_is_the_answer_unless_the_caller_waits_for_the_final_one()
    {
        var requests = new PendingRequests();
        var plain = requests.Register("r1");
        var accepted = Answer("r1", accepted: true);
        Assert.True(requests.TryComplete(accepted));
        Assert.Same(accepted, await plain);

        var interims = 0;
        var waiting = requests.Register("r2", onInterim: _ => interims++, acceptedIsInterim: true);
        Assert.True(requests.TryComplete(Answer("r2", accepted: true)));
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, interims);
        Assert.True(requests.TryComplete(Answer("r2")));
        Assert.True(waiting.IsCompletedSuccessfully);
    }
}
