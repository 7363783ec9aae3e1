using System.Net.Security;
using System.Net.WebSockets;
using Gateway.Client.OpenClaw;

namespace Gateway.Client;

/// <summary>
/// Settings for a <see cref="GatewayClient"/>. The client validates them once when it is constructed
/// (an <see cref="ArgumentException"/> names the bad option) and keeps its own copy, so changing this
/// object afterwards does not affect a running client.
/// </summary>
public sealed class GatewayClientOptions
{
    /// <summary>The lowest protocol version this client implements.</summary>
    public const int LowestSupportedProtocol = 1;

    /// <summary>The highest protocol version this client implements.</summary>
    public const int HighestSupportedProtocol = 2;

    /// <summary>The wire protocol to speak. Default: <see cref="ProtocolDialect.PraisonAI"/> (protocol 1/2).</summary>
    public ProtocolDialect Dialect { get; set; } = ProtocolDialect.PraisonAI;

    // Made when a dialect's settings are first asked for: most clients speak a dialect that has none.
    private Dictionary<Type, DialectOptions>? _dialectOptions;

    /// <summary>
    /// The settings of the dialect whose settings type is <typeparamref name="T"/> (for example
    /// <see cref="OpenClawOptions"/>), made with their defaults on first use. Change them in place.
    /// </summary>
    /// <exception cref="ArgumentException">No dialect has settings of that type.</exception>
    public T GetDialectOptions<T>()
        where T : DialectOptions =>
        (T)GetDialectOptions(typeof(T));

    /// <summary>The settings of <paramref name="dialect"/>, made with their defaults on first use; null when it has none.</summary>
    /// <exception cref="ArgumentException">The value is not a dialect.</exception>
    internal DialectOptions? GetDialectOptions(ProtocolDialect dialect) =>
        Dialects.DialectCatalog.For(dialect).OptionsType is { } type ? GetDialectOptions(type) : null;

    private DialectOptions GetDialectOptions(Type type)
    {
        _dialectOptions ??= new();
        if (!_dialectOptions.TryGetValue(type, out var settings))
        {
            var entry = Dialects.DialectCatalog.FindByOptions(type) ?? throw new ArgumentException($"No dialect has settings of type {type.Name}.", nameof(type));
            settings = entry.CreateOptions!();
            _dialectOptions[type] = settings;
        }

        return settings;
    }

    /// <summary>
    /// A name for this client in telemetry (the <c>gateway.client.name</c> tag) and in <see cref="ToString"/>,
    /// to tell several clients apart; the DI package sets it to the client's registration name. Default: none.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>The gateway's WebSocket endpoint, <c>ws://</c> or <c>wss://</c>, for example <c>ws://127.0.0.1:8765/ws</c>. Required.</summary>
    public Uri? Url { get; set; }

    /// <summary>The agent to talk to (<c>agent_id</c> in the handshake). Required for the PraisonAI dialect.</summary>
    public string? AgentId { get; set; }

    /// <summary>
    /// Supplies the token, asked again before every connection attempt so a rotated token is picked up.
    /// Returning <see langword="null"/> connects without one. Default: no token.
    /// The token never appears in logs or exception messages.
    /// </summary>
    public Func<CancellationToken, ValueTask<string?>>? TokenProvider { get; set; }

    /// <summary>Where the token goes. Default: <see cref="TokenPlacement.QueryString"/>.</summary>
    public TokenPlacement TokenPlacement { get; set; } = TokenPlacement.QueryString;

    /// <summary>
    /// What the client announces in its handshake (PraisonAI <c>hello.capabilities</c>, OpenClaw <c>connect.caps</c>).
    /// Default: null, the dialect's own default (PraisonAI: <c>streaming</c>, token and tool stream events; OpenClaw: none).
    /// What the server supports is <see cref="IGatewayClient.Capabilities"/>.
    /// </summary>
    public IList<string>? AnnouncedCapabilities { get; set; }

