using System.Text.Json;
using Gateway.Client.Dialects.OpenClaw;
using Gateway.Client.Dialects.PraisonAI;
using Gateway.Client.Engine;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Client.Tests;

/// <summary>How each dialect's turn driver matches events to turns, fed events as the receive loop would.</summary>
public class TurnDriverTests
{
    private static readonly GatewayClientOptions Client = new() { Url = new Uri("ws://127.0.0.1/ws"), AgentId = "unit" };

    private static TurnRun Run(TurnRouter router, string message = "hi", Action<TurnRun>? setUp = null)
    {
        var run = new TurnRun(message, new TurnSettings(null, Client), router.Time.GetTimestamp());
        setUp?.Invoke(run);
        router.Add(run);
        return run;
    }

    private static List<GatewayTurnUpdate> Drain(TurnRun run)
    {
        var updates = new List<GatewayTurnUpdate>();
        while (run.Queue.TryTake(out var item))
        {
            if (item.Update is { } update)
            {
                updates.Add(update);
            }
        }

        return updates;
    }

    private static GatewayEvent OpenClaw(string name, string payload, long seq) =>
        GatewayModelFactory.GatewayEvent(name, seq, frame: JsonDocument.Parse($$"""{"type":"event","event":"{{name}}","payload":{{payload}},"seq":{{seq}}}""").RootElement, dialect: ProtocolDialect.OpenClaw);

    private static string ChatDelta(string runId, int runSeq, string whole, string piece) =>
        $$$"""{"runId":"{{{runId}}}","sessionKey":"agent:main:main","seq":{{{runSeq}}},"state":"delta","deltaText":"{{{piece}}}","message":{"role":"assistant","content":[{"type":"text","text":"{{{whole}}}"}]}}""";

    [Fact]
    public void OpenClaw_text_comes_from_the_whole_text_so_far_so_a_repeated_delta_adds_nothing_and_a_missed_one_is_recovered()
    {
        var router = new TurnRouter(new OpenClawTurnDriver(), TimeProvider.System, NullLogger.Instance);
        var run = Run(router, setUp: r => r.TurnId = "run-1");

        router.Offer(OpenClaw("chat", ChatDelta("run-1", 3, "echo:", "echo:"), 10));
        router.Offer(OpenClaw("chat", ChatDelta("run-1", 3, "echo:", "echo:"), 11)); // the same delta again
        router.Offer(OpenClaw("chat", ChatDelta("other", 4, "not ours", "not ours"), 12));
        router.Offer(OpenClaw("chat", ChatDelta("run-1", 6, "echo: hello there", " there"), 13)); // " hello" never came

        var deltas = Drain(run).Where(u => u.Kind == GatewayTurnUpdateKind.TextDelta).Select(u => u.Text);
        Assert.Equal(new[] { "echo:", " hello there" }, deltas);
    }

    [Fact]
    public void OpenClaw_final_with_the_same_run_number_as_the_last_delta_still_ends_the_turn_and_tops_up_missed_text()
    {
        var router = new TurnRouter(new OpenClawTurnDriver(), TimeProvider.System, NullLogger.Instance);
        var run = Run(router, setUp: r => r.TurnId = "run-1");

        router.Offer(OpenClaw("chat", ChatDelta("run-1", 5, "echo:", "echo:"), 1));
        router.Offer(OpenClaw("chat", """{"runId":"run-1","seq":5,"state":"final","stopReason":"stop","message":{"role":"assistant","content":[{"type":"text","text":"echo: hi"}]}}""", 2));

        var updates = Drain(run);
        Assert.Equal(new[] { GatewayTurnUpdateKind.Accepted, GatewayTurnUpdateKind.TextDelta, GatewayTurnUpdateKind.TextDelta, GatewayTurnUpdateKind.Final }, updates.Select(u => u.Kind));
        Assert.Equal(" hi", updates[2].Text);
        Assert.Equal(GatewayTurnStatus.Completed, updates[^1].Outcome!.Status);
        Assert.Equal("echo: hi", updates[^1].Outcome!.Text);
    }

