namespace Gateway.Client.Wire;

/// <summary>An inbound message grew past the client's receive limit.</summary>
internal sealed class MessageTooLargeException : Exception
{
    public MessageTooLargeException(int limit)
        : base($"An inbound message exceeded the client's limit of {limit} bytes (GatewayClientOptions.MaxReceiveMessageBytes).")
    {
        Limit = limit;
    }

    public int Limit { get; }
}
