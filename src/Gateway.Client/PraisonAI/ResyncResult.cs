using System.Text.Json;

namespace Gateway.Client.PraisonAI;

/// <summary>The outcome of <see cref="PraisonAIClientExtensions.ResyncAsync"/>: where the stream continues, and the state to start from.</summary>
public sealed class ResyncResult
{
    /// <summary>Creates a result.</summary>
    public ResyncResult(long cursor, string? epoch, JsonElement? snapshot)
    {
        Cursor = cursor;
        Epoch = epoch;
        Snapshot = snapshot;
    }

    /// <summary>The number the snapshot is current to; the stream continues after it.</summary>
    public long Cursor { get; }

    /// <summary>The epoch the cursor belongs to (protocol 2).</summary>
    public string? Epoch { get; }

    /// <summary>The server's state snapshot, when it sent one.</summary>
    public JsonElement? Snapshot { get; }
}