    [Fact]
    public void OpenClaw_error_and_abort_end_the_turn_once_with_the_servers_words()
    {
        var router = new TurnRouter(new OpenClawTurnDriver(), TimeProvider.System, NullLogger.Instance);
        var failed = Run(router, setUp: r => r.TurnId = "f");
        var aborted = Run(router, setUp: r => r.TurnId = "a");

        router.Offer(OpenClaw("chat", """{"runId":"f","seq":2,"state":"error","errorMessage":"HTTP 400: bad","errorKind":"provider"}""", 1));
        router.Offer(OpenClaw("chat", """{"runId":"f","seq":1,"state":"error","errorMessage":"again"}""", 2)); // the real gateway's second error
        router.Offer(OpenClaw("chat", """{"runId":"a","seq":4,"state":"aborted"}""", 3));

        var failure = Assert.Single(Drain(failed), u => u.Kind == GatewayTurnUpdateKind.Final).Outcome!;
        Assert.Equal((GatewayTurnStatus.Failed, "HTTP 400: bad", "provider"), (failure.Status, failure.ErrorMessage, failure.ErrorCode));
        Assert.Equal(GatewayTurnStatus.Cancelled, Assert.Single(Drain(aborted), u => u.Kind == GatewayTurnUpdateKind.Final).Outcome!.Status);
    }

    [Fact]
    public void OpenClaw_tools_and_thinking_become_tool_and_reasoning_updates()
    {
        var router = new TurnRouter(new OpenClawTurnDriver(), TimeProvider.System, NullLogger.Instance);
        var run = Run(router, setUp: r => r.TurnId = "t");

        router.Offer(OpenClaw("agent", """{"runId":"t","seq":1,"stream":"thinking","data":{"text":"hmm","delta":"hmm"}}""", 1));
        router.Offer(OpenClaw("agent", """{"runId":"t","seq":2,"stream":"thinking","data":{"text":"hmm, ok","delta":", ok"}}""", 2));
        router.Offer(OpenClaw("agent", """{"runId":"t","seq":3,"stream":"tool","data":{"phase":"start","name":"read","toolCallId":"c1","args":{"path":"a"}}}""", 3));
        router.Offer(OpenClaw("agent", """{"runId":"t","seq":4,"stream":"tool","data":{"phase":"result","name":"read","toolCallId":"c1","result":"text","isError":false}}""", 4));

        var updates = Drain(run).Skip(1).ToList();
        Assert.Equal(new[] { "hmm", ", ok" }, updates.Where(u => u.Kind == GatewayTurnUpdateKind.ReasoningDelta).Select(u => u.Text));
        var call = Assert.Single(updates, u => u.Kind == GatewayTurnUpdateKind.ToolCall).ToolCall!;
        Assert.Equal(("read", "c1", "a"), (call.Name, call.CallId, call.Arguments!.Value.GetProperty("path").GetString()));
        Assert.Equal("text", Assert.Single(updates, u => u.Kind == GatewayTurnUpdateKind.ToolResult).ToolCall!.Result!.Value.GetString());
    }

    private static GatewayEvent PraisonAI(string type, string frame, long seq, bool replay = false) =>
        GatewayModelFactory.GatewayEvent(type, seq, replay, JsonDocument.Parse(frame).RootElement, new GatewayResumePoint("s1", null, seq));

    [Fact]
    public void PraisonAI_answers_go_to_turns_by_order_within_the_session_and_replayed_frames_to_none()
    {
        var driver = new PraisonAITurnDriver();
        var router = new TurnRouter(driver, TimeProvider.System, NullLogger.Instance);
        var first = Run(router, "one", r => { r.SessionId = "s1"; driver.Track(r); });
        var second = Run(router, "two", r => { r.SessionId = "s1"; driver.Track(r); });

        router.Offer(PraisonAI("response", """{"type":"response","status":"accepted","content":"Started processing.","seq":1}""", 1));
        router.Offer(PraisonAI("response", """{"type":"response","status":"accepted","content":"Message queued.","seq":2}""", 2));
        router.Offer(PraisonAI("token_stream", """{"type":"token_stream","data":{"content":"old"},"seq":3}""", 3, replay: true));
        router.Offer(PraisonAI("token_stream", """{"type":"token_stream","data":{"content":"echo: one"},"seq":4}""", 4));
        router.Offer(PraisonAI("response", """{"type":"response","status":"final","content":"echo: one","outcome":{"status":"ok"},"seq":5}""", 5));
        router.Offer(PraisonAI("token_stream", """{"type":"token_stream","data":{"content":"echo: two"},"seq":6}""", 6));
        router.Offer(PraisonAI("response", """{"type":"response","status":"final","content":"no","outcome":{"status":"rejected"},"seq":7}""", 7));

        var one = Drain(first);
        var two = Drain(second);
        Assert.Equal(new[] { "Started processing.", "echo: one", "echo: one" }, one.Select(u => u.Text));
        Assert.Equal(GatewayTurnStatus.Completed, one[^1].Outcome!.Status);
        Assert.Equal(new[] { "Message queued.", "echo: two", "no" }, two.Select(u => u.Text));
        Assert.Equal(GatewayTurnStatus.Rejected, two[^1].Outcome!.Status);
        Assert.False(second.QueuedAlone); // queued behind a turn of ours: expected, not stuck
    }

