namespace Gateway.Client.Sessions;

/// <summary>The session store could not be reached, or answered in a way the store's contract does not allow.</summary>
public class SessionStoreException : GatewayException
{
    /// <summary>Creates the exception.</summary>
    public SessionStoreException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
