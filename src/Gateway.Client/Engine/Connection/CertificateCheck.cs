using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Client.Engine;

/// <summary>
/// Validates a <c>wss://</c> server's certificate with the user's callback (or the system's verdict) and
/// remembers what it found, so a failed connect can say why in a <see cref="GatewayTlsException"/>
/// instead of the transport's generic "unable to connect".
/// </summary>
internal sealed class CertificateCheck
{
    private readonly RemoteCertificateValidationCallback? _userCallback;
    private SslPolicyErrors? _policyErrors;
    private string? _thumbprint;
    private string? _subject;
    private bool _rejected;
    private Exception? _callbackError;

    private CertificateCheck(RemoteCertificateValidationCallback? userCallback)
    {
        _userCallback = userCallback;
    }

    /// <summary>
    /// Installs the check on a socket about to connect to <paramref name="url"/>; null for <c>ws://</c>, and in a browser,
    /// which validates certificates itself and takes no callback (a callback is refused there when the client is constructed).
    /// </summary>
    public static CertificateCheck? Install(ClientWebSocketOptions socketOptions, RemoteCertificateValidationCallback? userCallback, Uri url)
    {
        if (BrowserWebSocketPolicy.IsBrowser || !string.Equals(url.Scheme, "wss", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var check = new CertificateCheck(userCallback);
#if NETSTANDARD2_0
        // The netstandard2.0 surface lacks the property; .NET Core 2.1+ has it at run time, .NET Framework does not.
        var property = typeof(ClientWebSocketOptions).GetProperty("RemoteCertificateValidationCallback");
        if (property is null)
        {
            return userCallback is null
                ? null
                : throw new PlatformNotSupportedException(
                    "GatewayClientOptions.RemoteCertificateValidationCallback needs a runtime whose ClientWebSocket supports certificate validation callbacks (.NET Core 2.1 or later).");
        }

        property.SetValue(socketOptions, new RemoteCertificateValidationCallback(check.Validate));
#else
        socketOptions.RemoteCertificateValidationCallback = check.Validate;
#endif
        return check;
    }

    /// <summary>Turns a failed connect into a <see cref="GatewayTlsException"/> when TLS was the cause; null otherwise.</summary>
    public GatewayTlsException? Explain(Exception connectError, string redactedUrl, Func<Exception, Exception> scrub)
    {
        var rejected = Volatile.Read(ref _rejected);
        if (!rejected && !HasAuthenticationFailure(connectError))
        {
            return null;
        }

        return Describe(rejected ? _policyErrors : null, _userCallback is not null, _callbackError, redactedUrl, scrub, connectError, _thumbprint, _subject);
    }

    /// <summary>For a connect that failed in TLS without this check having run (a callback the user installed, or none).</summary>
    public static GatewayTlsException? ExplainWithoutCheck(Exception connectError, string redactedUrl, Func<Exception, Exception> scrub) =>
        HasAuthenticationFailure(connectError) ? Describe(null, false, null, redactedUrl, scrub, connectError, null, null) : null;

    private static GatewayTlsException Describe(
        SslPolicyErrors? errors, bool userDecided, Exception? callbackError, string redactedUrl, Func<Exception, Exception> scrub, Exception connectError, string? thumbprint, string? subject)
    {
        string why;
        if (callbackError is not null)
        {
            why = $"GatewayClientOptions.RemoteCertificateValidationCallback threw {callbackError.GetType().Name}: {callbackError.Message}";
        }
        else if (errors is { } found && userDecided)
        {
            why = $"GatewayClientOptions.RemoteCertificateValidationCallback rejected the server's certificate (the system's check found: {found})";
        }
        else if (errors is { } systemFound)
        {
            why = $"the server's certificate is not trusted ({systemFound}). Trust its issuer on this machine, or accept it with GatewayClientOptions.RemoteCertificateValidationCallback";
        }
        else
        {
            why = "the TLS handshake did not complete (no common protocol or cipher, or the server is not speaking TLS)";
        }

        if (thumbprint is not null && errors is not null)
        {
            why += $" (the server's certificate: {subject}, SHA-1 thumbprint {thumbprint})";
        }

        return new GatewayTlsException(
            $"Could not connect to {redactedUrl}: {why}.",
            errors,
            thumbprint,
            subject,
            callbackError is null ? scrub(connectError) : new AggregateException(scrub(connectError), scrub(callbackError)));
    }

    private static bool HasAuthenticationFailure(Exception error)
    {
        for (var current = error; current is not null; current = current.InnerException)
        {
            if (current is AuthenticationException)
            {
                return true;
            }
        }

        return false;
    }

#if NET
    [System.Runtime.Versioning.UnsupportedOSPlatform("browser")]
#endif
    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors policyErrors)
    {
        bool accepted;
        try
        {
            accepted = _userCallback is { } callback ? callback(sender, certificate, chain, policyErrors) : policyErrors == SslPolicyErrors.None;
        }
        catch (Exception ex)
        {
            // A throwing callback is a rejection that the caller must be able to see, not a crash in the TLS stack.
            _callbackError = ex;
            accepted = false;
        }

        _policyErrors = policyErrors;
        // What a user needs to pin it (and to check it out of band first); the certificate is disposed after the call.
        _thumbprint = certificate?.GetCertHashString();
        _subject = certificate?.Subject;
        Volatile.Write(ref _rejected, !accepted);
        return accepted;
    }
}
