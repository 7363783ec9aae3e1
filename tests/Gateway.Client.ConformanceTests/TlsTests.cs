using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary><c>wss://</c>: certificate validation by callback, and a clear terminal error without one.</summary>
public class TlsTests
{
    private static readonly X509Certificate2 Certificate = TestCertificate.CreateSelfSigned();

    private static Task<TestGateway> StartTlsGatewayAsync() =>
        TestGateway.StartAsync(new TestGatewayOptions { ServerCertificate = Certificate, Token = "tls-secret-token" });

    private static RemoteCertificateValidationCallback PinTo(X509Certificate2 expected, List<SslPolicyErrors>? seen = null) =>
        (_, certificate, _, errors) =>
        {
            lock (seen ?? new List<SslPolicyErrors>())
            {
                seen?.Add(errors);
            }

            return certificate is not null && certificate.GetCertHashString() == expected.Thumbprint;
        };

    [Fact]
    public async Task A_callback_that_pins_the_certificate_connects_and_resumes_over_wss()
    {
        await using var gateway = await StartTlsGatewayAsync();
        var seen = new List<SslPolicyErrors>();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
        {
            Harness.ImmediateReconnect(o);
            o.RemoteCertificateValidationCallback = PinTo(Certificate, seen);
        }));
        var states = new StateRecorder(client);
        await using var stream = new StreamRecorder(client);

        await client.ConnectAsync(Harness.Deadline());
        var sessionId = client.Session!.SessionId;
        await gateway.PublishMessagesAsync(sessionId, "1", "2");
        await stream.WaitForSequenceAsync(2);
        (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
        await gateway.PublishMessagesAsync(sessionId, "3");
        await states.WaitForAsync(ConnectionState.Connected, 2);
        await stream.WaitForSequenceAsync(3);

        Assert.Equal("wss", gateway.Url.Scheme);
        Assert.Equal(new long[] { 1, 2, 3 }, stream.Sequences);
        Assert.Equal(2, (await gateway.WaitForHandshakeAsync(2, Harness.Deadline())).ResumedFrom);
        lock (seen)
        {
            // One validation per connection; the name matches (127.0.0.1 is in the certificate), only trust fails.
            Assert.Equal(2, seen.Count);
            Assert.All(seen, errors => Assert.Equal(SslPolicyErrors.RemoteCertificateChainErrors, errors));
        }
    }

    [Fact]
    public async Task Without_a_callback_an_untrusted_certificate_fails_once_with_a_clear_typed_error()
    {
        await using var gateway = await StartTlsGatewayAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, Harness.ImmediateReconnect));
        var states = new StateRecorder(client);

        var error = await Assert.ThrowsAsync<GatewayTlsException>(() => client.ConnectAsync(Harness.Deadline()));

        Assert.Equal(SslPolicyErrors.RemoteCertificateChainErrors, error.PolicyErrors);
        Assert.Contains("not trusted", error.Message, StringComparison.Ordinal);
        Assert.Contains("RemoteCertificateValidationCallback", error.Message, StringComparison.Ordinal);
        Assert.Contains(gateway.Url.Authority, error.Message, StringComparison.Ordinal);
        // What a user needs to pin it: the certificate it saw, named in the message and typed.
        Assert.Equal(Certificate.Thumbprint, error.CertificateThumbprint);
        Assert.Equal(Certificate.Subject, error.CertificateSubject);
        Assert.Contains($"SHA-1 thumbprint {Certificate.Thumbprint}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("tls-secret-token", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(ConnectionState.Failed, client.State);
        Assert.DoesNotContain(states.Transitions, t => t.Current == ConnectionState.Reconnecting);
        Assert.Equal(1, gateway.AcceptedSockets);
        Assert.Empty(gateway.Connections);
    }

    [Fact]
    public async Task A_callback_that_rejects_fails_with_its_verdict_and_the_systems_finding()
    {
        await using var gateway = await StartTlsGatewayAsync();
        var other = TestCertificate.CreateSelfSigned("someone else");
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o => o.RemoteCertificateValidationCallback = PinTo(other)));

        var error = await Assert.ThrowsAsync<GatewayTlsException>(() => client.ConnectAsync(Harness.Deadline()));

        Assert.Equal(SslPolicyErrors.RemoteCertificateChainErrors, error.PolicyErrors);
        Assert.Contains("RemoteCertificateValidationCallback rejected", error.Message, StringComparison.Ordinal);
        Assert.Equal(Certificate.Thumbprint, error.CertificateThumbprint); // the one presented, not the one expected
    }

    [Fact]
    public async Task A_callback_that_throws_is_a_rejection_reported_with_its_exception()
    {
        await using var gateway = await StartTlsGatewayAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
            o.RemoteCertificateValidationCallback = (_, _, _, _) => throw new InvalidOperationException("pin store unavailable")));

        var error = await Assert.ThrowsAsync<GatewayTlsException>(() => client.ConnectAsync(Harness.Deadline()));

        Assert.Contains("threw InvalidOperationException: pin store unavailable", error.Message, StringComparison.Ordinal);
        var inner = Assert.IsType<AggregateException>(error.InnerException);
        Assert.Contains(inner.InnerExceptions, e => e is InvalidOperationException);
    }

    [Fact]
    public async Task A_tls_rejection_while_reconnecting_stops_the_client_and_ends_the_stream_with_it()
    {
        await using var gateway = await StartTlsGatewayAsync();
        var accept = 1;
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
        {
            Harness.ImmediateReconnect(o);
            o.RemoteCertificateValidationCallback = (_, _, _, _) => Volatile.Read(ref accept) == 1;
        }));
        var states = new StateRecorder(client);
        var retries = Harness.RetriesOf(client);
        await using var stream = new StreamRecorder(client);
        await client.ConnectAsync(Harness.Deadline());
        await gateway.PublishMessagesAsync(client.Session!.SessionId, "1");
        await stream.WaitForSequenceAsync(1);

        Volatile.Write(ref accept, 0); // as if the server now presented a certificate the app does not trust
        (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
        var failed = await states.WaitForAsync(ConnectionState.Failed);
        await stream.Completion.WaitAsync(Harness.Deadline());

        Assert.IsType<GatewayTlsException>(failed.Cause);
        Assert.Same(failed.Cause, stream.Error);
        Assert.Equal(new long[] { 1 }, stream.Sequences);
        Assert.Single(states.Transitions, t => t.Current == ConnectionState.Reconnecting);
        Assert.Single(retries.Transitions); // one attempt after the drop, refused for good (its report precedes Failed)
    }

    [Fact]
    public async Task The_gateway_refuses_a_certificate_without_its_private_key()
    {
        using var publicOnly = X509CertificateLoader.LoadCertificate(Certificate.Export(X509ContentType.Cert));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => TestGateway.StartAsync(new TestGatewayOptions { ServerCertificate = publicOnly }));

        Assert.Contains("private key", error.Message, StringComparison.Ordinal);
    }
}
