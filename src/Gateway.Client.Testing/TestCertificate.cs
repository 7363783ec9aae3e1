using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Client.Testing;

/// <summary>Makes certificates for a <see cref="TestGateway"/> that serves <c>wss://</c>.</summary>
public static class TestCertificate
{
    /// <summary>
    /// Creates a self-signed server certificate with its private key, valid for a day, for the names
    /// <c>localhost</c>, <c>127.0.0.1</c> and <c>::1</c> (so the name check passes and only trust fails).
    /// </summary>
    /// <param name="subjectName">The common name. Default: <c>Gateway.Client TestGateway</c>.</param>
    public static X509Certificate2 CreateSelfSigned(string subjectName = "Gateway.Client TestGateway")
    {
        ArgumentException.ThrowIfNullOrEmpty(subjectName);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subjectName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));

        var now = DateTimeOffset.UtcNow;
        using var ephemeral = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        // A PKCS#12 round trip gives a key every platform's TLS stack can use (Windows rejects ephemeral keys).
        return new X509Certificate2(ephemeral.Export(X509ContentType.Pkcs12));
    }
}
