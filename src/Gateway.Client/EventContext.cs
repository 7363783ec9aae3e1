using Gateway.Client.Wire;

namespace Gateway.Client;

/// <summary>
/// What every event received under one session and epoch shares, made once per handshake (or re-based epoch) and
/// referenced by each <see cref="GatewayEvent"/> and buffered item rather than copied into it: the session and epoch
/// an event's <see cref="GatewayEvent.ResumePoint"/> names, and whether the dialect can resume at all. Client-wide
/// settings events need (a serializer, say) belong here too, so an event stays one reference away from them.
/// </summary>
internal sealed class EventContext
{
    /// <summary>The point at sequence 0, or null when events received here cannot be resumed after.</summary>
    private readonly GatewayResumePoint? _origin;

    private EventContext(GatewayResumePoint? origin, ClientJson json)
    {
        _origin = origin;
        Json = json;
    }

    /// <summary>Events with no session behind them (made by <see cref="GatewayModelFactory"/> without a resume point): none resumes, and their typed bodies resolve through the built-in serializers only.</summary>
    public static EventContext Unresumable { get; } = new(null, ClientJson.BuiltIn);

    /// <summary>The client's serializer, for <see cref="GatewayEvent.GetData{T}()"/>.</summary>
    public ClientJson Json { get; }

    /// <summary>No session yet, or one that cannot be resumed: events resolve their types through <paramref name="json"/>.</summary>
    public static EventContext Unresumed(ClientJson json) => ReferenceEquals(json, ClientJson.BuiltIn) ? Unresumable : new EventContext(null, json);

    /// <summary>The session the events were received in; null when they cannot be resumed after.</summary>
    public string? SessionId => _origin?.SessionId;

    /// <summary>The epoch their numbers belong to.</summary>
    public string? Epoch => _origin?.Epoch;

    /// <summary>
    /// The context of a session: resumable when the dialect resumes streams (<paramref name="resumesStream"/>) and the
    /// session id can be written in a resume point (a server could send one that cannot: it is then not resumable).
    /// </summary>
    public static EventContext ForSession(string sessionId, string? epoch, bool resumesStream, ClientJson json)
    {
        if (!resumesStream)
        {
            return Unresumed(json);
        }

        try
        {
            return new EventContext(new GatewayResumePoint(sessionId, epoch, 0), json);
        }
        catch (ArgumentException)
        {
            return Unresumed(json);
        }
    }

    /// <summary>The context a test's event was made with (<see cref="GatewayModelFactory.GatewayEvent"/>).</summary>
    public static EventContext For(GatewayResumePoint? point) => point is null ? Unresumable : new EventContext(point, ClientJson.BuiltIn);

    /// <summary>Whether this context already is the one of <paramref name="sessionId"/> and <paramref name="epoch"/> (so it can be kept).</summary>
    public bool Is(string sessionId, string? epoch, bool resumesStream) =>
        _origin is null
            ? !resumesStream
            : string.Equals(_origin.SessionId, sessionId, StringComparison.Ordinal) && string.Equals(_origin.Epoch, string.IsNullOrEmpty(epoch) ? null : epoch, StringComparison.Ordinal);

    /// <summary>The point that resumes right after <paramref name="sequence"/>; null when these events cannot be resumed after.</summary>
    public GatewayResumePoint? ResumePointAt(long sequence) => _origin?.WithSequence(sequence);
}