    /// <summary>The lowest protocol version to offer. Default: 1.</summary>
    public int MinProtocol { get; set; } = LowestSupportedProtocol;

    /// <summary>The highest protocol version to offer. Default: 2.</summary>
    public int MaxProtocol { get; set; } = HighestSupportedProtocol;

    /// <summary>
    /// Whether to fall back to the legacy <c>join</c> handshake when the server ignores <c>hello</c>
    /// (no answer within <see cref="HandshakeTimeout"/>) or answers it with a plain <c>error</c>. Default: true.
    /// </summary>
    public bool AllowLegacyHandshake { get; set; } = true;

    /// <summary>
    /// How long to wait for the socket to open, and then for each handshake answer. A server that ignores
    /// <c>hello</c> costs this much before the legacy fallback. Default: 10 seconds.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How many received events the client holds for a slow consumer: in its buffer, or taken ahead by the
    /// enumeration and not yet handed to the app (gap notices do not count). At the bound the client stops
    /// reading the socket until the consumer catches up, or drops the oldest (see <see cref="Backpressure"/>). Default: 1024.
    /// </summary>
    public int EventBufferCapacity { get; set; } = 1024;

    /// <summary>
    /// The largest inbound message the client accepts, in bytes. A larger one closes the connection with
    /// 1009 (message too big) instead of buffering without bound. Default: 4 MiB.
    /// </summary>
    public int MaxReceiveMessageBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// What to do when the event buffer is full: <see cref="BackpressureMode.Wait"/> (stop reading the socket)
    /// or <see cref="BackpressureMode.DropOldest"/> (drop and report a gap). Default: Wait.
    /// </summary>
    public BackpressureMode Backpressure { get; set; } = BackpressureMode.Wait;

    /// <summary>Reconnection: backoff, jitter, attempts. Default: enabled, 1 s doubling to 30 s, ±20 %, unlimited attempts.</summary>
    public ReconnectOptions Reconnect { get; set; } = new();

    /// <summary>
    /// How often the client pings the server; a connection with no inbound frame for twice this long is
    /// considered dead, aborted and resumed. Null uses the server's <c>policy.heartbeat_ms</c>, or 30 seconds
    /// when the server announces none. Default: null.
    /// </summary>
    public TimeSpan? HeartbeatInterval { get; set; }

    /// <summary>
    /// How long a send waits for the connection while the client is reconnecting, before failing with
    /// <see cref="TimeoutException"/>. Default: 30 seconds.
    /// </summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Where the first connect resumes: the <see cref="GatewayEvent.ResumePoint"/> of the last event the app handled,
    /// stored before a process restart (as text: <see cref="GatewayResumePoint.Parse"/>). The server replays what came
    /// after it; with its epoch, a server reset in between is detected and reported as a gap. Only dialects that resume
    /// a stream take one (not OpenClaw, nor Praxis). Default: none (a new session).
    /// </summary>
    public GatewayResumePoint? ResumeFrom { get; set; }

    /// <summary>How long <see cref="IGatewayClient.RequestAsync(string, CancellationToken)"/> waits for the answer. Default: 30 seconds.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long <see cref="GatewayClient.DisconnectAsync"/> waits for the close handshake before aborting. Default: 5 seconds.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The clock for every timeout and delay; replace it in tests. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Where the client's <c>Gateway.Client</c> meter comes from: the app's <see cref="System.Diagnostics.Metrics.IMeterFactory"/>,
    /// so its metrics pipeline owns the meter (and disposes it with the container). Default: null, a meter shared by
    /// every client in the process. <c>AddGatewayClient</c> sets the container's factory. Instruments and names are
    /// the same either way (docs/telemetry.md).
    /// </summary>
    public System.Diagnostics.Metrics.IMeterFactory? MeterFactory { get; set; }

