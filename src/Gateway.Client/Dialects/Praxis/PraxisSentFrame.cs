namespace Gateway.Client.Dialects.Praxis;

/// <summary>Who sent a frame that awaits its answer, and so where the answer goes.</summary>
internal enum PraxisSender
{
    /// <summary><c>RequestAsync</c>: the answer completes the request.</summary>
    Request,

    /// <summary>The client itself (its ping, the session restore): the answer is control, never an event.</summary>
    Client,

    /// <summary>The app's own frame (<c>SendAsync</c>): the answer is delivered as an event, as the app expects.</summary>
    App,
}

/// <summary>A frame on the wire that awaits its answer.</summary>
/// <param name="Type">Its type (the command).</param>
/// <param name="Id">Its <c>id</c>, when it had one.</param>
/// <param name="Sender">Who sent it.</param>
internal readonly record struct PraxisSentFrame(string Type, string? Id, PraxisSender Sender)
{
    /// <summary>
    /// A request written after a frame the ledger has since forgotten: whatever answers it by order may be that
    /// frame's answer, so it fails instead (an answer by its id is still its own).
    /// </summary>
    public bool OutOfStep { get; init; }
}
