namespace Gateway.Client.Dialects;

/// <summary>Everything the client needs to know about one dialect, in one place (see <see cref="DialectCatalog"/>).</summary>
internal sealed class DialectEntry
{
    /// <summary>The public value users select it with (<see cref="GatewayClientOptions.Dialect"/>); its name is also the configuration section of its settings.</summary>
    public required ProtocolDialect Value { get; init; }

    /// <summary>Its name in configuration, on the command line and in telemetry (lower case).</summary>
    public required string Name { get; init; }

    /// <summary>Makes the dialect for a client's (validated, copied) options.</summary>
    public required Func<GatewayClientOptions, IDialect> Create { get; init; }

    /// <summary>
    /// Whether the token travels on the WebSocket upgrade, where <see cref="GatewayClientOptions.TokenPlacement"/> says
    /// (query parameter or header); false when the handshake carries it in a frame. In a browser, where no header can be
    /// set, this decides whether a header placement is refused (<see cref="Engine.BrowserWebSocketPolicy"/>).
    /// </summary>
    public required bool CarriesTokenInUpgrade { get; init; }

    /// <summary>Whether <see cref="GatewayClientOptions.AgentId"/> must be set.</summary>
    public bool RequiresAgentId { get; init; }

    /// <summary>The type of its settings (a <see cref="DialectOptions"/>), or null when it has none.</summary>
    public Type? OptionsType { get; init; }

    /// <summary>Makes its settings with their defaults; set with <see cref="OptionsType"/>.</summary>
    public Func<DialectOptions>? CreateOptions { get; init; }

    /// <summary>Its handshake error codes that are about credentials or protocol versions (<see cref="GatewayHandshakeException.Refusal"/>).</summary>
    public IReadOnlyDictionary<string, HandshakeRefusalKind> Refusals { get; init; } = new Dictionary<string, HandshakeRefusalKind>();

    /// <summary>
    /// For a dialect other than PraisonAI: what to use instead of the PraisonAI verbs <c>SendMessageAsync</c> and
    /// <c>AbortAsync</c> (the end of the <see cref="InvalidOperationException"/> they throw on this dialect).
    /// </summary>
    public string? WithoutChatVerbs { get; init; }

    /// <summary>
    /// For a dialect without <see cref="IResync"/>: what to do instead of <c>ResyncAsync</c> after a gap (the end of
    /// the <see cref="InvalidOperationException"/> it throws on this dialect); null when it has it.
    /// </summary>
    public string? WithoutResync { get; init; }

    /// <summary>The name of its settings' configuration section: the enum member's name (<c>OpenClaw</c>).</summary>
    public string OptionsSection => Value.ToString();
}
