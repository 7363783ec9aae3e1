using System.Net.Security;

namespace Gateway.Client;

/// <summary>
/// The TLS handshake of a <c>wss://</c> connection failed, most often because the server's certificate
/// was not accepted. Retrying would meet the same certificate, so the client does not retry.
/// </summary>
public sealed class GatewayTlsException : GatewayException
{
    /// <summary>Creates a TLS error.</summary>
    /// <param name="message">A message for people; it never contains the token.</param>
    /// <param name="policyErrors">What was wrong with the server's certificate, when validation ran.</param>
    /// <param name="innerException">The transport error.</param>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0027:API with optional parameter(s) should have the most parameters amongst its public overloads", Justification = "This shipped signature stays as it was; the overload with the certificate has no optional parameters, so no call can bind ambiguously.")]
    public GatewayTlsException(string message, SslPolicyErrors? policyErrors = null, Exception? innerException = null)
        : this(message, policyErrors, certificateThumbprint: null, certificateSubject: null, innerException)
    {
    }

    /// <summary>Creates a TLS error that names the certificate the server presented.</summary>
    /// <param name="message">A message for people; it never contains the token.</param>
    /// <param name="policyErrors">What was wrong with the server's certificate, when validation ran.</param>
    /// <param name="certificateThumbprint">The server certificate's SHA-1 thumbprint (hex, upper case), when it sent one.</param>
    /// <param name="certificateSubject">The server certificate's subject, when it sent one.</param>
    /// <param name="innerException">The transport error.</param>
    public GatewayTlsException(string message, SslPolicyErrors? policyErrors, string? certificateThumbprint, string? certificateSubject, Exception? innerException)
        : base(message, innerException)
    {
        PolicyErrors = policyErrors;
        CertificateThumbprint = certificateThumbprint;
        CertificateSubject = certificateSubject;
    }

    /// <summary>
    /// What the system found wrong with the server's certificate (untrusted chain, name mismatch, none
    /// sent), or null when the handshake failed before the certificate was checked.
    /// </summary>
    public SslPolicyErrors? PolicyErrors { get; }

    /// <summary>
    /// The SHA-1 thumbprint of the certificate the server presented, in upper-case hex as
    /// <c>X509Certificate2.Thumbprint</c> writes it; null when the handshake failed before a certificate was
    /// seen. Check it out of band before trusting it: pinning it (a <see cref="GatewayClientOptions.RemoteCertificateValidationCallback"/>
    /// that compares it, or gateway-tail's <c>--pin-certificate</c>) accepts exactly this certificate.
    /// </summary>
    public string? CertificateThumbprint { get; }

    /// <summary>The subject of the certificate the server presented (for example <c>CN=gw.example</c>); null when none was seen.</summary>
    public string? CertificateSubject { get; }
}
