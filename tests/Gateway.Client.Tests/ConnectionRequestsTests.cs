using Gateway.Client.Dialects;
using Gateway.Client.Engine;

namespace Gateway.Client.Tests;

/// <summary>
/// The requests written on one connection: interim answers never complete a request (an accepted answer does unless
/// the caller waits for the final one), and the connection's end fails what still waits there and refuses more.
/// </summary>
public class ConnectionRequestsTests
{
    private static ResponseFrame Answer(string id, bool accepted = false, bool progress = false) =>
        new(id, ok: true, result: null, errorCode: null, errorMessage: null, error: null, isAccepted: accepted, isProgress: progress);

    [Fact]
    public async Task Progress_reports_go_to_the_interim_handler_in_order_and_the_request_waits_for_its_answer()
    {
        var requests = new ConnectionRequests();
        var seen = new List<ResponseFrame>();
        var answer = requests.TryRegister("r1", null, seen.Add, false)!;
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
        var requests = new ConnectionRequests();
        var answer = requests.TryRegister("r1", null, null, false)!;

        Assert.True(requests.TryComplete(Answer("r1", progress: true)));
        Assert.False(answer.IsCompleted);
        Assert.False(requests.TryComplete(Answer("r9", progress: true)));
    }

    [Fact]
    public async Task An_accepted_answer_is_the_answer_unless_the_caller_waits_for_the_final_one()
    {
        var requests = new ConnectionRequests();
        var plain = requests.TryRegister("r1", null, null, false)!;
        var accepted = Answer("r1", accepted: true);
        Assert.True(requests.TryComplete(accepted));
        Assert.Same(accepted, await plain);

        var interims = 0;
        var waiting = requests.TryRegister("r2", null, _ => interims++, acceptedIsInterim: true)!;
        Assert.True(requests.TryComplete(Answer("r2", accepted: true)));
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, interims);
        Assert.True(requests.TryComplete(Answer("r2")));
        Assert.True(waiting.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task The_connections_end_fails_what_waits_on_it_as_outcome_unknown_and_refuses_new_requests()
    {
        var requests = new ConnectionRequests();
        var waiting = requests.TryRegister("r1", null, null, false)!;
        var answered = requests.TryRegister("r2", null, null, false)!;
        var forgotten = requests.TryRegister("r3", null, null, false)!;
        Assert.True(requests.TryComplete(Answer("r2")));
        requests.Forget("r3");
        var lost = new GatewayConnectionException("gone") { OutcomeUnknown = true };

        requests.End(lost);
        requests.End(new GatewayConnectionException("a later reason"));

        Assert.Same(lost, await Assert.ThrowsAsync<GatewayConnectionException>(() => waiting));
        Assert.True(answered.IsCompletedSuccessfully);
        Assert.False(forgotten.IsCompleted); // never written here: not this connection's to fail
        Assert.Null(requests.TryRegister("r4", null, null, false));
        Assert.Equal(0, requests.Count);
    }
}
