using Gateway.Client.Sessions;

namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>
/// Handles the events of the sessions this instance owns, as a service: registered by
/// <see cref="GatewaySessionProcessorBuilderExtensions.OnEvent{THandler}"/> and resolved from a new scope for each event, so
/// it can take scoped services (a database context whose transaction commits the app's rows and the checkpoint together).
/// </summary>
public interface IGatewaySessionEventHandler
{
    /// <summary>
    /// Handles one event (<see cref="GatewaySessionEventArgs.Event"/>), then marks it handled with
    /// <see cref="GatewaySessionEventArgs.CheckpointAsync"/>. <see cref="GatewaySessionEventArgs.CancellationToken"/> fires when
    /// this instance lost the session.
    /// </summary>
    Task HandleAsync(GatewaySessionEventArgs args);
}
