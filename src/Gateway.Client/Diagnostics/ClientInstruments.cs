using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Gateway.Client.Diagnostics;

/// <summary>
/// The instruments of one <c>Gateway.Client</c> meter: the process-wide one, or one per <see cref="IMeterFactory"/>
/// (a DI container's), so that an app's metrics pipeline owns what it collects and tests can tell containers apart.
/// Made once per meter: a factory hands out the same meter for the same name and version anyway.
/// </summary>
internal sealed class ClientInstruments
{
    private static readonly ConditionalWeakTable<IMeterFactory, ClientInstruments> PerFactory = new();

    private ClientInstruments(Meter meter)
    {
        Meter = meter;
        Clients = meter.CreateUpDownCounter<long>(
            "gateway.client.connections", "{client}", "Clients in each connection state (gateway.connection.state).");
        ConnectAttempts = meter.CreateCounter<long>(
            "gateway.client.connect.attempts", "{attempt}", "Connection attempts (socket and handshake), by gateway.connect.kind and gateway.connect.outcome.");
        Reconnects = meter.CreateCounter<long>(
            "gateway.client.reconnects", "{reconnect}", "Successful handshakes after the first one of a run.");
        HandshakeFailures = meter.CreateCounter<long>(
            "gateway.client.handshake.failures", "{failure}", "Handshakes the gateway refused, by error.type (the gateway's code).");
        EventsReceived = meter.CreateCounter<long>(
            "gateway.client.events.received", "{event}", "Events accepted from the gateway, by gateway.event.origin (live or replay).");
        EventsDelivered = meter.CreateCounter<long>(
            "gateway.client.events.delivered", "{event}", "Events handed to the application's ReadEventsAsync loop.");
        Duplicates = meter.CreateCounter<long>(
            "gateway.client.events.duplicates", "{event}", "Replayed or repeated events dropped as duplicates.");
        EventsDropped = meter.CreateCounter<long>(
            "gateway.client.events.dropped", "{event}", "Events dropped because the consumer fell behind (Backpressure = DropOldest).");
        FramesSkipped = meter.CreateCounter<long>(
            "gateway.client.frames.skipped", "{frame}", "Inbound frames skipped, by gateway.skip.reason.");
        Gaps = meter.CreateCounter<long>(
            "gateway.client.gaps", "{gap}", "Holes in the numbered stream reported to OnGap, by gateway.gap.reason.");
        GapMissingEvents = meter.CreateCounter<long>(
            "gateway.client.gap.missing_events", "{event}", "Events inside reported holes (when the size is known), by gateway.gap.reason.");
        RecoveryDuration = meter.CreateHistogram<double>(
            "gateway.client.recovery.duration", "s", "Time from losing a connection to the next successful handshake.");
        NetworkIo = meter.CreateCounter<long>(
            "gateway.client.network.io", "By", "WebSocket message payload bytes, by network.io.direction (receive or transmit).");
        BufferDepth = new BufferDepthGauge(meter);
    }

    /// <summary>The process-wide meter's instruments, for clients created without a meter factory.</summary>
    public static ClientInstruments Shared { get; } =
        new(new Meter(GatewayClientTelemetry.MeterName, GatewayClientTelemetry.Version));

    public Meter Meter { get; }

    public UpDownCounter<long> Clients { get; }

    public Counter<long> ConnectAttempts { get; }

    public Counter<long> Reconnects { get; }

    public Counter<long> HandshakeFailures { get; }

    public Counter<long> EventsReceived { get; }

    public Counter<long> EventsDelivered { get; }

    public Counter<long> Duplicates { get; }

    public Counter<long> EventsDropped { get; }

    public Counter<long> FramesSkipped { get; }

    public Counter<long> Gaps { get; }

    public Counter<long> GapMissingEvents { get; }

    public Histogram<double> RecoveryDuration { get; }

    public Counter<long> NetworkIo { get; }

    public BufferDepthGauge BufferDepth { get; }

    /// <summary>The instruments on <paramref name="factory"/>'s <c>Gateway.Client</c> meter, or the shared ones.</summary>
    public static ClientInstruments For(IMeterFactory? factory) =>
        factory is null
            ? Shared
            : PerFactory.GetValue(factory, f => new ClientInstruments(f.Create(new MeterOptions(GatewayClientTelemetry.MeterName) { Version = GatewayClientTelemetry.Version })));
}
