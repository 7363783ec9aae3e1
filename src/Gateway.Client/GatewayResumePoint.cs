using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Gateway.Client;

/// <summary>
/// Where a stream resumes: the session, the epoch its numbers belong to, and the <see cref="Sequence"/> of the last
/// event handled. Store <see cref="GatewayEvent.ResumePoint"/> once the app has handled that event, and give it back
/// as <see cref="GatewayClientOptions.ResumeFrom"/> on the next start: the server replays what came after it.
/// <para><see cref="ToString"/> writes a compact text form, versioned so a later client can still read it
/// (<c>gr1.&lt;session id&gt;.&lt;epoch&gt;.&lt;sequence&gt;</c>, the session id and epoch in unpadded base64url), for a
/// file, a database column or a command line; <see cref="Parse"/> and <see cref="TryParse"/> read it back.</para>
/// </summary>
public sealed class GatewayResumePoint : IEquatable<GatewayResumePoint>
{
    /// <summary>The text form's version, and so its first part.</summary>
    private const string Version = "gr1";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Creates a resume point.</summary>
    /// <param name="sessionId">The session, as <see cref="GatewaySession.SessionId"/> named it.</param>
    /// <param name="epoch">The numbering history <paramref name="sequence"/> belongs to (<see cref="GatewaySession.Epoch"/>), or null when the server named none. An empty epoch is none.</param>
    /// <param name="sequence">The last sequence number handled: the server replays what came after it (0: everything it still has).</param>
    /// <exception cref="ArgumentNullException"><paramref name="sessionId"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="sessionId"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sequence"/> is negative.</exception>
    public GatewayResumePoint(string sessionId, string? epoch, long sequence)
    {
        Guard.NotNull(sessionId);
        if (sessionId.Length == 0)
        {
            throw new ArgumentException("A resume point's session id must not be empty.", nameof(sessionId));
        }

        if (sequence < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(sequence), sequence, "A resume point's sequence must not be negative.");
        }

        // The text form is UTF-8: a lone surrogate has no spelling in it.
        if (!IsWellFormed(sessionId))
        {
            throw new ArgumentException("A resume point's session id must be well-formed UTF-16 text (it has a lone surrogate).", nameof(sessionId));
        }

        if (epoch is not null && !IsWellFormed(epoch))
        {
            throw new ArgumentException("A resume point's epoch must be well-formed UTF-16 text (it has a lone surrogate).", nameof(epoch));
        }

