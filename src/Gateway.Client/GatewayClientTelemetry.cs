using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace Gateway.Client;

/// <summary>
/// The names Gateway.Client reports under, for OpenTelemetry (<c>AddMeter</c>, <c>AddSource</c>) or a
/// <see cref="MeterListener"/> / <see cref="ActivityListener"/>. The instruments and spans are listed in
/// docs/telemetry.md. Nothing is measured unless something listens.
/// </summary>
public static class GatewayClientTelemetry
{
    /// <summary>The name of the <see cref="Meter"/>: <c>Gateway.Client</c>.</summary>
    public const string MeterName = "Gateway.Client";

    /// <summary>The name of the <see cref="ActivitySource"/>: <c>Gateway.Client</c>.</summary>
    public const string ActivitySourceName = "Gateway.Client";

    private static readonly string? Version =
        typeof(GatewayClientTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    internal static readonly ActivitySource Source = new(ActivitySourceName, Version);

    internal static readonly Meter Meter = new(MeterName, Version);

    internal static readonly UpDownCounter<long> Clients = Meter.CreateUpDownCounter<long>(
        "gateway.client.connections", "{client}", "Clients in each connection state (gateway.connection.state).");

    internal static readonly Counter<long> ConnectAttempts = Meter.CreateCounter<long>(
        "gateway.client.connect.attempts", "{attempt}", "Connection attempts (socket and handshake), by gateway.connect.kind and gateway.connect.outcome.");

    internal static readonly Counter<long> Reconnects = Meter.CreateCounter<long>(
        "gateway.client.reconnects", "{reconnect}", "Successful handshakes after the first one of a run.");

    internal static readonly Counter<long> HandshakeFailures = Meter.CreateCounter<long>(
        "gateway.client.handshake.failures", "{failure}", "Handshakes the gateway refused, by error.type (the gateway's code).");

    internal static readonly Counter<long> EventsReceived = Meter.CreateCounter<long>(
        "gateway.client.events.received", "{event}", "Events accepted from the gateway, by gateway.event.origin (live or replay).");

    internal static readonly Counter<long> EventsDelivered = Meter.CreateCounter<long>(
        "gateway.client.events.delivered", "{event}", "Events handed to the application's ReadEventsAsync loop.");

    internal static readonly Counter<long> Duplicates = Meter.CreateCounter<long>(
        "gateway.client.events.duplicates", "{event}", "Replayed or repeated events dropped as duplicates.");

    internal static readonly Counter<long> EventsDropped = Meter.CreateCounter<long>(
        "gateway.client.events.dropped", "{event}", "Events dropped because the consumer fell behind (Backpressure = DropOldest).");

    internal static readonly Counter<long> FramesSkipped = Meter.CreateCounter<long>(
        "gateway.client.frames.skipped", "{frame}", "Inbound frames skipped, by gateway.skip.reason.");

    internal static readonly Counter<long> Gaps = Meter.CreateCounter<long>(
        "gateway.client.gaps", "{gap}", "Holes in the numbered stream reported to OnGap, by gateway.gap.reason.");

    internal static readonly Counter<long> GapMissingEvents = Meter.CreateCounter<long>(
        "gateway.client.gap.missing_events", "{event}", "Events inside reported holes (when the size is known), by gateway.gap.reason.");

    internal static readonly Histogram<double> RecoveryDuration = Meter.CreateHistogram<double>(
        "gateway.client.recovery.duration", "s", "Time from losing a connection to the next successful handshake.");

    internal static readonly Counter<long> NetworkIo = Meter.CreateCounter<long>(
        "gateway.client.network.io", "By", "WebSocket message payload bytes, by network.io.direction (receive or transmit).");
}
