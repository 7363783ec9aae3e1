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
}
