using Gateway.Client;

namespace GatewayTail;

/// <summary>
/// What gateway-tail says when TLS fails: the certificate the server presented and the option of this tool that
/// accepts it (<c>--pin-certificate</c>), not the library's option, which a command-line user cannot set.
/// </summary>
internal static class TlsAdvice
{
    public static string For(GatewayTlsException error, string? pinned)
    {
        if (error.CertificateThumbprint is not { } thumbprint)
        {
            // No certificate was seen (no common protocol, not TLS at all): the library's reason is all there is.
            return error.Message;
        }

        var presented = $"the server's certificate ({error.CertificateSubject}, SHA-1 thumbprint {thumbprint})";
        if (pinned is not null)
        {
            return $"{presented} is not the one pinned with --pin-certificate {pinned}.";
        }

        return $"{presented} is not trusted ({error.PolicyErrors}). If it is the gateway's (check the thumbprint with "
            + $"its operator), accept exactly this certificate with --pin-certificate {thumbprint}, or trust its issuer on this machine.";
    }
}
