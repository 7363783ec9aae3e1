namespace Gateway.Client.Testing;

/// <summary>A numbered event kept in a session's replay window.</summary>
/// <param name="Sequence">Its number.</param>
/// <param name="Type">Its type.</param>
/// <param name="EventId">Its event id.</param>
/// <param name="Json">The original frame exactly as sent live.</param>
public sealed record RetainedEvent(long Sequence, string Type, string EventId, string Json)
{
    /// <summary>Whether the frame goes out with invalid UTF-8 in place of <see cref="ServerFrames.UndecodableText"/> (a poison frame).</summary>
    internal bool Undecodable { get; init; }
}
