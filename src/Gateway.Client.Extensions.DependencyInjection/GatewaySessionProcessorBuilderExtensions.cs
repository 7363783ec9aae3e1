#if NET5_0_OR_GREATER
using System.Diagnostics.CodeAnalysis;
#endif
using System.Diagnostics.Metrics;
using Gateway.Client.Sessions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>The sessions and the handlers of the registered <see cref="GatewaySessionProcessor"/>.</summary>
public static class GatewaySessionProcessorBuilderExtensions
{
    /// <summary>Adjusts the processor's options in code, after configuration was read.</summary>
    public static IGatewaySessionProcessorBuilder Configure(this IGatewaySessionProcessorBuilder builder, Action<GatewaySessionProcessorOptions> configure)
    {
        NotNull(builder, nameof(builder));
        NotNull(configure, nameof(configure));
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>
    /// Adds a session: <paramref name="key"/> in the store, its client's options set by <paramref name="configure"/>. The
    /// options start with <see cref="GatewayClientOptions.Name"/> = <paramref name="key"/> and the container's
    /// <see cref="TimeProvider"/> and <see cref="IMeterFactory"/>; the processor sets
    /// <see cref="GatewayClientOptions.ResumeFrom"/> (the checkpoint). They are validated when the host starts.
    /// </summary>
    public static IGatewaySessionProcessorBuilder AddSession(this IGatewaySessionProcessorBuilder builder, string key, Action<GatewayClientOptions> configure)
    {
        NotNull(builder, nameof(builder));
        NotNull(configure, nameof(configure));
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new ArgumentException("A session key must not be empty or white space.", nameof(key));
        }

        Registration(builder).SessionSources.Add(services => new[] { Session(services, key, configure) });
        return builder;
    }

    /// <summary>
    /// Adds a session: <paramref name="key"/> in the store, its client's options read from a configuration section as
    /// <c>AddGatewayClient</c> reads them (a misspelled key stops the host at start-up). Defaults as in
    /// <see cref="AddSession(IGatewaySessionProcessorBuilder, string, Action{GatewayClientOptions})"/>.
    /// </summary>
    public static IGatewaySessionProcessorBuilder AddSession(this IGatewaySessionProcessorBuilder builder, string key, IConfiguration configuration)
    {
        NotNull(builder, nameof(builder));
        NotNull(configuration, nameof(configuration));
        return builder.AddSession(key, options => GatewayClientOptionsBinder.Bind(configuration, options));
    }

    /// <summary>
    /// Adds a session whose client's options are read from a configuration section shared by several sessions (the
    /// gateway's URL, its reconnect settings), then adjusted by <paramref name="configure"/> (this session's agent):
    /// <c>.AddSession(agent, section, o =&gt; o.AgentId = agent)</c>.
    /// </summary>
    public static IGatewaySessionProcessorBuilder AddSession(this IGatewaySessionProcessorBuilder builder, string key, IConfiguration configuration, Action<GatewayClientOptions> configure)
    {
        NotNull(builder, nameof(builder));
        NotNull(configuration, nameof(configuration));
        NotNull(configure, nameof(configure));
        return builder.AddSession(key, options =>
        {
            GatewayClientOptionsBinder.Bind(configuration, options);
            configure(options);
        });
    }

    /// <summary>Adds sessions defined by the app (their keys unique among all the processor's sessions).</summary>
    public static IGatewaySessionProcessorBuilder WithSessions(this IGatewaySessionProcessorBuilder builder, IEnumerable<GatewaySessionDefinition> sessions)
    {
        NotNull(builder, nameof(builder));
        NotNull(sessions, nameof(sessions));
        var list = sessions.ToList();
        Registration(builder).SessionSources.Add(_ => list);
        return builder;
    }

    /// <summary>Adds sessions that the container knows (read from a service when the processor is created, at host start).</summary>
    public static IGatewaySessionProcessorBuilder WithSessions(this IGatewaySessionProcessorBuilder builder, Func<IServiceProvider, IEnumerable<GatewaySessionDefinition>> sessions)
    {
        NotNull(builder, nameof(builder));
        NotNull(sessions, nameof(sessions));
        Registration(builder).SessionSources.Add(sessions);
        return builder;
    }

    /// <summary>
    /// Handles the events of the owned sessions, one at a time per session (required). Call
    /// <see cref="GatewaySessionEventArgs.CheckpointAsync"/> once an event is handled.
    /// </summary>
    public static IGatewaySessionProcessorBuilder OnEvent(this IGatewaySessionProcessorBuilder builder, Func<GatewaySessionEventArgs, Task> handler)
    {
        NotNull(builder, nameof(builder));
        NotNull(handler, nameof(handler));
        return builder.OnEvent((_, args) => handler(args));
    }

