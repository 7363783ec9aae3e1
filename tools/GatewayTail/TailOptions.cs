using Gateway.Client;
using Microsoft.Extensions.Logging;

namespace GatewayTail;

/// <summary>gateway-tail's settings, read from its command line by <see cref="TailCommandLine"/>.</summary>
internal sealed class TailOptions
{
    public required Uri Url { get; init; }

    public string? Token { get; init; }

    public string AgentId { get; init; } = "default";

    public ProtocolDialect Dialect { get; init; } = ProtocolDialect.PraisonAI;

    public GatewayResumePoint? ResumeFrom { get; init; }

    public bool Frames { get; init; }

    public OutputFormat Format { get; init; } = OutputFormat.Json;

    public long? MaxEvents { get; init; }

    public int? MaxAttempts { get; init; }

    /// <summary>Whether the first connection retries until the gateway is up (<c>--wait</c>).</summary>
    public bool Wait { get; init; }

    public string? PinnedThumbprint { get; init; }

    public bool NoStatus { get; init; }

    /// <summary>The lowest level of the client's logs shown on stderr; null shows none.</summary>
    public LogLevel? LogLevel { get; init; }
}
