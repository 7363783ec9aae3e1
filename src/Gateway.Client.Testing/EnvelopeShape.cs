namespace Gateway.Client.Testing;

/// <summary>The two envelope shapes of numbered events (docs/protocol.md, "Frames").</summary>
public enum EnvelopeShape
{
    /// <summary>Fields at the top level, like <c>response</c>: <c>{"type","status","content",…,"seq","cursor"}</c>.</summary>
    Flat,

    /// <summary>Stream-event shape: <c>{"type","data":{…},"event_id","timestamp","source","target","seq","cursor"}</c>.</summary>
    Wrapped,
}