    /// <summary>
    /// The app's source-generated serializers (its <c>JsonSerializerContext</c>, or any resolver), for the typed calls
    /// that take no <c>JsonTypeInfo</c>: <see cref="IGatewayClient.RequestAsync{TRequest, TResponse}(string, TRequest, CancellationToken)"/>,
    /// <see cref="IGatewayClient.SendAsJsonAsync{T}(T, CancellationToken)"/> and <see cref="GatewayEvent.GetData{T}()"/>. The
    /// PraisonAI event bodies (<see cref="PraisonAI.PraisonAIJsonContext"/>) are known without it. Metadata only, never
    /// reflection: trimmed and native AOT apps work. Default: null.
    /// </summary>
    /// <example><c>options.TypeInfoResolver = AppJsonContext.Default;</c> where <c>[JsonSerializable(typeof(Order))] partial class AppJsonContext : JsonSerializerContext</c>.</example>
    public System.Text.Json.Serialization.Metadata.IJsonTypeInfoResolver? TypeInfoResolver { get; set; }

    /// <summary>
    /// Adjusts each <see cref="ClientWebSocket"/> before it connects: proxy, client certificates, extra
    /// headers, keep-alive. Default: none.
    /// </summary>
    /// <remarks>
    /// In a browser only sub-protocols can be set: the client runs this once when it is constructed, on a socket that
    /// never connects, and refuses it (an <see cref="ArgumentException"/>) if it sets anything the browser's WebSocket
    /// does not have (headers, proxy, credentials, client certificates, keep-alive).
    /// </remarks>
    public Action<ClientWebSocketOptions>? ConfigureWebSocket { get; set; }

    /// <summary>
    /// Decides whether a <c>wss://</c> server's certificate is accepted, on every connect (for example to
    /// pin a self-signed certificate's thumbprint). Null uses the system's validation: the chain must be
    /// trusted and the name must match. A rejected certificate fails the connection with a
    /// <see cref="GatewayTlsException"/>, which is terminal. Default: null.
    /// </summary>
    /// <remarks>
    /// On the netstandard2.0 build this needs a runtime whose <see cref="ClientWebSocketOptions"/> supports
    /// a validation callback (.NET Core 2.1 and later); on .NET Framework connecting throws
    /// <see cref="PlatformNotSupportedException"/>. In a browser, which validates certificates itself and offers no
    /// callback, setting it is refused when the client is constructed (an <see cref="ArgumentException"/>).
    /// </remarks>
    public RemoteCertificateValidationCallback? RemoteCertificateValidationCallback { get; set; }

    /// <summary>The offered protocol range.</summary>
    internal ProtocolRange ProtocolRange => new(MinProtocol, MaxProtocol);

    /// <summary>The source of jitter, in [0, 1); replaced by tests to pin the randomness.</summary>
    internal Func<double> Random { get; set; } = SharedRandom.NextDouble;

