using System.Net.Http.Json;
using Gateway.Client.Portable;

namespace Gateway.Client.BrowserConformance;

/// <summary>
/// A scenario's gateway seen from the browser: it runs in the page's host, which started it for this scenario; each
/// command is a POST to <c>/api/gateways/{id}/commands</c>, and disposing it stops the gateway.
/// </summary>
internal sealed class RemoteScenarioGateway : IScenarioGateway
{
    private readonly HttpClient _http;
    private readonly ScenarioGatewayAddress _address;

    private RemoteScenarioGateway(HttpClient http, ScenarioGatewayAddress address)
    {
        _http = http;
        _address = address;
    }

    /// <inheritdoc/>
    public Uri Url => _address.Url;

    /// <inheritdoc/>
    public string Token => _address.Token;

    /// <summary>Asks the host to start a gateway with <paramref name="setup"/>.</summary>
    public static async Task<IScenarioGateway> StartAsync(HttpClient http, ScenarioGatewaySetup setup, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("api/gateways", setup, PortableJson.Default.ScenarioGatewaySetup, cancellationToken);
        await EnsureSuccessAsync(response, "start a gateway", cancellationToken);
        var address = await response.Content.ReadFromJsonAsync(PortableJson.Default.ScenarioGatewayAddress, cancellationToken)
            ?? throw new InvalidOperationException("The host answered a start with no address.");
        return new RemoteScenarioGateway(http, address);
    }

    /// <inheritdoc/>
    public async Task<long?> SendAsync(ScenarioCommand command, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync($"api/gateways/{_address.Id}/commands", command, PortableJson.Default.ScenarioCommand, cancellationToken);
        await EnsureSuccessAsync(response, command.Action, cancellationToken);
        var result = await response.Content.ReadFromJsonAsync(PortableJson.Default.ScenarioCommandResult, cancellationToken);
        return result?.Number;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var _ = await _http.DeleteAsync($"api/gateways/{_address.Id}", stopping.Token);
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new InvalidOperationException($"The host could not {what}: {(int)response.StatusCode} {body}");
        }
    }
}
