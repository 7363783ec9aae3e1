using System.Text;
using Gateway.Client.Dialects;
using Gateway.Client.Dialects.Praxis;
using Gateway.Client.Wire;
using Gateway.Client.Praxis;

namespace Gateway.Client.Tests;

/// <summary>The Praxis dialect's answer matching, classification, continuity and liveness, frame by frame.</summary>
public class PraxisAnswerLedgerTests
{
    private static PraxisDialect Dialect(bool socketKeepAlive = true, params string[] eventTypes) =>
        new(new PraxisOptions { EventTypes = eventTypes.ToList() }, socketKeepAlive);

    private static byte[] U(string json) => Encoding.UTF8.GetBytes(json);

    /// <summary>A connection's handshake succeeded: its own answer matching.</summary>
    private static PraxisConnection Connect(PraxisDialect dialect) => Assert.IsType<PraxisConnection>(dialect.BeginConnection());

    /// <summary>Writes a request as the engine does and puts it on the (pretend) wire of <paramref name="wire"/>.</summary>
    private static void Request(PraxisConnection wire, string id, string command)
    {
        using var output = new PooledBufferWriter();
        Dialect().WriteRequest(output, id, command, null, null);
        wire.Sending(output.WrittenMemory.Span, isRequest: true);
    }

    private static (FrameKind Kind, ResponseFrame? Response) Receive(PraxisConnection wire, string json)
    {
        var frame = U(json);
        var classified = wire.Classify(frame);
        return (classified.Kind, classified.Kind == FrameKind.Response ? wire.ParseResponse(frame) : null);
    }

    [Fact]
    public void A_dsl_command_takes_its_progress_as_interim_answers_and_its_result_as_the_answer()
    {
        var dialect = Dialect();
        var wire = Connect(dialect);
        Request(wire, "r1", PraxisCommands.DslCommand);

        var progress = Receive(wire, """{"type":"dslProgress","payload":{"stage":"analyzing"}}""");
        var result = Receive(wire, """{"type":"dslResult","payload":{"success":true,"command":"c"}}""");

        Assert.Equal(FrameKind.Response, progress.Kind);
        Assert.True(progress.Response!.IsProgress);
        Assert.Equal("r1", progress.Response.Id);
        Assert.Equal("analyzing", progress.Response.Result!.Value.GetProperty("stage").GetString());
        Assert.False(result.Response!.IsProgress);
        Assert.True(result.Response.Ok);
        Assert.Equal("c", result.Response.Result!.Value.GetProperty("command").GetString());
        Assert.Equal(0, wire.AwaitingAnswers);
    }

    [Fact]
    public void Answers_go_to_the_oldest_frame_on_the_wire_and_frames_that_answer_nothing_are_events()
    {
        var dialect = Dialect();
        var wire = Connect(dialect);
        Request(wire, "r1", PraxisCommands.ExecuteWorkflow);
        Request(wire, "r2", PraxisCommands.ChatMessage);

        var unrelated = Receive(wire, """{"type":"workflowLog","payload":{"message":"x"}}""");
        var first = Receive(wire, """{"type":"workflowStart","payload":{"workflowId":"w"}}""");
        var second = Receive(wire, """{"type":"chatMessage","payload":{"content":"hi","sender":"assistant","type":"text"}}""");

        Assert.Equal(FrameKind.Event, unrelated.Kind);
        Assert.Equal("r1", first.Response!.Id);
        Assert.Equal("r2", second.Response!.Id);
    }

    [Fact]
    public void An_error_fails_the_oldest_frame_with_the_servers_code_and_message()
    {
        var dialect = Dialect();
        var wire = Connect(dialect);
        Request(wire, "r1", PraxisCommands.ExecuteWorkflow);

        var (_, response) = Receive(wire, """{"type":"error","payload":{"message":"'list' object has no attribute 'get'","code":"INTERNAL_ERROR"}}""");

        Assert.False(response!.Ok);
        Assert.Equal(("r1", "INTERNAL_ERROR", "'list' object has no attribute 'get'"), (response.Id, response.ErrorCode, response.ErrorMessage));
    }

