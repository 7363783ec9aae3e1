namespace Gateway.Client.Engine;

/// <summary>A send found the connection already closing: nothing was written, so the frame can go on the next connection.</summary>
internal sealed class ConnectionNotOpenException : Exception
{
    public ConnectionNotOpenException()
        : base("The connection is closing; nothing was sent.")
    {
    }
}
