using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Client.Benchmarks;

/// <summary>
/// A throwaway self-signed certificate for 127.0.0.1, written as a PFX for the dashboard host's HTTPS endpoint: Chromium
/// offers Brotli only over HTTPS, so the browser run loads the page over both (the browser is told to trust it).
/// </summary>
internal static class LoopbackCertificate
{
    public static (string Path, string Password) Write(string folder)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var path = System.IO.Path.Combine(folder, "loopback.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        return (path, password);
    }
}
