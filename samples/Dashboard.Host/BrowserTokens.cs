using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Dashboard.Host;

/// <summary>
/// Short-lived, single-use tokens for the browser's connection to the relay. A page asks for one before every connect;
/// a token that leaks (a log, a screenshot, a browser extension) is worth one connection within its lifetime, and the
/// gateway's own token, which never reaches the browser, is worth nothing to whoever took it.
/// </summary>
public sealed class BrowserTokens(TimeProvider time, TimeSpan lifetime)
{
    /// <summary>Outstanding tokens at most: beyond, issuing refuses (a page that asks in a loop cannot grow the host).</summary>
    public const int MaxOutstanding = 1000;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _expiries = new(StringComparer.Ordinal);

    /// <summary>How long an issued token can be redeemed.</summary>
    public TimeSpan Lifetime { get; } = lifetime > TimeSpan.Zero ? lifetime : throw new ArgumentOutOfRangeException(nameof(lifetime), "The token lifetime must be positive.");

    /// <summary>A new token, or null when <see cref="MaxOutstanding"/> unexpired tokens are waiting.</summary>
    public string? Issue()
    {
        var now = time.GetUtcNow();
        foreach (var (token, expiry) in _expiries)
        {
            if (expiry <= now)
            {
                _expiries.TryRemove(token, out _);
            }
        }

        if (_expiries.Count >= MaxOutstanding)
        {
            return null;
        }

        var issued = Base64Url(RandomNumberGenerator.GetBytes(32));
        _expiries[issued] = now + Lifetime;
        return issued;
    }

    /// <summary>Whether <paramref name="token"/> was issued, is unexpired and unused; it is used up either way.</summary>
    public bool TryRedeem(string? token) =>
        token is not null && _expiries.TryRemove(token, out var expiry) && time.GetUtcNow() < expiry;

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
