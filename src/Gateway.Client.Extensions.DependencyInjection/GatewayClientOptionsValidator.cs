using Microsoft.Extensions.Options;

namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>Runs <see cref="GatewayClientOptions.Validate"/> for the registered names, so bad configuration stops the host at start-up.</summary>
internal sealed class GatewayClientOptionsValidator : IValidateOptions<GatewayClientOptions>
{
    private readonly string _name;

    public GatewayClientOptionsValidator(string name)
    {
        _name = name;
    }

    public ValidateOptionsResult Validate(string? name, GatewayClientOptions options)
    {
        if (!string.Equals(name ?? Options.DefaultName, _name, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }

        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            var client = _name.Length == 0 ? "The gateway client" : $"Gateway client '{_name}'";
            return ValidateOptionsResult.Fail($"{client}: {ex.Message}");
        }
    }
}
