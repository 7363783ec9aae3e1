using System.Net.WebSockets;
using Gateway.Client.Dialects;
using Gateway.Client.Dialects.Gateway;
using Gateway.Client.Engine;

namespace Gateway.Client.Tests;

/// <summary>One test per row of the close-code and handshake-error policy.</summary>
public class ReconnectPolicyTests
{
    private static readonly ReconnectPolicy Policy = ReconnectPolicy.For(GatewayDialect.Instance);

    private static string Closed(int code) =>
        Policy.Decide(new ConnectionEnd(ConnectionEndKind.ClosedByServer, (WebSocketCloseStatus)code)).ToString();

    [Theory]
    [InlineData(1000, "Resume")]
    [InlineData(1001, "Resume")]
    [InlineData(1013, "Resume")]
    [InlineData(4001, "ResumeWithFreshToken")]
    [InlineData(4002, "Resume")]
    [InlineData(4003, "TerminalUnlessTokenChanged")]
    [InlineData(4008, "WaitThenResume")]
    [InlineData(4029, "WaitThenResume")]
    [InlineData(4028, "Terminal")]
    [InlineData(4999, "Resume")]
    [InlineData(1011, "Resume")]
    public void Close_codes_map_to_the_contract_actions(int code, string action)
    {
        Assert.Equal(action, Closed(code));
    }

    [Fact]
    public void The_table_covers_every_close_code_of_the_contract()
    {
        Assert.Equal(new[] { 1000, 1001, 1013, 4001, 4002, 4003, 4008, 4028, 4029 }, GatewayReconnectTable.CloseCodes.Keys.Order());
    }

    [Fact]
    public void A_lost_connection_is_resumed()
    {
        Assert.Equal(ReconnectAction.Resume, Policy.Decide(new ConnectionEnd(ConnectionEndKind.Lost, error: new IOException())));
    }

    [Fact]
    public void An_inbound_message_over_the_limit_is_terminal_because_replay_would_repeat_it()
    {
        Assert.Equal(ReconnectAction.Terminal, Policy.Decide(new ConnectionEnd(ConnectionEndKind.MessageTooLarge, WebSocketCloseStatus.MessageTooBig)));
    }

    [Theory]
    [InlineData("rate_limited", "WaitThenResume")]
    [InlineData("handshake_timeout", "Resume")]
    [InlineData("auth_required", "TerminalUnlessTokenChanged")]
    [InlineData("auth_unauthorized", "TerminalUnlessTokenChanged")]
    [InlineData("protocol_unsupported", "Terminal")]
    [InlineData("pairing_required", "Terminal")]
    [InlineData("agent_not_found", "Terminal")]
    [InlineData("origin_not_allowed", "Terminal")]
    [InlineData("configuration_error", "Terminal")]
    [InlineData("version_unsupported", "Terminal")]
    [InlineData("invalid_response", "Terminal")]
    [InlineData("a_future_code", "Resume")]
    public void Handshake_codes_map_to_the_contract_actions(string code, string action)
    {
        Assert.Equal(action, Policy.Decide(new GatewayHandshakeException(code, "m")).ToString());
    }

    [Fact]
    public void The_policy_agrees_with_IsRetryable_for_every_known_code()
    {
        foreach (var (code, action) in GatewayReconnectTable.HandshakeCodes)
        {
            var retriesAnyway = action is ReconnectAction.Resume or ReconnectAction.WaitThenResume;
            Assert.True(retriesAnyway == HandshakeErrorCodes.IsRetryable(code) || action == ReconnectAction.TerminalUnlessTokenChanged, code);
        }
    }

    [Fact]
    public void A_close_during_the_handshake_follows_the_close_code_table()
    {
        Assert.Equal(ReconnectAction.TerminalUnlessTokenChanged, Policy.Decide(new GatewayConnectionException("closed", (WebSocketCloseStatus)4003)));
        Assert.Equal(ReconnectAction.WaitThenResume, Policy.Decide(new GatewayConnectionException("closed", (WebSocketCloseStatus)4029)));
        Assert.Equal(ReconnectAction.Resume, Policy.Decide(new GatewayConnectionException("refused")));
    }

    [Fact]
    public void A_rejected_certificate_is_terminal()
    {
        Assert.Equal(ReconnectAction.Terminal, Policy.Decide(new GatewayTlsException("untrusted", System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors)));
    }

    [Fact]
    public void Errors_that_are_not_about_the_gateway_are_terminal()
    {
        Assert.Equal(ReconnectAction.Terminal, Policy.Decide(new InvalidOperationException("bug")));
    }

    [Fact]
    public void Retry_after_comes_from_the_handshake_error()
    {
        Assert.Equal(TimeSpan.FromSeconds(7), ReconnectPolicy.RetryAfter(new GatewayHandshakeException("rate_limited", "m", retryAfter: TimeSpan.FromSeconds(7))));
        Assert.Null(ReconnectPolicy.RetryAfter(new GatewayConnectionException("x")));
    }
}
