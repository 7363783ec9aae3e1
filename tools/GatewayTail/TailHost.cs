namespace GatewayTail;

/// <summary>What gateway-tail runs against: its two streams, whether each is a terminal, its environment variables and its clock. Tests pass their own.</summary>
internal sealed class TailHost
{
    /// <summary>stdout: the events.</summary>
    public required TextWriter Out { get; init; }

    /// <summary>stderr: state changes, gaps, errors, logs and the live status line.</summary>
    public required TextWriter Error { get; init; }

    /// <summary>Whether stdout is a terminal (colour in the text format).</summary>
    public bool OutIsTerminal { get; init; }

    /// <summary>Whether stderr is a terminal (the live status line, colour).</summary>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>Reads an environment variable (null when unset).</summary>
    public Func<string, string?> Environment { get; init; } = _ => null;

    /// <summary>The clock of the text format's arrival times (the client keeps the system's).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
