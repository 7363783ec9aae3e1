namespace Gateway.Client.Portable;

/// <summary>
/// A conformance scenario that runs unchanged on the server runtime and in the browser: what it sets up, what it does,
/// and the transcript it must produce (each event as the consumer read it, each gap as OnGap reported it, in order).
/// </summary>
/// <param name="Name">A short name, used in URLs and test names.</param>
/// <param name="Behaviour">What it shows, in a sentence.</param>
/// <param name="Setup">How its gateway starts.</param>
/// <param name="Configure">Changes to the client's options after <see cref="ScenarioRunner"/>'s defaults.</param>
/// <param name="RunAsync">The scenario, from a connected client on.</param>
/// <param name="Expected">The transcript it must produce.</param>
internal sealed record PortableScenario(
    string Name,
    string Behaviour,
    ScenarioGatewaySetup Setup,
    Action<GatewayClientOptions>? Configure,
    Func<ScenarioContext, Task> RunAsync,
    IReadOnlyList<string> Expected)
{
    /// <inheritdoc/>
    public override string ToString() => Name;
}
