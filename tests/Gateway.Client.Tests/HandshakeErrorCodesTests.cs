namespace Gateway.Client.Tests;

public class HandshakeErrorCodesTests
{
    [Theory]
    [InlineData("auth_required")]
    [InlineData("auth_unauthorized")]
    [InlineData("protocol_unsupported")]
    [InlineData("pairing_required")]
    [InlineData("agent_not_found")]
    [InlineData("origin_not_allowed")]
    [InlineData("configuration_error")]
    public void Known_codes_other_than_rate_limited_are_terminal(string code)
    {
        Assert.False(HandshakeErrorCodes.IsRetryable(code));
        Assert.False(new GatewayHandshakeException(code, "m").IsRetryable);
    }

    [Theory]
    [InlineData("rate_limited")]
    [InlineData("a_code_from_the_future")]
    public void Rate_limited_and_unknown_codes_are_retryable(string code)
    {
        Assert.True(HandshakeErrorCodes.IsRetryable(code));
    }
}
