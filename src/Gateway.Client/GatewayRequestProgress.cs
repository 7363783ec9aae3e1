using System.Text.Json;

namespace Gateway.Client;

/// <summary>
/// An interim answer to a request, reported to <see cref="GatewayRequestOptions.Progress"/> before the request's
/// (final) answer: the gateway accepted it, or reported progress (docs/callbacks.md).
/// </summary>
public sealed class GatewayRequestProgress
{
    internal GatewayRequestProgress(GatewayRequestProgressKind kind, JsonElement data)
    {
        Kind = kind;
        Data = data;
    }

    /// <summary>Whether the request was accepted or this is a progress report.</summary>
    public GatewayRequestProgressKind Kind { get; }

    /// <summary>The interim answer's body (OpenClaw's and Praxis's <c>payload</c>): yours to keep.</summary>
    public JsonElement Data { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Kind}: {Data.GetRawText()}";
}
