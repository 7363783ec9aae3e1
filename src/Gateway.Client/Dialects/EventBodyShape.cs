namespace Gateway.Client.Dialects;

/// <summary>Where a dialect's events keep their body (<see cref="GatewayEvent.Data"/>) inside the event's frame (<see cref="GatewayEvent.Frame"/>).</summary>
internal enum EventBodyShape : byte
{
    /// <summary>
    /// Protocol 1/2: a wrapped event's <c>data</c> object; a flat one (<c>response</c>, <c>error</c>) is the frame
    /// without its envelope fields (<c>type</c>, <c>seq</c>, <c>cursor</c>, <c>event_id</c>, <c>timestamp</c>,
    /// <c>source</c>, <c>target</c>).
    /// </summary>
    Envelope,

    /// <summary>The frame's <c>payload</c> (OpenClaw, Praxis); the whole frame when it has none.</summary>
    PayloadField,
}
