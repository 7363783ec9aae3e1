using System.Text.Json;

namespace Gateway.Client.PraisonAI;

/// <summary>
/// The outcome of <see cref="PraisonAIClientExtensions.ResyncAsync"/>: where the stream continues, and the state to start from.
/// Tests make one with <see cref="GatewayModelFactory.ResyncResult"/>.
/// </summary>
public sealed class ResyncResult
{
    internal ResyncResult(long sequence, string? epoch, JsonElement? snapshot)
    {
        Sequence = sequence;
        Epoch = epoch;
        Snapshot = snapshot;
    }

    /// <summary>The sequence number the snapshot is current to; the stream continues after it.</summary>
    public long Sequence { get; }

    /// <summary>The epoch <see cref="Sequence"/> belongs to (protocol 2).</summary>
    public string? Epoch { get; }

    /// <summary>The server's state snapshot, when it sent one.</summary>
    public JsonElement? Snapshot { get; }
}
