namespace Gateway.Client;

/// <summary>What the client does when the consumer falls behind and the event buffer is full.</summary>
public enum BackpressureMode
{
    /// <summary>Stop reading the socket until the consumer catches up (the server sees the backpressure). The default.</summary>
    Wait,

    /// <summary>
    /// Keep reading and drop the oldest buffered events, reporting the dropped range as a
    /// <see cref="GapReason.ConsumerOverflow"/> gap in their place.
    /// </summary>
    DropOldest,
}
