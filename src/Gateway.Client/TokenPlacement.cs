namespace Gateway.Client;

/// <summary>Where the client puts the token from <see cref="GatewayClientOptions.TokenProvider"/>.</summary>
public enum TokenPlacement
{
    /// <summary>As the <c>token</c> query parameter (what PraisonAI reads on <c>/ws</c>). The default.</summary>
    QueryString,

    /// <summary>As an <c>Authorization: Bearer</c> header, for servers that want one.</summary>
    AuthorizationHeader,

    /// <summary>Both as the query parameter and as the header.</summary>
    Both,
}