        SessionId = sessionId;
        // One spelling of "no epoch", so a point reads back from its text exactly as it was.
        Epoch = string.IsNullOrEmpty(epoch) ? null : epoch;
        Sequence = sequence;
    }

    /// <summary>A checked point: its session and epoch, at <paramref name="sequence"/>.</summary>
    private GatewayResumePoint(GatewayResumePoint origin, long sequence)
    {
        SessionId = origin.SessionId;
        Epoch = origin.Epoch;
        Sequence = sequence;
    }

    /// <summary>The session to resume.</summary>
    public string SessionId { get; }

    /// <summary>The numbering history <see cref="Sequence"/> belongs to; null when the server named none.</summary>
    public string? Epoch { get; }

    /// <summary>The last sequence number handled; the stream resumes right after it.</summary>
    public long Sequence { get; }

    /// <summary>Whether two points are equal (session id, epoch and sequence compared ordinally).</summary>
    public static bool operator ==(GatewayResumePoint? left, GatewayResumePoint? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Whether two points differ.</summary>
    public static bool operator !=(GatewayResumePoint? left, GatewayResumePoint? right) => !(left == right);

    /// <summary>Reads the text <see cref="ToString"/> wrote (surrounding white space is ignored).</summary>
    /// <param name="text">The text form, for example <c>gr1.c2Vzcy0x.ZXBvY2gtMw.41</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="FormatException">The text is not a resume point; the message says what is wrong with it.</exception>
    public static GatewayResumePoint Parse(string text)
    {
        Guard.NotNull(text);
        return Read(text, out var problem) ?? throw new FormatException(problem);
    }

    /// <summary>Reads the text <see cref="ToString"/> wrote; false (and null) when it is not a resume point.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out GatewayResumePoint? point)
    {
        point = text is null ? null : Read(text, out _);
        return point is not null;
    }

    /// <inheritdoc />
    public bool Equals(GatewayResumePoint? other) =>
        other is not null && Sequence == other.Sequence && string.Equals(SessionId, other.SessionId, StringComparison.Ordinal) && string.Equals(Epoch, other.Epoch, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as GatewayResumePoint);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        unchecked
        {
            var hash = StringComparer.Ordinal.GetHashCode(SessionId);
            hash = (hash * 31) + (Epoch is null ? 0 : StringComparer.Ordinal.GetHashCode(Epoch));
            return (hash * 31) + Sequence.GetHashCode();
        }
    }

    /// <summary>This point's session and epoch at <paramref name="sequence"/> (not negative), with no second check of the text.</summary>
    internal GatewayResumePoint WithSequence(long sequence) => sequence == Sequence ? this : new GatewayResumePoint(this, sequence);

    /// <summary>The compact text form: <c>gr1.&lt;base64url(session id)&gt;.&lt;base64url(epoch), or nothing&gt;.&lt;sequence&gt;</c>.</summary>
    public override string ToString() =>
        string.Concat(Version, ".", Base64Url.Encode(SessionId), ".", Epoch is null ? string.Empty : Base64Url.Encode(Epoch), ".", Sequence.ToString(CultureInfo.InvariantCulture));

    /// <summary>The point <paramref name="text"/> stands for; null with the <paramref name="problem"/> when it stands for none.</summary>
    private static GatewayResumePoint? Read(string text, out string problem)
    {
        // Surrounding white space is what a file's line end or a pasted command line adds: not part of the point.
        text = text.Trim();
        var parts = text.Split('.');
        if (parts[0] != Version && !IsVersion(parts[0]))
        {
            problem = $"'{Shorten(text)}' is not a resume point: it must start with '{Version}.' (the text GatewayResumePoint.ToString() writes).";
            return null;
        }

        if (parts[0] != Version)
        {
            problem = $"The resume point '{Shorten(text)}' is in format '{Shorten(parts[0])}', which this client does not read (it reads {Version}).";
            return null;
        }

        if (parts.Length != 4)
        {
            problem = $"The resume point '{Shorten(text)}' has {parts.Length} parts separated by '.'; a {Version} point has 4: {Version}.<session id>.<epoch>.<sequence>.";
            return null;
        }

        if (parts[1].Length == 0)
        {
            problem = $"The resume point '{Shorten(text)}' has an empty session id.";
            return null;
        }

        if (Base64Url.Decode(parts[1]) is not { } sessionId)
        {
            problem = $"The resume point '{Shorten(text)}' has a session id that is not unpadded base64url of UTF-8 text ('{Shorten(parts[1])}').";
            return null;
        }

        string? epoch = null;
        if (parts[2].Length > 0 && (epoch = Base64Url.Decode(parts[2])) is null)
        {
            problem = $"The resume point '{Shorten(text)}' has an epoch that is not unpadded base64url of UTF-8 text ('{Shorten(parts[2])}').";
            return null;
        }

        // Digits only: no sign, no spaces, no culture's group separators, and no leading zero (one text per point).
        if (!long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) || (parts[3].Length > 1 && parts[3][0] == '0'))
        {
            problem = $"The resume point '{Shorten(text)}' has a sequence that is not a whole number from 0 to {long.MaxValue} ('{Shorten(parts[3])}').";
            return null;
        }

        problem = string.Empty;
        return new GatewayResumePoint(sessionId, epoch, sequence);
    }

    private static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether <paramref name="part"/> names a version of the text form (<c>gr</c> and a number), perhaps a later one.</summary>
    private static bool IsVersion(string part) => part.Length > 2 && part.StartsWith("gr", StringComparison.Ordinal) && part.Skip(2).All(c => c is >= '0' and <= '9');

    /// <summary>Enough of a bad input to recognise it in a message, never a screenful.</summary>
    private static string Shorten(string text) => text.Length <= 80 ? text : text.Substring(0, 77) + "...";

    /// <summary>Unpadded base64url (RFC 4648, section 5) of UTF-8 text, strict both ways.</summary>
    private static class Base64Url
    {
        public static string Encode(string value) =>
            Convert.ToBase64String(StrictUtf8.GetBytes(value)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        /// <summary>The text <paramref name="encoded"/> stands for; null when it is not unpadded base64url or not UTF-8.</summary>
        public static string? Decode(string encoded)
        {
            // Convert.FromBase64String would also take white space, padding and '+' '/': check the alphabet first.
            if (encoded.Length % 4 == 1)
            {
                return null;
            }

            var standard = new StringBuilder(encoded.Length + 3);
            foreach (var c in encoded)
            {
                standard.Append(c switch
                {
                    '-' => '+',
                    '_' => '/',
                    _ when c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') => c,
                    _ => '\0',
                });
                if (standard[standard.Length - 1] == '\0')
                {
                    return null;
                }
            }

            standard.Append('=', (4 - (encoded.Length % 4)) % 4);
            try
            {
                var bytes = Convert.FromBase64String(standard.ToString());
                var text = StrictUtf8.GetString(bytes);
                // Trailing bits that are not zero decode too: only the canonical spelling is the point's.
                return Encode(text) == encoded ? text : null;
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException)
            {
                return null;
            }
        }
    }
}
