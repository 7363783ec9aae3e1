namespace Gateway.Client.Tests;

/// <summary>A resume point's text form: versioned, compact, read back exactly; and what it says about text that is not one.</summary>
public class GatewayResumePointTests
{
    public static TheoryData<string, string?, long> Points => new()
    {
        { "sess-1", "epoch-3", 41 },
        { "sess-1", null, 0 },
        { "a.b.c", "x.y", 7 },                                  // dots, the text form's separator
        { "sessão ☃ 会话 🐳", "époque", long.MaxValue },         // unicode, a surrogate pair, the largest number
        { "+/=?&% \t\n\"'\\", "-_", 1 },                        // base64's own and URL-unsafe characters, white space
        { "gr1.c2Vzcy0x..41", null, 2 },                        // a session id that looks like a point
        { new string('s', 2000), new string('e', 300), 12345 },
    };

    [Theory]
    [MemberData(nameof(Points))]
    public void Its_text_reads_back_as_the_same_point(string sessionId, string? epoch, long sequence)
    {
        var point = new GatewayResumePoint(sessionId, epoch, sequence);

        var text = point.ToString();
        var parsed = GatewayResumePoint.Parse(text);

        Assert.Equal(point, parsed);
        Assert.Equal((sessionId, epoch, sequence), (parsed.SessionId, parsed.Epoch, parsed.Sequence));
        Assert.True(GatewayResumePoint.TryParse(text, out var tried));
        Assert.Equal(point, tried);
        Assert.Equal(text, parsed.ToString());
        Assert.StartsWith("gr1.", text);
        Assert.Equal(4, text.Split('.').Length);
        Assert.All(text, c => Assert.True(c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.', $"'{c}' in {text}"));
    }

    [Fact]
    public void The_text_form_is_the_versioned_base64url_of_its_parts()
    {
        Assert.Equal("gr1.c2Vzcy0x.ZXBvY2gtMw.41", new GatewayResumePoint("sess-1", "epoch-3", 41).ToString());
        Assert.Equal("gr1.c2Vzcy0x..0", new GatewayResumePoint("sess-1", null, 0).ToString());
    }

    [Fact]
    public void An_empty_epoch_is_no_epoch()
    {
        var point = new GatewayResumePoint("s", string.Empty, 3);

        Assert.Null(point.Epoch);
        Assert.Equal(new GatewayResumePoint("s", null, 3), point);
        Assert.Equal(point, GatewayResumePoint.Parse(point.ToString()));
    }

    [Fact]
    public void Points_are_equal_by_value_and_ordinally()
    {
        var point = new GatewayResumePoint("s", "e", 3);

        Assert.True(point == new GatewayResumePoint("s", "e", 3));
        Assert.Equal(point.GetHashCode(), new GatewayResumePoint("s", "e", 3).GetHashCode());
        Assert.True(point != new GatewayResumePoint("S", "e", 3));
        Assert.NotEqual(point, new GatewayResumePoint("s", "E", 3));
        Assert.NotEqual(point, new GatewayResumePoint("s", null, 3));
        Assert.NotEqual(point, new GatewayResumePoint("s", "e", 4));
        Assert.False(point.Equals(null));
        Assert.False(point == null);
        Assert.True((GatewayResumePoint?)null == null);
    }

    [Fact]
    public void The_constructor_refuses_what_no_server_resumes_from()
    {
        Assert.Throws<ArgumentNullException>(() => new GatewayResumePoint(null!, null, 0));
        Assert.Contains("session id must not be empty", Assert.Throws<ArgumentException>(() => new GatewayResumePoint(string.Empty, null, 0)).Message);
        Assert.Equal("sequence", Assert.Throws<ArgumentOutOfRangeException>(() => new GatewayResumePoint("s", null, -1)).ParamName);
        Assert.Equal("sessionId", Assert.Throws<ArgumentException>(() => new GatewayResumePoint("s\uD800", null, 0)).ParamName);
        Assert.Equal("epoch", Assert.Throws<ArgumentException>(() => new GatewayResumePoint("s", "\uDC00e", 0)).ParamName);
    }

    [Theory]
    [InlineData("", "'' is not a resume point: it must start with 'gr1.'")]
    [InlineData("sess-1:41", "'sess-1:41' is not a resume point: it must start with 'gr1.'")]
    [InlineData("GR1.c2Vzcy0x..41", "is not a resume point: it must start with 'gr1.'")]
    [InlineData("gr2.c2Vzcy0x..41", "is in format 'gr2', which this client does not read (it reads gr1)")]
    [InlineData("gr1.c2Vzcy0x.41", "has 3 parts separated by '.'; a gr1 point has 4")]
    [InlineData("gr1.c2Vzcy0x..41.", "has 5 parts separated by '.'")]
    [InlineData("gr1...41", "has an empty session id")]
    [InlineData("gr1.c2Vzcy0x=..41", "has a session id that is not unpadded base64url of UTF-8 text ('c2Vzcy0x=')")]
    [InlineData("gr1.c2Vz cy0x..41", "has a session id that is not unpadded base64url")]
    [InlineData("gr1.c2V+..41", "has a session id that is not unpadded base64url")]
    [InlineData("gr1.c..41", "has a session id that is not unpadded base64url")]                 // one character is no byte
    [InlineData("gr1.QR..41", "has a session id that is not unpadded base64url")]                // "A" with trailing bits set: not its spelling
    [InlineData("gr1._w..41", "has a session id that is not unpadded base64url of UTF-8 text")]  // 0xFF is no UTF-8
    [InlineData("gr1.c2Vzcy0x.ZX!v.41", "has an epoch that is not unpadded base64url")]
    [InlineData("gr1.c2Vzcy0x..", "has a sequence that is not a whole number from 0 to 9223372036854775807 ('')")]
    [InlineData("gr1.c2Vzcy0x..-1", "has a sequence that is not a whole number")]
    [InlineData("gr1.c2Vzcy0x..+1", "has a sequence that is not a whole number")]
    [InlineData("gr1.c2Vzcy0x.. 41", "has a sequence that is not a whole number")]
    [InlineData("gr1.c2Vzcy0x..4.1", "has 5 parts")]
    [InlineData("gr1.c2Vzcy0x..9223372036854775808", "has a sequence that is not a whole number")]
    [InlineData("gr1.c2Vzcy0x..041", "has a sequence that is not a whole number")] // one text per point: no leading zero
    public void Malformed_text_is_a_FormatException_that_says_what_is_wrong(string text, string problem)
    {
        var error = Assert.Throws<FormatException>(() => GatewayResumePoint.Parse(text));

        Assert.Contains(problem, error.Message);
        Assert.False(GatewayResumePoint.TryParse(text, out var point));
        Assert.Null(point);
    }

    [Fact]
    public void Surrounding_white_space_is_not_part_of_the_point_and_zero_is_a_sequence()
    {
        var point = new GatewayResumePoint("sess-1", "epoch-3", 41);

        Assert.Equal(point, GatewayResumePoint.Parse("  " + point + "\r\n"));
        Assert.Equal(0, GatewayResumePoint.Parse("gr1.c2Vzcy0x..0").Sequence);
    }

    [Fact]
    public void A_long_bad_input_is_shortened_in_the_message_and_null_is_refused_as_an_argument()
    {
        var error = Assert.Throws<FormatException>(() => GatewayResumePoint.Parse(new string('x', 10_000)));

        Assert.True(error.Message.Length < 300, error.Message);
        Assert.Throws<ArgumentNullException>(() => GatewayResumePoint.Parse(null!));
        Assert.False(GatewayResumePoint.TryParse(null, out _));
    }
}
