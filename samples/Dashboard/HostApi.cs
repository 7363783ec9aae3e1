using System.Net.Http.Json;

namespace Dashboard;

/// <summary>The host's small HTTP API: a token for each connect, and the demo gateway's fault buttons.</summary>
public sealed class HostApi(HttpClient http)
{
    /// <summary>Asks the host for a fresh short-lived token (on every connect and reconnect).</summary>
    public async Task<ConnectionInfo> GetConnectionAsync(CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync("api/connection", DashboardJson.Default.ConnectionInfo, cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidOperationException("The host answered /api/connection with nothing.");

    /// <summary>Runs one of the embedded gateway's demo actions (drop, gap, publish).</summary>
    public async Task RunDemoActionAsync(string action, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync($"api/demo/{action}", content: null, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }
}
