using System.Text.Json;

namespace Gateway.Client.Dialects;

/// <summary>A parsed answer to a request.</summary>
internal sealed class ResponseFrame
{
    public ResponseFrame(string? id, bool ok, JsonElement? result, string? errorCode, string? errorMessage, JsonElement? error, bool isAccepted = false, bool isProgress = false)
    {
        IsProgress = isProgress;
        IsAccepted = isAccepted;
        Id = id;
        Ok = ok;
        Result = result;
        ErrorCode = errorCode;
        ErrorMessage = errorMessage;
        Error = error;
    }

    /// <summary>The request id, or null when the frame had none.</summary>
    public string? Id { get; }

    public bool Ok { get; }

    public JsonElement? Result { get; }

    public string? ErrorCode { get; }

    public string? ErrorMessage { get; }

    public JsonElement? Error { get; }

    /// <summary>A first-stage answer (<c>status:"accepted"</c>) of a method that answers twice; the final answer follows.</summary>
    public bool IsAccepted { get; }

    /// <summary>A progress report (Praxis <c>dslProgress</c>): never the answer itself; handed to the request's interim handler, if any.</summary>
    public bool IsProgress { get; }

    /// <summary>
    /// The dialect found whose answer this is by its order on the wire, not by an id it carries (Praxis without a
    /// <c>correlation_id</c>). If no request waits for it, order can no longer prove whose the next answers are.
    /// </summary>
    public bool MatchedByOrder { get; init; }
}
