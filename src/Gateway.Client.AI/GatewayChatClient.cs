using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Client.AI;

/// <summary>
/// An <see cref="IChatClient"/> over a gateway's agent turns (<see cref="GatewayChatClientExtensions.AsIChatClient"/>).
/// <list type="bullet">
/// <item>Each call is one turn (<see cref="GatewayTurnExtensions.AskAsync"/>) with the text of the last user message. The
/// gateway keeps the conversation, so earlier messages are not sent again (the agent already has what went through this
/// gateway), and system messages and <see cref="ChatOptions.Instructions"/> are not sent (the agent has its own
/// instructions): both are logged.</item>
/// <item>The turn streams as updates: text (<see cref="TextContent"/>), reasoning (<see cref="TextReasoningContent"/>),
/// tools the agent ran itself (<see cref="FunctionCallContent"/> with <see cref="FunctionCallContent.InformationalOnly"/>
/// set, so no function-invoking client runs them again) and their results (<see cref="FunctionResultContent"/>). Every
/// update keeps the <see cref="GatewayTurnUpdate"/> it came from in <see cref="ChatResponseUpdate.RawRepresentation"/>;
/// <see cref="ChatResponseUpdate.ResponseId"/> and <see cref="ChatResponseUpdate.MessageId"/> are the turn's id where the
/// dialect has one.</item>
/// <item>The last update carries the finish reason (<see cref="ChatFinishReason.Stop"/> for a completed turn, else
/// <see cref="GatewayChatFinishReasons"/>). A turn that did not complete ends with an <see cref="ErrorContent"/> (its
/// message says why, its <see cref="AIContent.RawRepresentation"/> is the <see cref="GatewayTurnOutcome"/>) and no
/// exception, so the text received so far is kept; <see cref="GatewayChatResponseExtensions.GetGatewayTurnOutcome(ChatResponse)"/>
/// reads the outcome back. Only the caller's own cancellation throws (<see cref="OperationCanceledException"/>).</item>
/// <item><see cref="ChatResponse.ConversationId"/> is the gateway session: on OpenClaw the chat session key (and
/// <see cref="ChatOptions.ConversationId"/> chooses it), elsewhere the client's session id (a client has one session, so
/// another id is refused with <see cref="GatewayConversationException"/>).</item>
/// <item>On OpenClaw, <see cref="ChatOptions.AllowBackgroundResponses"/> puts a <see cref="ResponseContinuationToken"/> on
/// each update: given back in <see cref="ChatOptions.ContinuationToken"/>, it asks for the same run again with the same
/// idempotency key, which never runs the agent twice, and the stream goes on after what was already received. PraisonAI
/// and Praxis cannot resume a turn: no token is issued there.</item>
/// </list>
/// </summary>
public sealed class GatewayChatClient : IChatClient
{
    /// <summary>OpenClaw's chat session when nothing names one.</summary>
    private const string DefaultSessionKey = "main";

    private readonly IGatewayClient _client;
    private readonly GatewayTurnOptions? _turnOptions;
    private readonly bool _ignoreUnsupported;
    private readonly ILogger _logger;
    private readonly ChatClientMetadata _metadata;
    private readonly ConcurrentDictionary<string, bool> _logged = new(StringComparer.Ordinal);

    /// <summary>Creates a chat client over <paramref name="client"/>; <see cref="GatewayChatClientExtensions.AsIChatClient"/> does the same.</summary>
    /// <param name="client">The gateway client; it must implement <see cref="IGatewayTurns"/> and be connected before the first call.</param>
    /// <param name="options">The chat client's settings (copied); null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is null.</exception>
    /// <exception cref="ArgumentException"><see cref="GatewayChatClientOptions.TurnOptions"/> names an idempotency key.</exception>
    public GatewayChatClient(IGatewayClient client, GatewayChatClientOptions? options = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        options ??= new GatewayChatClientOptions();
        if (options.TurnOptions?.IdempotencyKey is not null)
        {
            throw new ArgumentException("GatewayChatClientOptions.TurnOptions.IdempotencyKey must be null: a key names one turn, and these options are every turn's. Give one turn its key through ChatOptions.RawRepresentationFactory.", nameof(options));
        }

        _turnOptions = options.TurnOptions is { } turnOptions ? Copy(turnOptions) : null;
        _ignoreUnsupported = options.IgnoreUnsupportedOptions;
        _logger = options.LoggerFactory?.CreateLogger("Gateway.Client.AI.GatewayChatClient") ?? NullLogger.Instance;
        _metadata = new ChatClientMetadata("gateway." + ProtocolDialects.NameOf(client.Dialect), options.ProviderUri);
    }

