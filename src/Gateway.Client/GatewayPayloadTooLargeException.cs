namespace Gateway.Client;

/// <summary>A frame was refused before sending because it exceeds the server's <c>max_payload</c>.</summary>
public sealed class GatewayPayloadTooLargeException : GatewayException
{
    /// <summary>Creates the error.</summary>
    /// <param name="size">The frame's size in bytes.</param>
    /// <param name="limit">The server's limit in bytes.</param>
    public GatewayPayloadTooLargeException(long size, long limit)
        : base($"The frame is {size} bytes, over the server's max_payload of {limit} bytes; it was not sent.")
    {
        Size = size;
        Limit = limit;
    }

    /// <summary>The frame's size in bytes.</summary>
    public long Size { get; }

    /// <summary>The server's limit in bytes.</summary>
    public long Limit { get; }
}
