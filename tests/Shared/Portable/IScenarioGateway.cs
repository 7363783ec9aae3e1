namespace Gateway.Client.Portable;

/// <summary>
/// The gateway side of a portable scenario: a TestGateway the scenario cannot reach directly. On the server runtime it is
/// in the same process (<c>InProcessScenarioGateway</c>); in the browser it lives in the page's host and each command
/// travels over HTTP (<c>RemoteScenarioGateway</c>), so one scenario runs unchanged in both places.
/// </summary>
internal interface IScenarioGateway : IAsyncDisposable
{
    /// <summary>Where the client connects.</summary>
    Uri Url { get; }

    /// <summary>The token the gateway expects.</summary>
    string Token { get; }

    /// <summary>Carries out one command; the answer is the command's number, if it has one.</summary>
    Task<long?> SendAsync(ScenarioCommand command, CancellationToken cancellationToken);
}
