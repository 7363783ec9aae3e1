namespace Gateway.Client.Dialects;

/// <summary>
/// Everything the client needs to know about one dialect, in one place (see <see cref="DialectCatalog"/>).
/// </summary>
/// <param name="Value">The public value users select it with (<see cref="GatewayClientOptions.Dialect"/>).</param>
/// <param name="Name">Its name in configuration, on the command line and in telemetry (lower case).</param>
/// <param name="Create">Makes the dialect for a client's (validated, copied) options.</param>
/// <param name="RequiresAgentId">Whether <see cref="GatewayClientOptions.AgentId"/> must be set.</param>
/// <param name="ValidateSettings">
/// Checks the dialect's own settings; returns the offending option and the problem, or null. Runs as part
/// of <see cref="GatewayClientOptions.Validate"/>.
/// </param>
/// <param name="WithoutChatVerbs">
/// For a dialect without <see cref="IChatVerbs"/>: what to use instead of <c>SendMessageAsync</c> and
/// <c>AbortAsync</c> (the end of the <see cref="NotSupportedException"/> they throw); null when it has them.
/// </param>
internal sealed record DialectEntry(
    ProtocolDialect Value,
    string Name,
    Func<GatewayClientOptions, IDialect> Create,
    bool RequiresAgentId,
    Func<GatewayClientOptions, (string Option, string Problem)?> ValidateSettings,
    string? WithoutChatVerbs = null);
