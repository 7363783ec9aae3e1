namespace Gateway.Client.InteropTests;

/// <summary>
/// One real PraisonAI gateway for a test class, with a short liveness interval (2 s) so reaping can be
/// seen in seconds. Not started where it cannot run: every test is then skipped with the reason.
/// </summary>
public sealed class PraisonAiFixture : IAsyncLifetime
{
    public const int HeartbeatMilliseconds = 2000;

    private PraisonAiGateway? _gateway;

    public PraisonAiGateway Gateway => _gateway ?? throw new InvalidOperationException("The PraisonAI gateway fixture did not start.");

    public async Task InitializeAsync()
    {
        if (!InteropEnvironment.Required && InteropEnvironment.WhyNotPraisonAi() is not null)
        {
            return;
        }

        _gateway = await PraisonAiGateway.StartAsync(HeartbeatMilliseconds);
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }
}
