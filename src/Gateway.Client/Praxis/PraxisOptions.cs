namespace Gateway.Client.Praxis;

/// <summary>Settings that only the <see cref="ProtocolDialect.Praxis"/> dialect uses (configuration section <c>Praxis</c>).</summary>
public sealed class PraxisOptions : DialectOptions
{
    /// <summary>
    /// Event-bus event types to subscribe to (for example <c>task.started</c>), sent as <c>SUBSCRIBE_EVENTS</c>
    /// after every (re)connect, before any frame of the app's. A server that subscribes to a default set
    /// sends only these afterwards; the live Praxis handler has no subscriptions and answers with its welcome
    /// notice. Default: none (nothing is sent).
    /// </summary>
    public IList<string> EventTypes { get; set; } = new List<string>();

    internal override DialectOptions Copy() => new PraxisOptions { EventTypes = EventTypes.ToArray() };

    internal override (string Option, string Problem)? Validate() =>
        EventTypes is null || EventTypes.Any(string.IsNullOrWhiteSpace)
            ? ("Praxis.EventTypes", "must be a list of non-empty event types.")
            : null;
}
