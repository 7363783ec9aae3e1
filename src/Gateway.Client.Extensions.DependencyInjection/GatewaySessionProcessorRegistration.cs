using Gateway.Client.Sessions;

namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>
/// What the app told <see cref="IGatewaySessionProcessorBuilder"/>: where the session definitions come from and the
/// handlers, each taking the root service provider. Read once, when the container creates the processor.
/// </summary>
internal sealed class GatewaySessionProcessorRegistration
{
    private Func<IServiceProvider, GatewaySessionEventArgs, Task>? _eventHandler;
    private Func<IServiceProvider, GatewaySessionInitializingEventArgs, Task>? _initializingHandler;
    private Func<IServiceProvider, GatewaySessionClosingEventArgs, Task>? _closingHandler;
    private Func<IServiceProvider, GatewaySessionErrorEventArgs, Task>? _errorHandler;

    /// <summary>Each call of AddSession or WithSessions, in order; their definitions together are the processor's set.</summary>
    public List<Func<IServiceProvider, IEnumerable<GatewaySessionDefinition>>> SessionSources { get; } = new();

    public Func<IServiceProvider, GatewaySessionEventArgs, Task>? EventHandler
    {
        get => _eventHandler;
        set => _eventHandler = Once(_eventHandler, value, "OnEvent");
    }

    public Func<IServiceProvider, GatewaySessionInitializingEventArgs, Task>? InitializingHandler
    {
        get => _initializingHandler;
        set => _initializingHandler = Once(_initializingHandler, value, "OnInitializing");
    }

    public Func<IServiceProvider, GatewaySessionClosingEventArgs, Task>? ClosingHandler
    {
        get => _closingHandler;
        set => _closingHandler = Once(_closingHandler, value, "OnClosing");
    }

    public Func<IServiceProvider, GatewaySessionErrorEventArgs, Task>? ErrorHandler
    {
        get => _errorHandler;
        set => _errorHandler = Once(_errorHandler, value, "OnError");
    }

    // The processor has one handler of each kind: a second registration would silently replace the first.
    private static T? Once<T>(T? current, T? value, string method)
        where T : class =>
        current is null
            ? value
            : throw new InvalidOperationException($"{method} was called already: the session processor has one handler of each kind (handle every kind of event in it).");
}
