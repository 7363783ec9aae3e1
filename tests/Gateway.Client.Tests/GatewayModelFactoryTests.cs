using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Gateway.Client.OpenClaw;
using Gateway.Client.PraisonAI;

namespace Gateway.Client.Tests;

/// <summary>The output types have no public constructors, so they can grow; the model factory builds each of them for an app's tests.</summary>
public class GatewayModelFactoryTests
{
    private static readonly Type[] Types =
    {
        typeof(GatewayEvent),
        typeof(GatewaySession),
        typeof(GatewayClientStatistics),
        typeof(GapInfo),
        typeof(ContinuityReport),
        typeof(ResyncResult),
        typeof(GatewayFeatures),
        typeof(GatewayPolicy),
        typeof(ConnectionStateChangedEventArgs),
        typeof(OpenClawSessionDetails),
        typeof(GatewayCapabilities),
        typeof(GatewayRequestProgress),
        typeof(GatewayTurnUpdate),
        typeof(GatewayTurnOutcome),
        typeof(GatewayTurnToolCall),
    };

    public static TheoryData<Type> OutputTypes => new(Types);

    [Theory]
    [MemberData(nameof(OutputTypes))]
    public void An_output_type_has_no_public_constructor_and_a_factory_method_named_after_it([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] Type type)
    {
        Assert.Empty(type.GetConstructors(BindingFlags.Public | BindingFlags.Instance));
        Assert.True(type.IsClass && type.IsSealed, $"{type.Name} is a sealed class");

        var method = Assert.Single(typeof(GatewayModelFactory).GetMethods(BindingFlags.Public | BindingFlags.Static), m => m.Name == type.Name);
        Assert.Equal(type, method.ReturnType);
    }

    [Fact]
    public void The_factory_builds_every_output_type_and_nothing_else()
    {
        var built = typeof(GatewayModelFactory).GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly).Select(m => m.ReturnType);

