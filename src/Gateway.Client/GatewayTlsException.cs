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
    public GatewayTlsException(string message, SslPolicyErrors? policyErrors = null, Exception? innerException = null)
        : base(message, innerException)
    {
        PolicyErrors = policyErrors;
    }

    /// <summary>
    /// What the system found wrong with the server's certificate (untrusted chain, name mismatch, none
    /// sent), or null when the handshake failed before the certificate was checked.
    /// </summary>
    public SslPolicyErrors? PolicyErrors { get; }
}