    [Fact]
    public void PraisonAI_a_turn_the_client_ended_keeps_its_place_so_its_late_answers_never_reach_the_next_turn()
    {
        var driver = new PraisonAITurnDriver();
        var router = new TurnRouter(driver, TimeProvider.System, NullLogger.Instance);
        var cancelled = Run(router, "one", r => { r.SessionId = "s1"; driver.Track(r); });
        var next = Run(router, "two", r => { r.SessionId = "s1"; driver.Track(r); });
        router.Offer(PraisonAI("response", """{"type":"response","status":"accepted","content":"Started processing.","seq":1}""", 1));
        router.TryEnd(cancelled, () => cancelled.Final(GatewayTurnStatus.Cancelled, reason: "the caller cancelled the turn"));

        router.Offer(PraisonAI("response", """{"type":"response","status":"accepted","content":"Message queued.","seq":2}""", 2));
        router.Offer(PraisonAI("aborted", """{"type":"aborted","session_id":"s1","seq":3}""", 3));
        router.Offer(PraisonAI("token_stream", """{"type":"token_stream","data":{"content":"late"},"seq":4}""", 4));
        router.Offer(PraisonAI("response", """{"type":"response","status":"final","content":"Turn cancelled: user.","outcome":{"status":"ok"},"seq":5}""", 5));
        router.Offer(PraisonAI("token_stream", """{"type":"token_stream","data":{"content":"echo: two"},"seq":6}""", 6));
        router.Offer(PraisonAI("response", """{"type":"response","status":"final","content":"echo: two","outcome":{"status":"ok"},"seq":7}""", 7));

        Assert.Equal(GatewayTurnStatus.Cancelled, Assert.Single(Drain(cancelled), u => u.Kind == GatewayTurnUpdateKind.Final).Outcome!.Status);
        var two = Drain(next);
        Assert.Equal(new[] { "Message queued.", "echo: two", "echo: two" }, two.Select(u => u.Text));
        Assert.Equal(GatewayTurnStatus.Completed, two[^1].Outcome!.Status);
    }

    [Fact]
    public void PraisonAI_a_turn_whose_stream_starts_before_its_acceptance_answer_is_accepted_first_and_loses_no_delta()
    {
        var driver = new PraisonAITurnDriver();
        var router = new TurnRouter(driver, TimeProvider.System, NullLogger.Instance);
        var run = Run(router, "one", r => { r.SessionId = "s1"; driver.Track(r); });
        var next = Run(router, "two", r => { r.SessionId = "s1"; driver.Track(r); });

        router.Offer(PraisonAI("token_stream", """{"type":"token_stream","data":{"content":"echo: "},"seq":1}""", 1));
        router.Offer(PraisonAI("response", """{"type":"response","status":"accepted","content":"Message queued.","seq":2}""", 2));
        router.Offer(PraisonAI("token_stream", """{"type":"token_stream","data":{"content":"one"},"seq":3}""", 3));
        router.Offer(PraisonAI("response", """{"type":"response","status":"final","content":"echo: one","outcome":{"status":"ok"},"seq":4}""", 4));
        router.Offer(PraisonAI("response", """{"type":"response","status":"accepted","content":"Message queued.","seq":5}""", 5));

        var one = Drain(run);
        Assert.Equal(new[] { GatewayTurnUpdateKind.Accepted, GatewayTurnUpdateKind.TextDelta, GatewayTurnUpdateKind.TextDelta, GatewayTurnUpdateKind.Final }, one.Select(u => u.Kind));
        Assert.Equal("echo: one", string.Concat(one.Where(u => u.Kind == GatewayTurnUpdateKind.TextDelta).Select(u => u.Text)));
        Assert.Equal("Message queued.", Assert.Single(Drain(next)).Text); // the second answer is the next turn's
    }

