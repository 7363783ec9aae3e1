using System.Net.WebSockets;
using Gateway.Client.Dialects;
using Gateway.Client.Dialects.PraisonAI;
using Gateway.Client.Engine;
using Gateway.Client.Wire;

namespace Gateway.Client.Tests;

/// <summary>
/// What the client does after each close code and handshake error: resume, stop unless the token
/// changed, or stop. The three are what the engine acts on; which label a table row carries is not
/// asserted (the resuming labels differ only in what they document).
/// </summary>
public class ReconnectPolicyTests
{
    private const string Resumes = "resumes";
    private const string StopsUnlessTokenChanged = "stops unless the token changed";
    private const string Stops = "stops";

    private static readonly ReconnectPolicy Policy = ReconnectPolicy.For(PraisonAIDialect.Instance);

    /// <summary>The behaviour an action leads to in the run loop and the retry pipeline.</summary>
    private static string Behaviour(ReconnectAction action) => action switch
    {
        ReconnectAction.Terminal => Stops,
        ReconnectAction.TerminalUnlessTokenChanged => StopsUnlessTokenChanged,
        _ => Resumes,
    };

    private static string Closed(int code) =>
        Behaviour(Policy.Decide(new ConnectionEnd(ConnectionEndKind.ClosedByServer, (WebSocketCloseStatus)code)));

    [Theory]
    [InlineData(1000, Resumes)]
    [InlineData(1001, Resumes)]
    [InlineData(1011, Resumes)]
    [InlineData(1013, Resumes)]
    [InlineData(4001, Resumes)]
    [InlineData(4002, Resumes)]
    [InlineData(4003, StopsUnlessTokenChanged)]
    [InlineData(4008, Resumes)]
    [InlineData(4028, Stops)]
    [InlineData(4029, Resumes)]
    [InlineData(4999, Resumes)]
    public void Each_close_code_resumes_or_stops_as_the_contract_says(int code, string behaviour)
    {
        Assert.Equal(behaviour, Closed(code));
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

    [Fact]
    public void A_handshake_message_over_the_limit_is_terminal_too_but_a_1009_from_the_server_is_not()
    {
        var overLimit = new GatewayConnectionException("over", WebSocketCloseStatus.MessageTooBig, null, new MessageTooLargeException(4096));
        var serverClosed = new GatewayConnectionException("closed", WebSocketCloseStatus.MessageTooBig, "your hello was too big");

        Assert.Equal(ReconnectAction.Terminal, Policy.Decide(overLimit));
        Assert.Equal(ReconnectAction.Resume, Policy.Decide(serverClosed));
    }

    [Theory]
    [InlineData("rate_limited", Resumes)]
    [InlineData("handshake_timeout", Resumes)]
    [InlineData("auth_required", StopsUnlessTokenChanged)]
    [InlineData("auth_unauthorized", StopsUnlessTokenChanged)]
    [InlineData("protocol_unsupported", Stops)]
    [InlineData("pairing_required", Stops)]
    [InlineData("agent_not_found", Stops)]
    [InlineData("origin_not_allowed", Stops)]
    [InlineData("configuration_error", Stops)]
    [InlineData("version_unsupported", Stops)]
    [InlineData("invalid_response", Stops)]
    [InlineData("a_future_code", Resumes)]
    public void Each_handshake_code_resumes_or_stops_as_the_contract_says(string code, string behaviour)
    {
        Assert.Equal(behaviour, Behaviour(Policy.Decide(new GatewayHandshakeException(code, "m"))));
    }

    [Fact]
    public void The_policy_agrees_with_IsRetryable_for_every_known_code()
    {
        foreach (var (code, action) in PraisonAIReconnectTable.HandshakeCodes)
        {
            var retriesAnyway = action is ReconnectAction.Resume or ReconnectAction.WaitThenResume;
            Assert.True(retriesAnyway == HandshakeErrorCodes.IsRetryable(code) || action == ReconnectAction.TerminalUnlessTokenChanged, code);
        }
    }

    [Fact]
    public void A_close_during_the_handshake_follows_the_close_code_table()
    {
        Assert.Equal(StopsUnlessTokenChanged, Behaviour(Policy.Decide(new GatewayConnectionException("closed", (WebSocketCloseStatus)4003))));
        Assert.Equal(Stops, Behaviour(Policy.Decide(new GatewayConnectionException("closed", (WebSocketCloseStatus)4028))));
        Assert.Equal(Resumes, Behaviour(Policy.Decide(new GatewayConnectionException("closed", (WebSocketCloseStatus)4029))));
        Assert.Equal(Resumes, Behaviour(Policy.Decide(new GatewayConnectionException("refused"))));
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
