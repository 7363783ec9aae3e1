namespace Gateway.Client;

/// <summary>Renders URLs for logs and messages without their query string, where tokens travel.</summary>
internal static class UrlRedactor
{
    public static string Redact(Uri url)
    {
        if (!url.IsAbsoluteUri)
        {
            return "(relative URI)";
        }

        var withoutQuery = url.GetLeftPart(UriPartial.Path);
        return string.IsNullOrEmpty(url.Query) ? withoutQuery : withoutQuery + "?(redacted)";
    }
}