    [Fact]
    public void A_correlation_id_picks_its_frame_out_of_order()
    {
        var dialect = Dialect();
        var wire = Connect(dialect);
        Request(wire, "r1", PraxisCommands.DslCommand);
        Request(wire, "r2", PraxisCommands.Ping);

        var pong = Receive(wire, """{"type":"PONG","payload":{"timestamp":"t"},"correlation_id":"r2"}""");
        var result = Receive(wire, """{"type":"dslResult","payload":{"success":true}}""");

        Assert.Equal("r2", pong.Response!.Id);
        Assert.Equal("r1", result.Response!.Id);
    }

    [Fact]
    public void A_correlation_id_that_matches_no_waiting_frame_answers_nothing_by_order()
    {
        var dialect = Dialect();
        var wire = Connect(dialect);
        Request(wire, "r1", PraxisCommands.DslCommand);
        Request(wire, "r2", PraxisCommands.Ping);

        // Stale or unknown ids: an event, or control for a pong or a notice; never the oldest request's answer.
        var stale = Receive(wire, """{"type":"dslResult","payload":{"success":false},"correlation_id":"r0"}""");
        var strayPong = Receive(wire, """{"type":"PONG","payload":{},"correlation_id":"gone"}""");
        var strayNotice = Receive(wire, """{"type":"chatMessage","payload":{"content":"Connected to Praxis Agent","sender":"system","type":"system"},"correlation_id":"gone"}""");
        var result = Receive(wire, """{"type":"dslResult","payload":{"success":true}}""");
        var pong = Receive(wire, """{"type":"PONG","payload":{},"correlation_id":"r2"}""");

        Assert.Equal(FrameKind.Event, stale.Kind);
        Assert.Equal(FrameKind.Pong, strayPong.Kind);
        Assert.Equal(FrameKind.Pong, strayNotice.Kind);
        Assert.Equal(("r1", true), (result.Response!.Id, result.Response.Result!.Value.GetProperty("success").GetBoolean()));
        Assert.Equal("r2", pong.Response!.Id);
        Assert.Equal(0, wire.AwaitingAnswers);
    }

    [Fact]
    public void An_answer_goes_to_the_oldest_frame_it_answers_past_an_older_one_still_waiting()
    {
        var dialect = Dialect();
        var wire = Connect(dialect);
        Request(wire, "r1", PraxisCommands.DslCommand);
        Request(wire, "r2", PraxisCommands.ExecuteWorkflow);

        var started = Receive(wire, """{"type":"workflowStart","payload":{"workflowId":"w"}}""");
        var result = Receive(wire, """{"type":"dslResult","payload":{"success":true}}""");

        Assert.Equal(("r2", "w"), (started.Response!.Id, started.Response.Result!.Value.GetProperty("workflowId").GetString()));
        Assert.Equal("r1", result.Response!.Id);
        Assert.Equal(0, wire.AwaitingAnswers);
    }

    [Fact]
    public void Requests_behind_an_unanswered_subscription_get_their_answers()
    {
        var dialect = Dialect(socketKeepAlive: true, "task.started");
        var wire = Connect(dialect);
        wire.Sending(Assert.Single(dialect.RestoreFrames(null!)), isRequest: false);
        Request(wire, "r1", PraxisCommands.DslCommand);
        Request(wire, "r2", PraxisCommands.ChatMessage);

        var progress = Receive(wire, """{"type":"dslProgress","payload":{"stage":"analyzing"}}""");
        var result = Receive(wire, """{"type":"dslResult","payload":{"success":true}}""");
        var reply = Receive(wire, """{"type":"chatMessage","payload":{"content":"hi","sender":"assistant","type":"text"}}""");

        Assert.Equal(("r1", true), (progress.Response!.Id, progress.Response.IsProgress));
        Assert.Equal(("r1", false), (result.Response!.Id, result.Response.IsProgress));
        Assert.Equal("r2", reply.Response!.Id);
        Assert.Equal(1, wire.AwaitingAnswers); // the subscription, until its acknowledgement
        Assert.Equal(FrameKind.Pong, Receive(wire, """{"type":"chatMessage","payload":{"content":"Subscribed to 1 event types","sender":"system","type":"system"}}""").Kind);
        Assert.Equal(0, wire.AwaitingAnswers);
    }

