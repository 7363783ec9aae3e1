using System.Text.Json.Nodes;

namespace Gateway.Client.Testing;

/// <summary>Thrown by a registered method to answer <c>{"ok":false,"error":{code,message}}</c>.</summary>
public sealed class TestGatewayMethodException : Exception
{
    /// <summary>Creates the error.</summary>
    public TestGatewayMethodException(string code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>The error code sent to the client.</summary>
    public string Code { get; }

    /// <summary>OpenClaw: the error's <c>details</c> object, if any (such as <c>{"reason":"chat-request-conflict"}</c>).</summary>
    internal JsonObject? Details { get; init; }

    /// <summary>OpenClaw: a <c>payload</c> sent beside the error (as the real gateway does for a failed run's repeat).</summary>
    internal JsonNode? Payload { get; init; }

    /// <summary>
    /// The error a registered method's exception is answered with: its own code and message, or, for an exception it did
    /// not mean (a missing parameter, say), the server's internal error (<paramref name="internalErrorCode"/>) with its
    /// message, instead of leaving the request unanswered and the exception unobserved.
    /// </summary>
    internal static (string Code, string Message) AnswerFor(Exception exception, string internalErrorCode) =>
        exception is TestGatewayMethodException refusal ? (refusal.Code, refusal.Message) : (internalErrorCode, exception.Message);
}
