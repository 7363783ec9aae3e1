namespace Gateway.Client.Dialects.OpenClaw;

/// <summary>The checks on <see cref="GatewayClientOptions.OpenClaw"/> that <see cref="GatewayClientOptions.Validate"/> runs for this dialect.</summary>
internal static class OpenClawSettings
{
    public static (string Option, string Problem)? Validate(GatewayClientOptions options)
    {
        var openClaw = options.OpenClaw;
        if (openClaw is null)
        {
            return ("OpenClaw", "is required.");
        }

        if (string.IsNullOrWhiteSpace(openClaw.ClientId) || string.IsNullOrWhiteSpace(openClaw.ClientMode) || string.IsNullOrWhiteSpace(openClaw.Role))
        {
            return ("OpenClaw.ClientId", "and OpenClaw.ClientMode and OpenClaw.Role must not be empty.");
        }

        if (openClaw.Scopes is null || openClaw.Scopes.Any(string.IsNullOrWhiteSpace))
        {
            return ("OpenClaw.Scopes", "must be a list of non-empty scopes.");
        }

        if (openClaw.MinProtocol < 1 || openClaw.MinProtocol > openClaw.MaxProtocol || openClaw.MaxProtocol > 4)
        {
            return ("OpenClaw.MinProtocol", $"and OpenClaw.MaxProtocol must satisfy 1 <= min <= max <= 4; got {openClaw.MinProtocol}..{openClaw.MaxProtocol}.");
        }

        return null;
    }
}
