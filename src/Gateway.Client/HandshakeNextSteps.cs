namespace Gateway.Client;

/// <summary>The <c>next_step</c> hints a server may send with <c>hello_error</c>.</summary>
public static class HandshakeNextSteps
{
    /// <summary>Get new credentials.</summary>
    public const string Reauthenticate = "reauthenticate";

    /// <summary>Pair the client again.</summary>
    public const string Repair = "repair";

    /// <summary>The client is too old for the server.</summary>
    public const string UpgradeClient = "upgrade_client";

    /// <summary>The client is too new for the server.</summary>
    public const string DowngradeClient = "downgrade_client";

    /// <summary>Retry after the given delay.</summary>
    public const string WaitThenRetry = "wait_then_retry";

    /// <summary>Do not retry.</summary>
    public const string DoNotRetry = "do_not_retry";
}