        Assert.Equal(Types.OrderBy(t => t.Name), built.OrderBy(t => t.Name));
    }

    [Fact]
    public void Statistics_are_get_only_with_no_Deconstruct_and_each_factory_argument_sets_its_counter()
    {
        var properties = typeof(GatewayClientStatistics).GetProperties(BindingFlags.Public | BindingFlags.Instance);
        Assert.All(properties, p => Assert.Null(p.GetSetMethod()));
        Assert.Null(typeof(GatewayClientStatistics).GetMethod("Deconstruct"));

        // Every counter gets its own value through the argument of the same name.
        var method = typeof(GatewayModelFactory).GetMethod(nameof(GatewayModelFactory.GatewayClientStatistics))!;
        var parameters = method.GetParameters();
        var statistics = (GatewayClientStatistics)method.Invoke(null, parameters.Select((_, i) => (object?)(long)(i + 1)).ToArray())!;

        Assert.Equal(properties.Length, parameters.Length);
        for (var i = 0; i < parameters.Length; i++)
        {
            var property = Assert.Single(properties, p => string.Equals(p.Name, parameters[i].Name, StringComparison.OrdinalIgnoreCase));
            Assert.Equal((long)(i + 1), property.GetValue(statistics));
        }

        Assert.All(properties, p => Assert.Equal(0L, p.GetValue(GatewayModelFactory.GatewayClientStatistics())));
    }

    [Fact]
    public void Statistics_describe_themselves_in_a_line()
    {
        var statistics = GatewayModelFactory.GatewayClientStatistics(connections: 3, reconnects: 2, eventsReceived: 40, eventsReplayed: 5, eventsDelivered: 38, gaps: 1, malformedFramesSkipped: 2, earlyFramesSkipped: 1);

        Assert.Equal(
            "3 connections (2 reconnects, 0 of 0 attempts failed), 40 events received (5 replayed), 38 delivered, 0 duplicates, 1 gaps, 0 dropped, 0 covered by resync, 3 frames skipped",
            statistics.ToString());
    }

    [Fact]
    public void A_made_event_reads_its_frame_as_its_dialect_would()
    {
        var point = new GatewayResumePoint("s1", "e1", 4);
        var praisonAI = GatewayModelFactory.GatewayEvent(
            PraisonAIEventTypes.TokenStream,
            4,
            isReplay: true,
            frame: JsonDocument.Parse("""{"type":"token_stream","data":{"content":"hel"},"event_id":"e-4","seq":4}""").RootElement,
            resumePoint: point);
        var openClaw = GatewayModelFactory.GatewayEvent("chat", 2, frame: JsonDocument.Parse("""{"type":"event","event":"chat","payload":{"state":"delta"},"seq":2}""").RootElement, dialect: ProtocolDialect.OpenClaw);
        var praxis = GatewayModelFactory.GatewayEvent("tool_result", frame: JsonDocument.Parse("""{"type":"tool_result","payload":{"tool":"read"}}""").RootElement, dialect: ProtocolDialect.Praxis);

        Assert.Equal((PraisonAIEventTypes.TokenStream, 4L, true), (praisonAI.Type, praisonAI.Sequence!.Value, praisonAI.IsReplay));
        Assert.Equal("hel", praisonAI.GetData(PraisonAIJsonContext.Default.TokenStreamData).Content);
        Assert.Equal("e-4", praisonAI.EventId);
        Assert.Same(point, praisonAI.ResumePoint);
        Assert.Equal("delta", openClaw.Data.GetProperty("state").GetString());
        Assert.Equal("read", praxis.Data.GetProperty("tool").GetString());
        Assert.Equal("tool_result", praxis.Frame.GetProperty("type").GetString());
        Assert.Null(openClaw.ResumePoint);
        Assert.Null(praxis.ResumePoint);
    }

    [Fact]
    public void A_made_events_default_frame_is_its_type_and_number_and_an_unnumbered_one_resumes_where_it_is_told()
    {
        var numbered = GatewayModelFactory.GatewayEvent("message", 9);
        var unnumbered = GatewayModelFactory.GatewayEvent("status", resumePoint: new GatewayResumePoint("s1", null, 8));

        Assert.Equal("""{"type":"message","seq":9}""", Encoding.UTF8.GetString(numbered.Utf8Frame.Span));
        Assert.Equal("{}", numbered.Data.GetRawText());
        Assert.Null(numbered.ResumePoint);
        Assert.Equal("""{"type":"status"}""", unnumbered.Frame.GetRawText());
        Assert.Null(unnumbered.Sequence);
        Assert.Equal(new GatewayResumePoint("s1", null, 8), unnumbered.ResumePoint);
    }

    [Fact]
    public void A_made_turn_update_carries_an_outcome_only_when_final()
    {
        var outcome = GatewayModelFactory.GatewayTurnOutcome(GatewayTurnStatus.Lost, "echo: he", reason: "dropped", answerLocation: "the history of session s1", turnId: "run-1");
        var final = GatewayModelFactory.GatewayTurnUpdate(GatewayTurnUpdateKind.Final, outcome: outcome);

        Assert.Equal("echo: he", final.Text);
        Assert.Equal("run-1", final.TurnId);
        Assert.Same(outcome, final.Outcome);
        Assert.Throws<ArgumentException>(() => GatewayModelFactory.GatewayTurnUpdate(GatewayTurnUpdateKind.Final));
        Assert.Throws<ArgumentException>(() => GatewayModelFactory.GatewayTurnUpdate(GatewayTurnUpdateKind.TextDelta, "x", outcome: outcome));
        Assert.Equal("read", GatewayModelFactory.GatewayTurnToolCall("read", "c1").Name);
    }

    [Fact]
    public void A_made_event_refuses_what_no_client_would_deliver()
    {
        var point = new GatewayResumePoint("s1", null, 3);

        Assert.Equal("frame", Assert.Throws<ArgumentException>(() => GatewayModelFactory.GatewayEvent("x", frame: JsonDocument.Parse("[1]").RootElement)).ParamName);
        Assert.Contains("at its own sequence (4), not 3", Assert.Throws<ArgumentException>(() => GatewayModelFactory.GatewayEvent("x", 4, resumePoint: point)).Message);
        Assert.Contains("openclaw dialect cannot resume a stream", Assert.Throws<ArgumentException>(() => GatewayModelFactory.GatewayEvent("x", 3, resumePoint: point, dialect: ProtocolDialect.OpenClaw)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => GatewayModelFactory.GatewayEvent("x", 0));
        Assert.Throws<ArgumentNullException>(() => GatewayModelFactory.GatewayEvent(null!));
    }

    [Fact]
    public void The_other_types_carry_what_they_were_given_and_default_to_what_a_fresh_client_reports()
    {
        var details = GatewayModelFactory.OpenClawSessionDetails(serverBootId: "boot-1", connectionId: "c-1", serverVersion: "2026.9.6");
        var session = GatewayModelFactory.GatewaySession("s1", headSequence: 12, epoch: "e1", oldestSequence: 3, details: details);
        var gap = GatewayModelFactory.GapInfo(4, 9, GapReason.ReplayWindowExceeded);
        var report = GatewayModelFactory.ContinuityReport(ContinuityOutcome.ResumedWithGap, 9, 12, gap);
        var args = GatewayModelFactory.ConnectionStateChangedEventArgs(ConnectionState.Connecting, ConnectionState.Connected, continuity: report);
        var resync = GatewayModelFactory.ResyncResult(12, "e1");
        var features = GatewayModelFactory.GatewayFeatures(methods: new[] { "resync" });
        var policy = GatewayModelFactory.GatewayPolicy(maxPayload: 1024, heartbeatInterval: TimeSpan.FromSeconds(15));

        Assert.Equal(("s1", 2, false, false, 12L, "e1", 3L), (session.SessionId, session.Protocol, session.IsLegacyHandshake, session.Resumed, session.HeadSequence, session.Epoch, session.OldestSequence!.Value));
        Assert.Same(GatewayFeatures.None, session.Features);
        Assert.Same(GatewayPolicy.None, session.Policy);
        Assert.Equal("boot-1", ((OpenClawSessionDetails)session.Details!).ServerBootId);
        Assert.Equal((5L, "Gap ReplayWindowExceeded: expected 4, received 9 (5 missing)"), (gap.MissingCount!.Value, gap.ToString()));
        Assert.Equal(4, report.ReplayCount);
        Assert.Equal((ConnectionState.Connected, 0, (TimeSpan?)null), (args.Current, args.Attempt, args.RetryDelay));
        Assert.Same(report, args.Continuity);
        Assert.Equal((12L, "e1", (JsonElement?)null), (resync.Sequence, resync.Epoch, resync.Snapshot));
        Assert.Equal(new[] { "resync" }, features.Methods);
        Assert.Empty(features.Events);
        Assert.Equal((1024L, TimeSpan.FromSeconds(15), (long?)null), (policy.MaxPayload!.Value, policy.HeartbeatInterval!.Value, policy.MaxQueuedFrames));
    }
}