    /// <summary>
    /// Runs one turn and returns it aggregated (<see cref="ChatResponseExtensions.ToChatResponseAsync"/> over
    /// <see cref="GetStreamingResponseAsync"/>), with the <see cref="GatewayTurnOutcome"/> as its
    /// <see cref="ChatResponse.RawRepresentation"/>. With a <see cref="ChatOptions.ContinuationToken"/> (OpenClaw) it returns
    /// the whole answer of that run, what an earlier call received included.
    /// </summary>
    /// <param name="messages">The conversation; the last user message is sent.</param>
    /// <param name="options">The call's options (see the class and the package README for which a gateway honours).</param>
    /// <param name="cancellationToken">Cancels the turn (the agent is aborted where the dialect can) and throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>The response.</returns>
    /// <exception cref="ArgumentException">No user message with text, or a continuation token that is not this package's.</exception>
    /// <exception cref="NotSupportedException">An option the gateway cannot honour that would change the answer (unless <see cref="GatewayChatClientOptions.IgnoreUnsupportedOptions"/>), or a continuation token on a dialect that cannot resume a turn.</exception>
    /// <exception cref="GatewayConversationException">PraisonAI, Praxis: a conversation id other than the client's session.</exception>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var turn = Prepare(messages, options, streaming: false);
        var response = await RunAsync(turn, cancellationToken).ToChatResponseAsync(cancellationToken).ConfigureAwait(false);
        response.RawRepresentation = turn.Outcome;
        response.ContinuationToken = turn.FinalToken;
        return response;
    }

    /// <summary>Runs one turn and streams it (see the class for what each update carries).</summary>
    /// <param name="messages">The conversation; the last user message is sent.</param>
    /// <param name="options">The call's options (see the class and the package README for which a gateway honours).</param>
    /// <param name="cancellationToken">Cancels the turn (the agent is aborted where the dialect can) and throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>The turn's updates; the last has the finish reason.</returns>
    /// <exception cref="ArgumentException">No user message with text, or a continuation token that is not this package's.</exception>
    /// <exception cref="NotSupportedException">An option the gateway cannot honour that would change the answer (unless <see cref="GatewayChatClientOptions.IgnoreUnsupportedOptions"/>), or a continuation token on a dialect that cannot resume a turn.</exception>
    /// <exception cref="GatewayConversationException">PraisonAI, Praxis: a conversation id other than the client's session.</exception>
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        RunAsync(Prepare(messages, options, streaming: true), cancellationToken);

    /// <summary>
    /// This chat client (for <see cref="IChatClient"/> and its own type), its <see cref="ChatClientMetadata"/> (provider
    /// <c>gateway.&lt;dialect&gt;</c>, the <see cref="GatewayChatClientOptions.ProviderUri"/>), or the gateway client
    /// (<see cref="IGatewayClient"/>, <see cref="GatewayClient"/>, <see cref="IGatewayTurns"/>); null for anything else or any key.
    /// </summary>
    /// <param name="serviceType">The type asked for.</param>
    /// <param name="serviceKey">A key; none is known.</param>
    /// <returns>The service, or null.</returns>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        if (serviceType is null)
        {
            throw new ArgumentNullException(nameof(serviceType));
        }

        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType.IsInstanceOfType(this))
        {
            return this;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return _metadata;
        }

        return serviceType.IsInstanceOfType(_client) ? _client : null;
    }

    /// <summary>Does nothing: the gateway client belongs to the app, which disposes it.</summary>
    public void Dispose()
    {
    }

    private async IAsyncEnumerable<ChatResponseUpdate> RunAsync(ChatTurn turn, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (turn.ResumeFrom is { } resume)
        {
            ChatLog.Resuming(_logger, resume.TurnKey, resume.SessionKey, resume.TextReceived);
        }

        await foreach (var update in _client.AskAsync(turn.Message, turn.Options, cancellationToken).ConfigureAwait(false))
        {
            var mapped = turn.Map(update);
            if (update.Outcome is { Status: GatewayTurnStatus.Cancelled } && cancellationToken.IsCancellationRequested)
            {
                // The caller's own cancellation: an exception, as every IChatClient (the turn itself is over, its agent aborted).
                throw new OperationCanceledException("The turn was cancelled by the caller's token.", null, cancellationToken);
            }

            yield return mapped;
        }
    }

    private ChatTurn Prepare(IEnumerable<ChatMessage> messages, ChatOptions? options, bool streaming)
    {
        if (messages is null)
        {
            throw new ArgumentNullException(nameof(messages));
        }

        var dialect = _client.Dialect;
        var dialectName = ProtocolDialects.NameOf(dialect);
        var resumable = dialect == ProtocolDialect.OpenClaw;
        var perCall = options is null ? null : CheckOptions(options, resumable, dialectName);
        var turnOptions = perCall is not null ? Copy(perCall) : _turnOptions is not null ? Copy(_turnOptions) : new GatewayTurnOptions();

        GatewayContinuationToken? token = null;
        if (options?.ContinuationToken is { } given)
        {
            if (!resumable)
            {
                throw new NotSupportedException($"ChatOptions.ContinuationToken: {dialectName} cannot resume a turn (a turn lost to a drop is not resent; its answer lands in the session's history), so a GatewayChatClient on it issues no continuation token.");
            }

            token = GatewayContinuationToken.Read(given);

            if (token.Dialect != dialect)
            {
                throw new ArgumentException($"ChatOptions.ContinuationToken is from a {ProtocolDialects.NameOf(token.Dialect)} client; this one speaks {dialectName}.", nameof(options));
            }

            if (options.ConversationId is { } conversation && conversation != token.SessionKey)
            {
                throw new ArgumentException($"ChatOptions.ConversationId '{conversation}' differs from the continuation token's session '{token.SessionKey}'.", nameof(options));
            }
        }

        string? conversationId;
        if (resumable)
        {
            conversationId = token?.SessionKey ?? options?.ConversationId ?? turnOptions.SessionKey ?? DefaultSessionKey;
            turnOptions.SessionKey = conversationId;
            turnOptions.IdempotencyKey = token?.TurnKey ?? turnOptions.IdempotencyKey ?? Guid.NewGuid().ToString("N");
        }
        else
        {
            conversationId = _client.Session?.SessionId;
            if (options?.ConversationId is { } asked && asked != conversationId)
            {
                throw new GatewayConversationException(
                    asked,
                    conversationId,
                    $"ChatOptions.ConversationId '{asked}' is not this client's session ('{conversationId ?? "none yet"}'): a {dialectName} client has one session at a time, and it has moved on (a session that could not run turns is left for a new one) or never was there. Go on in the current session (ConversationId null or '{conversationId}'), or use another client.");
            }
        }

        var messageToSend = token?.Message ?? MessageToSend(messages, conversationId);
        if (token is not null && messages.Any())
        {
            ChatLog.EarlierMessagesNotSent(_logger, messages.Count(), conversationId);
        }

        var background = resumable && options?.AllowBackgroundResponses == true;
        return new ChatTurn(dialect, messageToSend, turnOptions, conversationId, background, tokenOnEveryUpdate: streaming, resumeFrom: token, skipReceived: streaming);
    }

    /// <summary>Checks every option: hints are logged and ignored; what would change the answer is refused unless ignoring is on. Returns the call's own turn options, if any.</summary>
    private GatewayTurnOptions? CheckOptions(ChatOptions options, bool resumable, string dialectName)
    {
        const string AgentSettings = "the agent's own model settings apply";
        Hint(options.ModelId is not null, "ChatOptions.ModelId", "the agent chooses its own model");
        Hint(options.Temperature is not null, "ChatOptions.Temperature", AgentSettings);
        Hint(options.TopP is not null, "ChatOptions.TopP", AgentSettings);
        Hint(options.TopK is not null, "ChatOptions.TopK", AgentSettings);
        Hint(options.FrequencyPenalty is not null, "ChatOptions.FrequencyPenalty", AgentSettings);
        Hint(options.PresencePenalty is not null, "ChatOptions.PresencePenalty", AgentSettings);
        Hint(options.Seed is not null, "ChatOptions.Seed", AgentSettings);
        Hint(options.MaxOutputTokens is not null, "ChatOptions.MaxOutputTokens", AgentSettings);
        Hint(options.StopSequences is { Count: > 0 }, "ChatOptions.StopSequences", AgentSettings);
        Hint(options.Reasoning is not null, "ChatOptions.Reasoning", AgentSettings);
        Hint(!string.IsNullOrEmpty(options.Instructions), "ChatOptions.Instructions", "the agent has its own instructions");
        Hint(options.AllowMultipleToolCalls is not null, "ChatOptions.AllowMultipleToolCalls", "the agent decides how it calls its own tools");
        Hint(options.ToolMode is NoneChatToolMode, "ChatOptions.ToolMode (None)", "the agent decides whether it calls its own tools");
        Hint(options.AdditionalProperties is { Count: > 0 }, "ChatOptions.AdditionalProperties", "a gateway turn takes no other settings");
        Hint(options.AllowBackgroundResponses == true && !resumable, "ChatOptions.AllowBackgroundResponses", $"{dialectName} cannot resume a turn: each call runs its turn to the end and no continuation token is issued");

        Refuse(options.Tools is { Count: > 0 }, "ChatOptions.Tools", "the agent runs only its own tools; the gateway cannot call the app's functions");
        Refuse(options.ToolMode is RequiredChatToolMode, "ChatOptions.ToolMode (RequireAny/RequireSpecific)", "the agent decides whether it calls its own tools");
        Refuse(options.ResponseFormat is not null and not ChatResponseFormatText, "ChatOptions.ResponseFormat (JSON)", "the agent answers in its own words; a JSON format or schema cannot be asked of it");

        if (options.RawRepresentationFactory is { } factory)
        {
            switch (factory(this))
            {
                case GatewayTurnOptions turnOptions:
                    return turnOptions;
                case { } other:
                    Refuse(true, "ChatOptions.RawRepresentationFactory", $"it returned a {other.GetType().Name}; a GatewayChatClient takes a GatewayTurnOptions (or null)");
                    break;
            }
        }

        return null;
    }

    private string MessageToSend(IEnumerable<ChatMessage> messages, string? conversationId)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var last = -1;
        for (var i = list.Count - 1; i >= 0; i--)
        {
            if (list[i].Role == ChatRole.User)
            {
                last = i;
                break;
            }
        }

        if (last < 0)
        {
            throw new ArgumentException("The messages hold no user message: a GatewayChatClient sends the text of the last user message (the gateway keeps the rest of the conversation).", nameof(messages));
        }

        var system = list.Count(m => m.Role == ChatRole.System);
        Hint(system > 0, "A system message", "the agent has its own instructions");
        if (list.Count - 1 - system > 0)
        {
            ChatLog.EarlierMessagesNotSent(_logger, list.Count - 1 - system, conversationId);
        }

        var message = list[last];
        foreach (var content in message.Contents)
        {
            Refuse(content is not TextContent, $"{content.GetType().Name} in the user message", "a gateway turn carries text only; the message's text parts are sent");
        }

        var text = message.Text;
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ArgumentException("The last user message has no text to send.", nameof(messages));
        }

        return text;
    }

    private void Hint(bool given, string setting, string why)
    {
        if (!given)
        {
            return;
        }

        if (_logged.TryAdd(setting, true))
        {
            ChatLog.IgnoredFirst(_logger, setting, why);
        }
        else
        {
            ChatLog.Ignored(_logger, setting, why);
        }
    }

    private void Refuse(bool given, string setting, string why)
    {
        if (!given)
        {
            return;
        }

        if (!_ignoreUnsupported)
        {
            throw new NotSupportedException($"{setting} cannot be honoured by a gateway: {why}. Leave it out, or set GatewayChatClientOptions.IgnoreUnsupportedOptions to ignore it (logged).");
        }

        Hint(true, setting, why);
    }

    private static GatewayTurnOptions Copy(GatewayTurnOptions options) => new()
    {
        AcceptTimeout = options.AcceptTimeout,
        IdleTimeout = options.IdleTimeout,
        QueuedTimeout = options.QueuedTimeout,
        NewSessionWhenStuck = options.NewSessionWhenStuck,
        SessionKey = options.SessionKey,
        IdempotencyKey = options.IdempotencyKey,
        BufferCapacity = options.BufferCapacity,
    };
}