    [Fact]
    public void PraisonAI_a_message_queued_behind_nothing_of_ours_is_watched_and_a_drop_loses_the_turn_and_marks_its_session()
    {
        var driver = new PraisonAITurnDriver();
        var router = new TurnRouter(driver, TimeProvider.System, NullLogger.Instance);
        var connection = new object();
        var run = Run(router, setUp: r => { (r.SessionId, r.SentOn) = ("s1", connection); driver.Track(r); });

        router.Offer(PraisonAI("response", """{"type":"response","status":"accepted","content":"Message queued.","seq":1}""", 1));
        Assert.True(run.QueuedAlone);

        router.Offer(PraisonAI("token_stream", """{"type":"token_stream","data":{"content":"echo"},"seq":2}""", 2));
        Assert.False(run.QueuedAlone); // it runs after all

        router.ConnectionEnded(new object()); // another connection: not this turn's
        Assert.False(run.Ended);
        router.ConnectionEnded(connection);
        var lost = Drain(run)[^1].Outcome!;
        Assert.Equal(GatewayTurnStatus.Lost, lost.Status);
        Assert.Equal("echo", lost.Text);
        Assert.Equal("the history of session s1", lost.AnswerLocation);
    }

    [Fact]
    public void PraisonAI_a_cancelled_turn_whose_connection_ends_with_no_turn_in_flight_leaves_the_order_and_its_session()
    {
        var driver = new PraisonAITurnDriver();
        var router = new TurnRouter(driver, TimeProvider.System, NullLogger.Instance);
        var c1 = new object();
        var a = Run(router, "one", r => { (r.SessionId, r.SentOn) = ("s1", c1); driver.Track(r); });
        router.Offer(PraisonAI("response", """{"type":"response","status":"accepted","content":"Started processing.","seq":1}""", 1));
        router.TryEnd(a, () => a.Final(GatewayTurnStatus.Cancelled, reason: "the caller cancelled the turn"));
        router.Remove(a); // the reader left: no turn in flight when its connection ends
        router.ConnectionEnded(c1);

        var c2 = new object();
        var b = Run(router, "two", r => { (r.SessionId, r.SentOn) = ("s1", c2); driver.Track(r); });
        router.Offer(PraisonAI("response", """{"type":"response","status":"accepted","content":"Started processing.","seq":2}""", 2));
        router.Offer(PraisonAI("token_stream", """{"type":"token_stream","data":{"content":"echo: two"},"seq":3}""", 3));
        router.Offer(PraisonAI("response", """{"type":"response","status":"final","content":"echo: two","outcome":{"status":"ok"},"seq":4}""", 4));

        var two = Drain(b);
        Assert.Equal("echo: two", Assert.Single(two, u => u.Kind == GatewayTurnUpdateKind.TextDelta).Text);
        Assert.Equal(GatewayTurnStatus.Completed, two[^1].Outcome!.Status);
    }

    [Fact]
    public void OpenClaw_a_rewritten_answer_is_said_at_once_and_in_the_outcome_and_the_deltas_go_on_from_the_new_text()
    {
        var router = new TurnRouter(new OpenClawTurnDriver(), TimeProvider.System, NullLogger.Instance);
        var run = Run(router, setUp: r => r.TurnId = "r");
        router.Offer(OpenClaw("chat", """{"runId":"r","seq":1,"state":"delta","deltaText":"Hello wrld","message":{"role":"assistant","content":"Hello wrld"}}""", 1));
        router.Offer(OpenClaw("chat", """{"runId":"r","seq":2,"state":"delta","deltaText":"Hello world","replace":true,"message":{"role":"assistant","content":"Hello world"}}""", 2));
        router.Offer(OpenClaw("chat", """{"runId":"r","seq":3,"state":"delta","deltaText":", again","message":{"role":"assistant","content":"Hello world, again"}}""", 3));
        router.Offer(OpenClaw("chat", """{"runId":"r","seq":3,"state":"final","message":{"role":"assistant","content":"Hello world, again"}}""", 4));

        var updates = Drain(run);
        Assert.Equal(new[] { "Hello wrld", ", again" }, updates.Where(u => u.Kind == GatewayTurnUpdateKind.TextDelta).Select(u => u.Text));
        Assert.Contains(updates, u => u.Kind == GatewayTurnUpdateKind.Status && u.Text!.Contains("rewrote", StringComparison.Ordinal));
        var outcome = updates[^1].Outcome!;
        Assert.Equal("Hello world, again", outcome.Text);
        Assert.Contains("deltas do not add up", outcome.Reason, StringComparison.Ordinal);
    }
}