    /// <summary>Handles the events of the owned sessions with the container at hand (its root provider).</summary>
    public static IGatewaySessionProcessorBuilder OnEvent(this IGatewaySessionProcessorBuilder builder, Func<IServiceProvider, GatewaySessionEventArgs, Task> handler)
    {
        NotNull(builder, nameof(builder));
        NotNull(handler, nameof(handler));
        Registration(builder).EventHandler = handler;
        return builder;
    }

    /// <summary>
    /// Handles the events of the owned sessions with a <typeparamref name="THandler"/> resolved from a new scope for each
    /// event (registered here as scoped, unless the app registered it already).
    /// </summary>
    public static IGatewaySessionProcessorBuilder OnEvent<
#if NET5_0_OR_GREATER
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)]
#endif
        THandler>(this IGatewaySessionProcessorBuilder builder)
        where THandler : class, IGatewaySessionEventHandler
    {
        NotNull(builder, nameof(builder));
        builder.Services.TryAddScoped<THandler>();
        return builder.OnEvent(static async (services, args) =>
        {
            var scope = services.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                await scope.ServiceProvider.GetRequiredService<THandler>().HandleAsync(args).ConfigureAwait(false);
            }
        });
    }

    /// <summary>Chooses where a session starts when it has no checkpoint yet (<see cref="GatewaySessionInitializingEventArgs.StartFrom"/>; by default the start).</summary>
    public static IGatewaySessionProcessorBuilder OnInitializing(this IGatewaySessionProcessorBuilder builder, Func<GatewaySessionInitializingEventArgs, Task> handler)
    {
        NotNull(builder, nameof(builder));
        NotNull(handler, nameof(handler));
        return builder.OnInitializing((_, args) => handler(args));
    }

    /// <summary>Chooses where a session starts when it has no checkpoint yet, with the container at hand.</summary>
    public static IGatewaySessionProcessorBuilder OnInitializing(this IGatewaySessionProcessorBuilder builder, Func<IServiceProvider, GatewaySessionInitializingEventArgs, Task> handler)
    {
        NotNull(builder, nameof(builder));
        NotNull(handler, nameof(handler));
        Registration(builder).InitializingHandler = handler;
        return builder;
    }

    /// <summary>Runs when this instance stops running a session (<see cref="GatewaySessionClosingEventArgs.Reason"/>: shutdown, ownership lost, or the session failed).</summary>
    public static IGatewaySessionProcessorBuilder OnClosing(this IGatewaySessionProcessorBuilder builder, Func<GatewaySessionClosingEventArgs, Task> handler)
    {
        NotNull(builder, nameof(builder));
        NotNull(handler, nameof(handler));
        return builder.OnClosing((_, args) => handler(args));
    }

    /// <summary>Runs when this instance stops running a session, with the container at hand.</summary>
    public static IGatewaySessionProcessorBuilder OnClosing(this IGatewaySessionProcessorBuilder builder, Func<IServiceProvider, GatewaySessionClosingEventArgs, Task> handler)
    {
        NotNull(builder, nameof(builder));
        NotNull(handler, nameof(handler));
        Registration(builder).ClosingHandler = handler;
        return builder;
    }

    /// <summary>Hears of failures the processor goes on after (a store that did not answer, a handler that threw).</summary>
    public static IGatewaySessionProcessorBuilder OnError(this IGatewaySessionProcessorBuilder builder, Func<GatewaySessionErrorEventArgs, Task> handler)
    {
        NotNull(builder, nameof(builder));
        NotNull(handler, nameof(handler));
        return builder.OnError((_, args) => handler(args));
    }

    /// <summary>Hears of failures the processor goes on after, with the container at hand.</summary>
    public static IGatewaySessionProcessorBuilder OnError(this IGatewaySessionProcessorBuilder builder, Func<IServiceProvider, GatewaySessionErrorEventArgs, Task> handler)
    {
        NotNull(builder, nameof(builder));
        NotNull(handler, nameof(handler));
        Registration(builder).ErrorHandler = handler;
        return builder;
    }

    private static GatewaySessionDefinition Session(IServiceProvider services, string key, Action<GatewayClientOptions> configure)
    {
        var clock = services.GetService<TimeProvider>();
        var meterFactory = services.GetService<IMeterFactory>();
        return new GatewaySessionDefinition(key, (definition, resumeFrom) =>
        {
            var options = new GatewayClientOptions { Name = definition.Key, MeterFactory = meterFactory };
            if (clock is not null)
            {
                options.TimeProvider = clock;
            }

            configure(options);
            options.ResumeFrom = resumeFrom; // the processor's: the checkpoint, or the initializing handler's choice
            return options;
        });
    }

    private static GatewaySessionProcessorRegistration Registration(IGatewaySessionProcessorBuilder builder) =>
        builder is GatewaySessionProcessorBuilder own
            ? own.Registration
            : builder.Services.Select(d => d.ImplementationInstance).OfType<GatewaySessionProcessorRegistration>().Single();

    private static void NotNull(object? argument, string name)
    {
        if (argument is null)
        {
            throw new ArgumentNullException(name);
        }
    }
}
