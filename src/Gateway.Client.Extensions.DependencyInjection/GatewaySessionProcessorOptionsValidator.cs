using Gateway.Client.Sessions;
using Microsoft.Extensions.Options;

namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>Runs <see cref="GatewaySessionProcessorOptions.Validate"/>, so settings that do not fit together stop the host at start-up.</summary>
internal sealed class GatewaySessionProcessorOptionsValidator : IValidateOptions<GatewaySessionProcessorOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewaySessionProcessorOptions options)
    {
        if (!string.Equals(name ?? Options.DefaultName, Options.DefaultName, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }

        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            return ValidateOptionsResult.Fail($"The session processor: {ex.Message}");
        }
    }
}
