using System.Diagnostics;
using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>The Gateway.Client meter and activity source, seen through MeterListener and ActivityListener.</summary>
public class TelemetryTests
{
    private const string Secret = "tok-telemetry-very-secret";

    [Fact]
    public async Task Metrics_follow_a_client_through_connect_duplicates_a_drop_a_gap_and_a_refused_handshake()
    {
        var name = "metrics-" + Guid.NewGuid().ToString("N");
        using var metrics = new MetricsRecorder(name);
        var clock = new ObservableFakeTimeProvider();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Token = Secret, EnableHeartbeat = false });
        var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
        {
            o.Name = name;
            o.TimeProvider = clock;
            o.Reconnect.InitialDelay = TimeSpan.FromSeconds(2);
            o.Random = () => 0.5; // the first attempt after a drop waits 1 s, the next ones their base delay
            o.HeartbeatInterval = TimeSpan.FromHours(1);
            o.Reconnect.HealthyConnectionTime = TimeSpan.Zero; // about reconnecting after a healthy connection
        }));
        Assert.Equal(1, metrics.Sum("gateway.client.connections", ("gateway.connection.state", "disconnected")));

        await client.ConnectAsync(Harness.Deadline());
        var sessionId = client.Session!.SessionId;
        var session = gateway.GetSession(sessionId);
        var first = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        await gateway.PublishMessagesAsync(sessionId, "1", "2", "3");
        await client.ReadAsync(3, Harness.Deadline());

        // The gateway repeats #3: dropped as a duplicate (#4 proves the repeat was processed).
        await first.SendTextAsync(session.Retained[^1].Json);
        await gateway.PublishMessagesAsync(sessionId, "4");
        await client.ReadAsync(1, Harness.Deadline());

        // A drop, two events while away, a reconnect after 1 s that replays them.
        first.Drop();
        await gateway.PublishMessagesAsync(sessionId, "5", "6");
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(1), Harness.Deadline());
        clock.Advance(TimeSpan.FromSeconds(1));
        var second = await gateway.WaitForHandshakeAsync(2, Harness.Deadline());
        await client.ReadAsync(2, Harness.Deadline());

        // A drop, six events while away of which four are evicted, a gap of 7..10 on the next reconnect;
        // and that reconnect is refused once first (rate_limited), so it takes a second attempt.
        second.Drop();
        await gateway.PublishMessagesAsync(sessionId, "7", "8", "9", "10", "11", "12");
        gateway.EvictHistory(sessionId, 10);
        gateway.RejectNextHandshake(new HandshakeRejection("rate_limited", "busy"));
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(1), Harness.Deadline());
        clock.Advance(TimeSpan.FromSeconds(1));
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(2), Harness.Deadline());
        clock.Advance(TimeSpan.FromSeconds(2));
        await gateway.WaitForHandshakeAsync(3, Harness.Deadline());
        var afterGap = await client.ReadAsync(2, Harness.Deadline());
        Assert.Equal(new long?[] { 11, 12 }, afterGap.Select(e => e.Sequence));

        Assert.Equal(1, metrics.Sum("gateway.client.connect.attempts", ("gateway.connect.kind", "initial"), ("gateway.connect.outcome", "success")));
        Assert.Equal(2, metrics.Sum("gateway.client.connect.attempts", ("gateway.connect.kind", "reconnect"), ("gateway.connect.outcome", "success")));
        Assert.Equal(1, metrics.Sum("gateway.client.connect.attempts", ("gateway.connect.kind", "reconnect"), ("gateway.connect.outcome", "failure")));
        Assert.Equal(1, metrics.Sum("gateway.client.handshake.failures", ("error.type", "rate_limited")));
        Assert.Equal(2, metrics.Sum("gateway.client.reconnects"));
        Assert.Equal(4, metrics.Sum("gateway.client.events.received", ("gateway.event.origin", "live"))); // 1-4
        Assert.Equal(4, metrics.Sum("gateway.client.events.received", ("gateway.event.origin", "replay"))); // 5, 6, 11, 12
        Assert.Equal(8, metrics.Sum("gateway.client.events.delivered"));
        Assert.Equal(1, metrics.Sum("gateway.client.events.duplicates"));
        Assert.Equal(1, metrics.Sum("gateway.client.gaps", ("gateway.gap.reason", "replay_window_exceeded")));
        Assert.Equal(4, metrics.Sum("gateway.client.gap.missing_events", ("gateway.gap.reason", "replay_window_exceeded")));

        // Recovery is measured on the client's clock: 1 s for the first drop, 1 s + 2 s for the second.
        Assert.Equal(new[] { 1.0, 3.0 }, metrics.Of("gateway.client.recovery.duration").Select(m => m.Value));
        Assert.True(metrics.Sum("gateway.client.network.io", ("network.io.direction", "receive")) > 0);
        Assert.True(metrics.Sum("gateway.client.network.io", ("network.io.direction", "transmit")) > 0);

        // Every measurement says where the client connects, and none carries the token.
        Assert.All(metrics.Of("gateway.client.events.received"), m =>
        {
            Assert.Equal("127.0.0.1", m.Tags["server.address"]);
            Assert.Equal(gateway.Port, m.Tags["server.port"]);
        });
        Assert.DoesNotContain(metrics.AllTagValues(), v => v?.ToString()?.Contains(Secret, StringComparison.Ordinal) == true);

        // The state gauge nets out: one client, connected; none once it is disposed.
        Assert.Equal(1, metrics.Sum("gateway.client.connections", ("gateway.connection.state", "connected")));
        Assert.Equal(0, metrics.Sum("gateway.client.connections", ("gateway.connection.state", "reconnecting")));
        await client.DisposeAsync();
        Assert.Equal(0, metrics.Sum("gateway.client.connections"));
    }

    [Fact]
    public async Task The_buffer_depth_is_observable_and_overflow_drops_are_counted_with_their_gap()
    {
        var name = "depth-" + Guid.NewGuid().ToString("N");
        using var metrics = new MetricsRecorder(name);
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        await using var waiting = new GatewayClient(Harness.OptionsFor(gateway, o =>
        {
            o.Name = name;
            o.EventBufferCapacity = 2;
        }));
        var full = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        waiting.Buffer.WriterWaiting += () => full.TrySetResult();
        await waiting.ConnectAsync(Harness.Deadline());
        await gateway.PublishMessagesAsync(waiting.Session!.SessionId, "1", "2", "3");
        await full.Task.WaitAsync(Harness.Deadline());

        metrics.Observe();

        Assert.Equal(2, metrics.Of("gateway.client.buffer.events").Last().Value);

        var dropName = "drop-" + Guid.NewGuid().ToString("N");
        using var dropMetrics = new MetricsRecorder(dropName);
        await using var dropping = new GatewayClient(Harness.OptionsFor(gateway, o =>
        {
            o.Name = dropName;
            o.EventBufferCapacity = 2;
            o.Backpressure = BackpressureMode.DropOldest;
        }));
        await dropping.ConnectAsync(Harness.Deadline());
        await gateway.PublishMessagesAsync(dropping.Session!.SessionId, "1", "2", "3", "4", "5");
        // Read only once all five arrived (three dropped), or a reader that starts early takes event 1.
        await dropMetrics.WaitUntilAsync(m => m.Sum("gateway.client.events.dropped") == 3, Harness.Deadline());
        var last = await dropping.ReadUntilAsync(e => e.Sequence == 5, Harness.Deadline());

        Assert.Equal(new long?[] { 4, 5 }, last.Select(e => e.Sequence));
        Assert.Equal(3, dropMetrics.Sum("gateway.client.events.dropped"));
        Assert.Equal(1, dropMetrics.Sum("gateway.client.gaps", ("gateway.gap.reason", "consumer_overflow")));
        Assert.Equal(3, dropMetrics.Sum("gateway.client.gap.missing_events", ("gateway.gap.reason", "consumer_overflow")));
    }

    [Fact]
    public async Task Connect_attempts_are_spans_with_the_handshake_inside_and_reconnects_start_their_own_trace()
    {
        var name = "spans-" + Guid.NewGuid().ToString("N");
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == GatewayClientTelemetry.ActivitySourceName || source.Name == "app",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (spans)
                {
                    spans.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var appSource = new ActivitySource("app");
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Token = Secret, EnableHeartbeat = false });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
        {
            Harness.ImmediateReconnect(o);
            o.Name = name;
        }));
        var states = new StateRecorder(client);

        ActivityTraceId appTrace;
        using (var app = appSource.StartActivity("app.start"))
        {
            appTrace = app!.TraceId;
            await client.ConnectAsync(Harness.Deadline());
        }

        gateway.RejectNextHandshake(new HandshakeRejection("rate_limited", "busy"));
        (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
        await states.WaitForAsync(ConnectionState.Connected, 2);

        List<Activity> mine;
        lock (spans)
        {
            mine = spans.Where(s => s.Source.Name == GatewayClientTelemetry.ActivitySourceName && (Equals(s.GetTagItem("gateway.client.name"), name) || s.OperationName == "gateway.handshake")).ToList();
        }

        var connects = mine.Where(s => s.OperationName == "gateway.connect" && Equals(s.GetTagItem("gateway.client.name"), name)).ToList();
        Assert.Equal(3, connects.Count);
        var initial = connects[0];
        Assert.Equal(ActivityKind.Client, initial.Kind);
        Assert.Equal(appTrace, initial.TraceId); // the first attempt belongs to the caller's trace
        Assert.Equal("initial", initial.GetTagItem("gateway.connect.kind"));
        Assert.Equal("127.0.0.1", initial.GetTagItem("server.address"));
        Assert.Equal(2, initial.GetTagItem("gateway.protocol.version"));
        var handshake = Assert.Single(mine, s => s.OperationName == "gateway.handshake" && s.ParentSpanId == initial.SpanId);
        Assert.Equal(initial.TraceId, handshake.TraceId);

        var refused = connects[1];
        Assert.Equal(ActivityStatusCode.Error, refused.Status);
        Assert.Equal("rate_limited", refused.GetTagItem("error.type"));
        Assert.Equal("reconnect", refused.GetTagItem("gateway.connect.kind"));
        Assert.NotEqual(appTrace, refused.TraceId); // a reconnect starts its own trace

        var resumed = connects[2];
        Assert.Equal(ActivityStatusCode.Unset, resumed.Status);
        Assert.Equal(true, resumed.GetTagItem("gateway.session.resumed"));
        Assert.Equal(2, resumed.GetTagItem("gateway.connect.attempt"));

        // No tag anywhere carries the token (the URL with its query is never a tag).
        Assert.DoesNotContain(mine.SelectMany(s => s.TagObjects), t => t.Value?.ToString()?.Contains(Secret, StringComparison.Ordinal) == true);
    }
}