    [Fact]
    public void The_welcome_notice_answers_only_the_oldest_frame_never_one_behind_it()
    {
        // The documented server's unsolicited welcome must not become a later PING's answer (the live handler
        // answers in order, so a welcome that is an answer is the oldest frame's).
        var dialect = Dialect();
        var wire = Connect(dialect);
        Request(wire, "r1", PraxisCommands.DslCommand);
        Request(wire, "r2", PraxisCommands.Ping);

        var welcome = Receive(wire, """{"type":"chatMessage","payload":{"content":"Connected to Praxis Agent","sender":"system","type":"system"}}""");
        var pong = Receive(wire, """{"type":"PONG","payload":{"timestamp":"t"},"correlation_id":"r2"}""");
        var result = Receive(wire, """{"type":"dslResult","payload":{"success":true}}""");

        Assert.Equal(FrameKind.Pong, welcome.Kind);
        Assert.Equal(("r2", "t"), (pong.Response!.Id, pong.Response.Result!.Value.GetProperty("timestamp").GetString()));
        Assert.Equal("r1", result.Response!.Id);
    }

    [Fact]
    public void The_clients_own_frames_are_answered_by_control_frames_and_system_notices_are_never_events()
    {
        var dialect = Dialect(socketKeepAlive: false, "task.started");
        var wire = Connect(dialect);
        var restore = Assert.Single(dialect.RestoreFrames(null!));
        Assert.Contains("\"event_types\":[\"task.started\"]", Encoding.UTF8.GetString(restore));
        wire.Sending(restore, isRequest: false);
        using (var ping = new PooledBufferWriter())
        {
            Assert.True(dialect.WritePing(ping));
            wire.Sending(ping.WrittenMemory.Span, isRequest: false);
        }

        // The live handler answers both with its welcome; a stray acknowledgement or pong is control too.
        Assert.Equal(FrameKind.Pong, Receive(wire, """{"type":"chatMessage","payload":{"content":"Connected to Praxis Agent","sender":"system","type":"system"}}""").Kind);
        Assert.Equal(FrameKind.Pong, Receive(wire, """{"type":"chatMessage","payload":{"content":"Connected to Praxis Agent","sender":"system","type":"system"}}""").Kind);
        Assert.Equal(0, wire.AwaitingAnswers);
        Assert.Equal(FrameKind.Pong, Receive(wire, """{"type":"chatMessage","payload":{"content":"Subscribed to 1 event types","sender":"system","type":"system"}}""").Kind);
        Assert.Equal(FrameKind.Pong, Receive(wire, """{"type":"PONG","payload":{}}""").Kind);
    }

    [Fact]
    public void A_subscription_acknowledgement_never_answers_a_request_that_is_not_a_subscription()
    {
        var dialect = Dialect();
        var wire = Connect(dialect);
        Request(wire, "r1", PraxisCommands.Ping);

        var ack = Receive(wire, """{"type":"chatMessage","payload":{"content":"Subscribed to 2 event types","sender":"system","type":"system"}}""");
        var pong = Receive(wire, """{"type":"PONG","payload":{},"correlation_id":"r1"}""");

        Assert.Equal(FrameKind.Pong, ack.Kind);
        Assert.Equal("r1", pong.Response!.Id);
    }

