namespace Gateway.Client.Engine;

/// <summary>What follows a connection's end: a delay before the next round (with the cause to report), or a terminal failure.</summary>
internal readonly record struct NextStep(TimeSpan? Delay, Exception? Cause, Exception? Failure);
