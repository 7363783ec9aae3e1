using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace Gateway.Client;

/// <summary>
/// The names Gateway.Client reports under, for OpenTelemetry (<c>AddMeter</c>, <c>AddSource</c>) or a
/// <see cref="MeterListener"/> / <see cref="ActivityListener"/>. The instruments and spans are listed in
/// docs/telemetry.md. Nothing is measured unless something listens. The meter is shared by every client, or comes
/// from <see cref="GatewayClientOptions.MeterFactory"/> (under dependency injection, the container's
/// <see cref="IMeterFactory"/>).
/// </summary>
public static class GatewayClientTelemetry
{
    /// <summary>The name of the <see cref="Meter"/>: <c>Gateway.Client</c>.</summary>
    public const string MeterName = "Gateway.Client";

    /// <summary>The name of the <see cref="ActivitySource"/>: <c>Gateway.Client</c>.</summary>
    public const string ActivitySourceName = "Gateway.Client";

    internal static readonly string? Version =
        typeof(GatewayClientTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    internal static readonly ActivitySource Source = new(ActivitySourceName, Version);
}
