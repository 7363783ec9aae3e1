using Gateway.Client.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>
/// Builds the container's <see cref="GatewaySessionProcessor"/> when it is first asked for (by the hosted service, at host
/// start): the store and the logger factory from the container, the validated options, the app's sessions and handlers.
/// What is missing or invalid fails here, at start-up, with the cause, rather than on the first claim.
/// </summary>
internal static class GatewaySessionProcessorFactory
{
    public static GatewaySessionProcessor Create(IServiceProvider services)
    {
        var registration = services.GetRequiredService<GatewaySessionProcessorRegistration>();
        var store = services.GetService<ISessionStore>()
            ?? throw new InvalidOperationException(
                "The session processor needs an ISessionStore in the container: for example services.AddSingleton<ISessionStore>(new FileSessionStore(directory)), or the SQLite, Redis or PostgreSQL store's.");
        var eventHandler = registration.EventHandler
            ?? throw new InvalidOperationException("The session processor has no event handler: call OnEvent(...) on the builder AddGatewaySessionProcessor returns.");
        var sessions = registration.SessionSources.SelectMany(source => source(services)).ToList();
        CheckSessions(sessions);

        var options = services.GetRequiredService<IOptions<GatewaySessionProcessorOptions>>().Value;
        var failures = services.GetRequiredService<StoreFailureRecorder>();
        var processor = new GatewaySessionProcessor(store, sessions, options, services.GetService<ILoggerFactory>())
        {
            EventHandler = args => eventHandler(services, args),
            InitializingHandler = Bind(services, registration.InitializingHandler),
            ClosingHandler = Bind(services, registration.ClosingHandler),
        };

        var appErrorHandler = registration.ErrorHandler;
        processor.ErrorHandler = args =>
        {
            failures.Record(args.Operation, args.Exception, options.TimeProvider.GetUtcNow());
            return appErrorHandler is null ? Task.CompletedTask : appErrorHandler(services, args);
        };
        return processor;
    }

    private static Func<TArgs, Task>? Bind<TArgs>(IServiceProvider services, Func<IServiceProvider, TArgs, Task>? handler) =>
        handler is null ? null : args => handler(services, args);

    /// <summary>Some sessions, unique keys, and options each session's client accepts (built once from the start, as a new session's would be).</summary>
    private static void CheckSessions(IReadOnlyList<GatewaySessionDefinition> sessions)
    {
        if (sessions.Count == 0)
        {
            throw new InvalidOperationException("The session processor has no sessions: call AddSession(...) or WithSessions(...) on the builder AddGatewaySessionProcessor returns.");
        }

        var duplicate = sessions.GroupBy(s => s.Key, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"The session processor has session '{duplicate.Key}' {duplicate.Count()} times: keys must be unique.");
        }

        foreach (var session in sessions)
        {
            try
            {
                session.CreateOptions(session, null).Validate();
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                throw new InvalidOperationException($"Session '{session.Key}' of the session processor: {ex.Message}", ex);
            }
        }
    }
}