    [Fact]
    public void The_apps_own_frames_are_answered_with_events_and_a_new_connection_forgets_what_the_old_one_awaited()
    {
        var dialect = Dialect();
        var wire = Connect(dialect);
        wire.Sending(U("""{"type":"DSL_COMMAND","payload":{"command":"c"}}"""), isRequest: false);
        Assert.Equal(FrameKind.Event, Receive(wire, """{"type":"dslResult","payload":{}}""").Kind);

        Request(wire, "r1", PraxisCommands.DslCommand);
        wire = Connect(dialect);
        Assert.Equal(0, wire.AwaitingAnswers);
        Assert.Equal(FrameKind.Event, Receive(wire, """{"type":"dslResult","payload":{}}""").Kind);
    }

    [Fact]
    public void The_ledger_is_bounded_when_the_server_answers_nothing()
    {
        var dialect = Dialect();
        var wire = Connect(dialect);
        for (var i = 0; i < PraxisAnswerLedger.MaxAwaiting + 50; i++)
        {
            wire.Sending(U("""{"type":"UNHEARD","payload":{}}"""), isRequest: false);
        }

        Assert.Equal(PraxisAnswerLedger.MaxAwaiting, wire.AwaitingAnswers);
    }

    [Fact]
    public void A_request_beyond_the_bound_is_refused_before_it_is_written_and_no_waiting_one_is_forgotten()
    {
        var dialect = Dialect();
        var wire = Connect(dialect);
        for (var i = 0; i < PraxisAnswerLedger.MaxAwaiting; i++)
        {
            Request(wire, $"r{i}", PraxisCommands.ChatMessage);
        }

        var refused = Assert.Throws<GatewayRequestException>(() => Request(wire, "over", PraxisCommands.ChatMessage));

        Assert.Equal(("TOO_MANY_AWAITING", PraxisCommands.ChatMessage), (refused.Code, refused.Method));
        Assert.Contains("1024", refused.Message);
        Assert.True(refused.RefusedByClient);
        Assert.StartsWith("The client did not send the 'CHAT_MESSAGE' request: TOO_MANY_AWAITING: ", refused.Message, StringComparison.Ordinal);
        Assert.Equal(PraxisAnswerLedger.MaxAwaiting, wire.AwaitingAnswers);
        for (var i = 0; i < PraxisAnswerLedger.MaxAwaiting; i++)
        {
            var (_, response) = Receive(wire, $$$"""{"type":"chatMessage","payload":{"content":"m{{{i}}}","sender":"assistant","type":"text"}}""");
            Assert.Equal(($"r{i}", $"m{i}"), (response!.Id, response.Result!.Value.GetProperty("content").GetString()));
        }

        Request(wire, "next", PraxisCommands.ChatMessage); // answered ones make room
        Assert.Equal(1, wire.AwaitingAnswers);
    }

    [Fact]
    public void Forgetting_an_unanswered_frame_fails_the_requests_behind_it_instead_of_shifting_their_answers()
    {
        var dialect = Dialect();
        var wire = Connect(dialect);
        Request(wire, "r1", PraxisCommands.DslCommand);
        for (var i = 0; i < PraxisAnswerLedger.MaxAwaiting; i++)
        {
            wire.Sending(U($$$"""{"type":"CHAT_MESSAGE","payload":{"content":"app{{{i}}}"}}"""), isRequest: false);
        }

        Request(wire, "r2", PraxisCommands.ChatMessage);
        wire.Sending(U("""{"type":"CHAT_MESSAGE","payload":{"content":"one too many"}}"""), isRequest: false); // the oldest app frame is forgotten

        // Order can no longer prove whose an answer is: no new request is written, and r2 never takes another's answer.
        var refused = Assert.Throws<GatewayRequestException>(() => Request(wire, "r3", PraxisCommands.ChatMessage));
        Assert.Equal("ANSWERS_OUT_OF_STEP", refused.Code);
        Assert.True(refused.RefusedByClient);
        Assert.StartsWith("The client did not send", refused.Message, StringComparison.Ordinal);
        Assert.Equal("r1", Receive(wire, """{"type":"dslResult","payload":{"success":true}}""").Response!.Id); // ahead of the forgotten frame
        var responses = Enumerable.Range(0, PraxisAnswerLedger.MaxAwaiting + 2)
            .Select(i => Receive(wire, $$$"""{"type":"chatMessage","payload":{"content":"a{{{i}}}","sender":"assistant","type":"text"}}"""))
            .Where(r => r.Kind == FrameKind.Response)
            .ToList();
        var failed = Assert.Single(responses).Response!;
        Assert.Equal(("r2", false, "ANSWERS_OUT_OF_STEP"), (failed.Id, failed.Ok, failed.ErrorCode));
        Assert.Null(failed.Result);
        Assert.Null(failed.Error);
    }

