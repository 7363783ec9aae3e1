namespace GatewayTail;

/// <summary>How each event is printed on stdout (<c>--format</c>).</summary>
internal enum OutputFormat
{
    /// <summary>One JSON object per line: <c>{"seq", "type", "replay", "data"}</c> (and <c>"frame"</c> with <c>--frames</c>).</summary>
    Json,

    /// <summary>One line for a person: time, sequence, type, data.</summary>
    Text,
}
