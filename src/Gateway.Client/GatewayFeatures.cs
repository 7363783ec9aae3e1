namespace Gateway.Client;

/// <summary>
/// The methods and events the server announced in its handshake (<c>hello_ok.features</c>). Tests make one with
/// <see cref="GatewayModelFactory.GatewayFeatures"/>.
/// </summary>
public sealed class GatewayFeatures
{
    /// <summary>Creates a feature set.</summary>
    internal GatewayFeatures(IReadOnlyList<string> methods, IReadOnlyList<string> events)
    {
        Methods = Guard.NotNull(methods);
        Events = Guard.NotNull(events);
    }

    /// <summary>An empty feature set (legacy servers announce none).</summary>
    public static GatewayFeatures None { get; } = new(Array.Empty<string>(), Array.Empty<string>());

    /// <summary>Client frame types or request methods the server accepts.</summary>
    public IReadOnlyList<string> Methods { get; }

    /// <summary>Event types the server may send.</summary>
    public IReadOnlyList<string> Events { get; }
}