    [Fact]
    public void An_event_is_the_whole_frame_its_body_the_payload_and_a_frame_without_a_type_is_malformed()
    {
        var dialect = Dialect();
        var wire = Connect(dialect);
        var frame = U("""{"type":"nodeStatusUpdate","payload":{"nodeId":"n1","status":"running"},"extra":1}""");

        var classified = wire.Classify(frame);

        Assert.Equal(FrameKind.Event, classified.Kind);
        Assert.Equal("nodeStatusUpdate", classified.Type);
        Assert.Null(classified.Sequence);
        Assert.Equal((0, frame.Length), (classified.PayloadOffset, classified.PayloadLength));
        Assert.Equal("""{"nodeId":"n1","status":"running"}""", Encoding.UTF8.GetString(EventBody.Read(frame, dialect.EventBody).Utf8Data.Span));
        Assert.Equal(FrameKind.Malformed, wire.Classify(U("""{"payload":{}}""")).Kind);
        Assert.Equal(FrameKind.Malformed, wire.Classify(U("""[1]""")).Kind);
        Assert.Equal(FrameKind.Malformed, wire.Classify(U("""{"type":"x","payload":{"a":""")).Kind);
    }

    [Fact]
    public void The_first_connection_is_fresh_and_every_later_one_is_a_continuity_break()
    {
        var dialect = Dialect();
        var wire = Connect(dialect);

        var first = dialect.Continue(default);
        var second = dialect.Continue(default);

        Assert.Null(first.Gap);
        Assert.Equal(ContinuityOutcome.Fresh, first.Report.Outcome);
        Assert.Equal(ContinuityOutcome.NotResumable, second.Report.Outcome);
        Assert.Equal((1L, (long?)null, GapReason.ReplayUnsupported), (second.Gap!.Expected, second.Gap.Received, second.Gap.Reason));
    }

    [Fact]
    public void Liveness_is_the_sockets_keep_alive_where_it_exists_and_an_app_ping_before()
    {
        using var output = new PooledBufferWriter();
        Assert.Equal(LivenessStyle.SocketKeepAlive, Dialect(socketKeepAlive: true).Liveness);
        Assert.False(Dialect(socketKeepAlive: true).WritePing(output));
        Assert.Equal(LivenessStyle.ClientPing, Dialect(socketKeepAlive: false).Liveness);
        Assert.True(PraxisDialect.SocketKeepAliveAvailable); // the tests run on .NET 10
    }

    [Fact]
    public void Praxis_settings_validate()
    {
        var options = new GatewayClientOptions { Url = new Uri("ws://127.0.0.1/ws/events"), Dialect = ProtocolDialect.Praxis };
        options.Validate();
        options.GetDialectOptions<PraxisOptions>().EventTypes.Add(" ");
        Assert.Contains("Praxis.EventTypes", Assert.Throws<ArgumentException>(options.Validate).Message);
    }
}