    /// <summary>
    /// Checks every option as the client's constructor does; throws an <see cref="ArgumentException"/>
    /// naming the first invalid one. The DI package runs it at start-up. In a browser it also refuses what a browser's
    /// WebSocket cannot do: <see cref="TokenPlacement.AuthorizationHeader"/> (where the dialect puts the token on the
    /// upgrade), <see cref="RemoteCertificateValidationCallback"/>, and a <see cref="ConfigureWebSocket"/> that sets what
    /// the browser lacks.
    /// </summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public void Validate()
    {
        if (Url is null)
        {
            throw Invalid(nameof(Url), "is required.");
        }

        if (!Url.IsAbsoluteUri || (Url.Scheme != "ws" && Url.Scheme != "wss"))
        {
            throw Invalid(nameof(Url), $"must be an absolute ws:// or wss:// URI, not '{UrlRedactor.Redact(Url)}'.");
        }

        if (Name is not null && string.IsNullOrWhiteSpace(Name))
        {
            throw Invalid(nameof(Name), "must not be empty when set.");
        }

        if (Dialects.DialectCatalog.Find(Dialect) is not { } dialect)
        {
            throw Invalid(nameof(Dialect), $"has an unknown value {(int)Dialect}.");
        }

        if (dialect.RequiresAgentId && string.IsNullOrWhiteSpace(AgentId))
        {
            throw Invalid(nameof(AgentId), "is required and must not be empty.");
        }

        if (GetDialectOptions(Dialect)?.Validate() is { } problem)
        {
            throw Invalid(problem.Option, problem.Problem);
        }

        if (!Enum.IsDefined(typeof(TokenPlacement), TokenPlacement))
        {
            throw Invalid(nameof(TokenPlacement), $"has an unknown value {(int)TokenPlacement}.");
        }

        if (Engine.BrowserWebSocketPolicy.Refusal(this, dialect.CarriesTokenInUpgrade, Engine.BrowserWebSocketPolicy.IsBrowser) is { } browser)
        {
            throw Invalid(browser.Option, browser.Problem);
        }

        if (AnnouncedCapabilities is not null && AnnouncedCapabilities.Any(string.IsNullOrWhiteSpace))
        {
            throw Invalid(nameof(AnnouncedCapabilities), "must be a list of non-empty names.");
        }

        if (MinProtocol < LowestSupportedProtocol || MaxProtocol > HighestSupportedProtocol || MinProtocol > MaxProtocol)
        {
            throw Invalid(
                nameof(MinProtocol),
                $"and MaxProtocol must satisfy {LowestSupportedProtocol} <= MinProtocol <= MaxProtocol <= {HighestSupportedProtocol}; got {MinProtocol}..{MaxProtocol}.");
        }

        RequirePositive(HandshakeTimeout, nameof(HandshakeTimeout));
        RequirePositive(RequestTimeout, nameof(RequestTimeout));
        RequirePositive(CloseTimeout, nameof(CloseTimeout));

        if (EventBufferCapacity < 1)
        {
            throw Invalid(nameof(EventBufferCapacity), $"must be at least 1; got {EventBufferCapacity}.");
        }

        // Below 1 KiB not even a handshake answer fits.
        if (MaxReceiveMessageBytes < 1024)
        {
            throw Invalid(nameof(MaxReceiveMessageBytes), $"must be at least 1024 bytes; got {MaxReceiveMessageBytes}.");
        }

        if (TimeProvider is null)
        {
            throw Invalid(nameof(TimeProvider), "is required.");
        }

        if (!Enum.IsDefined(typeof(BackpressureMode), Backpressure))
        {
            throw Invalid(nameof(Backpressure), $"has an unknown value {(int)Backpressure}.");
        }

        RequirePositive(SendTimeout, nameof(SendTimeout));
        if (HeartbeatInterval is { } heartbeat && heartbeat <= TimeSpan.Zero)
        {
            throw Invalid(nameof(HeartbeatInterval), $"must be positive when set; got {heartbeat}.");
        }

        if (ResumeFrom is not null && !dialect.Create(this).ResumesStream)
        {
            throw Invalid(nameof(ResumeFrom), $"cannot be used with the {dialect.Name} dialect: it cannot resume a stream, so its events have no resume point.");
        }

        ValidateReconnect();
    }

