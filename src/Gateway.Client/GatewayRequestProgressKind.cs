namespace Gateway.Client;

/// <summary>What an interim answer to a request (<see cref="GatewayRequestProgress"/>) says.</summary>
public enum GatewayRequestProgressKind
{
    /// <summary>
    /// The gateway accepted the request and works on it; the final answer follows (OpenClaw's first answer, with
    /// <c>status:"accepted"</c>, to a method that answers twice; reported when <see cref="GatewayRequestOptions.ExpectFinal"/> is set).
    /// </summary>
    Accepted,

    /// <summary>A progress report before the answer (Praxis <c>dslProgress</c>).</summary>
    Progress,
}
