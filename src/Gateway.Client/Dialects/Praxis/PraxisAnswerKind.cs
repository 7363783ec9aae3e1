namespace Gateway.Client.Dialects.Praxis;

/// <summary>What an inbound frame is to a frame the client sent.</summary>
internal enum PraxisAnswerKind
{
    /// <summary>Not an answer to it.</summary>
    None,

    /// <summary>A report before the answer (<c>dslProgress</c>).</summary>
    Progress,

    /// <summary>The answer.</summary>
    Final,

    /// <summary>An <c>error</c> frame: the answer, as a failure.</summary>
    Error,

    /// <summary>
    /// It would answer it by order, but the frame is <see cref="PraxisSentFrame.OutOfStep"/>: the request fails
    /// rather than take what may be another frame's answer.
    /// </summary>
    OutOfStep,
}