    private void ValidateReconnect()
    {
        if (Reconnect is null)
        {
            throw Invalid(nameof(Reconnect), "is required.");
        }

        if (Reconnect.InitialDelay < TimeSpan.Zero)
        {
            throw Invalid("Reconnect.InitialDelay", $"must not be negative; got {Reconnect.InitialDelay}.");
        }

        if (Reconnect.MaxDelay < Reconnect.InitialDelay)
        {
            throw Invalid("Reconnect.MaxDelay", $"must be at least Reconnect.InitialDelay ({Reconnect.InitialDelay}); got {Reconnect.MaxDelay}.");
        }

        if (Reconnect.MaxDelay > TimeSpan.FromDays(1))
        {
            throw Invalid("Reconnect.MaxDelay", $"must be at most one day; got {Reconnect.MaxDelay}.");
        }

        if (double.IsNaN(Reconnect.Multiplier) || Reconnect.Multiplier < 1)
        {
            throw Invalid("Reconnect.Multiplier", $"must be at least 1; got {Reconnect.Multiplier}.");
        }

        if (double.IsNaN(Reconnect.Jitter) || Reconnect.Jitter < 0 || Reconnect.Jitter > 1)
        {
            throw Invalid("Reconnect.Jitter", $"must be between 0 and 1; got {Reconnect.Jitter}.");
        }

        if (Reconnect.MaxAttempts is < 1)
        {
            throw Invalid("Reconnect.MaxAttempts", $"must be at least 1 when set; got {Reconnect.MaxAttempts}.");
        }

        if (Reconnect.HealthyConnectionTime < TimeSpan.Zero || Reconnect.HealthyConnectionTime > TimeSpan.FromHours(1))
        {
            throw Invalid("Reconnect.HealthyConnectionTime", $"must be between zero and one hour; got {Reconnect.HealthyConnectionTime}.");
        }

        if (Reconnect.MaxResumesWithoutProgress < 1)
        {
            throw Invalid("Reconnect.MaxResumesWithoutProgress", $"must be at least 1; got {Reconnect.MaxResumesWithoutProgress}.");
        }
    }

    /// <summary>A deep copy, so later changes to this object cannot reach a running client.</summary>
    internal GatewayClientOptions Clone()
    {
        var copy = CloneSettings();
        if (_dialectOptions is { Count: > 0 })
        {
            copy._dialectOptions = new Dictionary<Type, DialectOptions>(_dialectOptions.Count);
            foreach (var settings in _dialectOptions)
            {
                copy._dialectOptions[settings.Key] = settings.Value.Copy();
            }
        }

        return copy;
    }

    private GatewayClientOptions CloneSettings() => new()
    {
        Url = Url,
        Name = Name,
        AgentId = AgentId,
        TokenProvider = TokenProvider,
        TokenPlacement = TokenPlacement,
        AnnouncedCapabilities = AnnouncedCapabilities?.ToArray(),
        MinProtocol = MinProtocol,
        MaxProtocol = MaxProtocol,
        AllowLegacyHandshake = AllowLegacyHandshake,
        HandshakeTimeout = HandshakeTimeout,
        EventBufferCapacity = EventBufferCapacity,
        MaxReceiveMessageBytes = MaxReceiveMessageBytes,
        RequestTimeout = RequestTimeout,
        CloseTimeout = CloseTimeout,
        TimeProvider = TimeProvider,
        MeterFactory = MeterFactory,
        TypeInfoResolver = TypeInfoResolver,
        ConfigureWebSocket = ConfigureWebSocket,
        RemoteCertificateValidationCallback = RemoteCertificateValidationCallback,
        Backpressure = Backpressure,
        Reconnect = Reconnect.Clone(),
        Dialect = Dialect,
        HeartbeatInterval = HeartbeatInterval,
        SendTimeout = SendTimeout,
        ResumeFrom = ResumeFrom,
        Random = Random,
    };

    /// <inheritdoc />
    public override string ToString() =>
        $"GatewayClientOptions {{ {(Name is null ? string.Empty : $"Name = {Name}, ")}Url = {(Url is null ? "(none)" : UrlRedactor.Redact(Url))}, AgentId = {AgentId}, " +
        $"Protocol = {MinProtocol}..{MaxProtocol}, TokenProvider = {(TokenProvider is null ? "none" : "set")}{(ResumeFrom is null ? string.Empty : $", ResumeFrom = {ResumeFrom}")} }}";

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            throw Invalid(name, $"must be positive or Timeout.InfiniteTimeSpan; got {value}.");
        }
    }

    private static ArgumentException Invalid(string option, string problem) =>
        new($"GatewayClientOptions.{option} {problem}", option);
}
