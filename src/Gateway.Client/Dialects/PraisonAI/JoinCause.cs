namespace Gateway.Client.Dialects.PraisonAI;

/// <summary>Why the legacy <c>join</c> is sent: what a timeout of it says depends on what came before it.</summary>
internal enum JoinCause
{
    /// <summary>The server answered <c>join</c> on an earlier connection: <c>hello</c> is not tried.</summary>
    KnownLegacyServer,

    /// <summary>Nothing answered <c>hello</c> within <see cref="GatewayClientOptions.HandshakeTimeout"/>.</summary>
    HelloUnanswered,

    /// <summary>The server answered <c>hello</c> with a plain legacy <c>error</c>.</summary>
    HelloAnsweredWithError,
}
