namespace Gateway.Client;

/// <summary>Where the client puts the token from <see cref="GatewayClientOptions.TokenProvider"/>.</summary>
public enum TokenPlacement
{
    /// <summary>As the <c>token</c> query parameter (what PraisonAI reads on <c>/ws</c>). The default.</summary>
    QueryString,

    /// <summary>
    /// As an <c>Authorization: Bearer</c> header, for servers that want one. Not in a browser, which cannot set headers
    /// on a WebSocket: there the client is refused at construction (for dialects that put the token on the upgrade).
    /// </summary>
    AuthorizationHeader,

    /// <summary>Both as the query parameter and as the header. In a browser, the query parameter only (logged once when the client is created).</summary>
    Both,
}
