namespace Gateway.Client;

/// <summary>The base of every error Gateway.Client raises about the gateway or the connection.</summary>
public class GatewayException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    public GatewayException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the error that caused it.</summary>
    public GatewayException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
