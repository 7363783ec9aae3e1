using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Gateway.Client.AI;

/// <summary>One call's turn: what is sent, and the mapping of its <see cref="GatewayTurnUpdate"/>s to <see cref="ChatResponseUpdate"/>s.</summary>
internal sealed class ChatTurn
{
    private readonly ProtocolDialect _dialect;
    private readonly bool _background;
    private readonly bool _tokenOnEveryUpdate;
    private readonly StringBuilder _text = new();
    private readonly List<KeyValuePair<string, string>> _openCalls = [];
    private int _reasoning;
    private int _skipText;
    private int _skipReasoning;
    private int _generatedCalls;
    private string? _turnId;
    private string? _conversationId;

    public ChatTurn(ProtocolDialect dialect, string message, GatewayTurnOptions options, string? conversationId, bool background, bool tokenOnEveryUpdate, GatewayContinuationToken? resumeFrom, bool skipReceived)
    {
        _dialect = dialect;
        Message = message;
        Options = options;
        _conversationId = conversationId;
        _background = background;
        _tokenOnEveryUpdate = tokenOnEveryUpdate;
        ResumeFrom = resumeFrom;
        _turnId = resumeFrom?.TurnKey;
        if (resumeFrom is not null && skipReceived)
        {
            _skipText = resumeFrom.TextReceived;
            _skipReasoning = resumeFrom.ReasoningReceived;
        }
    }

    public string Message { get; }

    public GatewayTurnOptions Options { get; }

    public GatewayContinuationToken? ResumeFrom { get; }

    /// <summary>The outcome, once the final update was mapped.</summary>
    public GatewayTurnOutcome? Outcome { get; private set; }

    /// <summary>The token on the final update: only for a run that may still go on at the gateway (a lost OpenClaw turn).</summary>
    public ResponseContinuationToken? FinalToken { get; private set; }

    public ChatResponseUpdate Map(GatewayTurnUpdate update)
    {
        _turnId = update.TurnId ?? _turnId;
        var contents = new List<AIContent>();
        switch (update.Kind)
        {
            case GatewayTurnUpdateKind.TextDelta:
                AddText(contents, update.Text);
                break;
            case GatewayTurnUpdateKind.ReasoningDelta:
                AddReasoning(contents, update.Text);
                break;
            case GatewayTurnUpdateKind.ToolCall when update.ToolCall is { } call:
                contents.Add(CallOf(call));
                break;
            case GatewayTurnUpdateKind.ToolResult when update.ToolCall is { } result:
                contents.Add(ResultOf(result));
                break;
            case GatewayTurnUpdateKind.Final when update.Outcome is { } outcome:
                Outcome = outcome;
                _turnId = outcome.TurnId ?? _turnId;
                _conversationId = outcome.SessionId ?? _conversationId;

                // A dialect that sends the answer only at the end (Praxis), or a final that tops up what the deltas missed.
                if (outcome.Text.Length > _text.Length && StartsWith(outcome.Text, _text))
                {
                    AddText(contents, outcome.Text.Substring(_text.Length));
                }

                if (!outcome.IsCompleted)
                {
                    contents.Add(new ErrorContent(outcome.ToString())
                    {
                        ErrorCode = outcome.ErrorCode ?? StatusName(outcome.Status),
                        Details = outcome.AnswerLocation,
                        RawRepresentation = outcome,
                    });
                }

                break;
        }

        var mapped = new ChatResponseUpdate(ChatRole.Assistant, contents)
        {
            ResponseId = _turnId,
            MessageId = _turnId,
            ConversationId = _conversationId,
            RawRepresentation = update,
        };

        if (update.Kind == GatewayTurnUpdateKind.Final && Outcome is { } final)
        {
            mapped.FinishReason = GatewayChatFinishReasons.For(final.Status);
            mapped.AdditionalProperties = new AdditionalPropertiesDictionary { [GatewayChatResponseExtensions.TurnStatusKey] = StatusName(final.Status) };
            FinalToken = _background && final.Status == GatewayTurnStatus.Lost ? Token() : null;
            mapped.ContinuationToken = FinalToken;
        }
        else if (_background && _tokenOnEveryUpdate)
        {
            mapped.ContinuationToken = Token();
        }

        return mapped;
    }

    /// <summary>A status as it appears in a finish reason and in the additional properties: <c>completed</c>, <c>timed_out</c>, ...</summary>
    public static string StatusName(GatewayTurnStatus status) => status == GatewayTurnStatus.TimedOut ? "timed_out" : status.ToString().ToLowerInvariant();

    private GatewayContinuationToken Token() =>
        new(_dialect, Options.SessionKey!, Options.IdempotencyKey!, Message, _text.Length, _reasoning);

    private void AddText(List<AIContent> contents, string? piece)
    {
        if (string.IsNullOrEmpty(piece))
        {
            return;
        }

        _text.Append(piece);
        piece = Skip(piece!, ref _skipText);
        if (piece.Length > 0)
        {
            contents.Add(new TextContent(piece));
        }
    }

    private void AddReasoning(List<AIContent> contents, string? piece)
    {
        if (string.IsNullOrEmpty(piece))
        {
            return;
        }

        _reasoning += piece!.Length;
        piece = Skip(piece, ref _skipReasoning);
        if (piece.Length > 0)
        {
            contents.Add(new TextReasoningContent(piece));
        }
    }

    /// <summary>After a continuation token: drops what the caller received before it (a resumed run delivers its text from the start).</summary>
    private static string Skip(string piece, ref int remaining)
    {
        if (remaining == 0)
        {
            return piece;
        }

        var cut = Math.Min(remaining, piece.Length);
        remaining -= cut;
        return piece.Substring(cut);
    }

    private FunctionCallContent CallOf(GatewayTurnToolCall call)
    {
        var id = call.CallId ?? "gateway-call-" + (++_generatedCalls).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _openCalls.Add(new KeyValuePair<string, string>(id, call.Name));
        return new FunctionCallContent(id, call.Name, ArgumentsOf(call.Arguments))
        {
            InformationalOnly = true, // the agent ran it: the app must not
            RawRepresentation = call,
        };
    }

    private FunctionResultContent ResultOf(GatewayTurnToolCall call)
    {
        var id = call.CallId;
        var open = -1;
        for (var i = _openCalls.Count - 1; i >= 0; i--)
        {
            // By its id; a result without one belongs to the latest open call of the same tool (or the latest open call).
            if (id is not null ? _openCalls[i].Key == id : _openCalls[i].Value == call.Name || (open < 0 && call.Name.Length == 0))
            {
                open = i;
                break;
            }
        }

        if (open >= 0)
        {
            id ??= _openCalls[open].Key;
            _openCalls.RemoveAt(open);
        }

        id ??= "gateway-call-" + (++_generatedCalls).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var result = new FunctionResultContent(id, call.Result is { } value ? value : null) { RawRepresentation = call };
        if (call.IsError)
        {
            result.AdditionalProperties = new AdditionalPropertiesDictionary { ["gateway.tool.is_error"] = true };
        }

        return result;
    }

    /// <summary>A JSON object's properties; a string holding a JSON object, parsed; anything else under <c>input</c>.</summary>
    private static Dictionary<string, object?>? ArgumentsOf(JsonElement? arguments)
    {
        if (arguments is not { } value || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String && value.GetString() is { } text && text.TrimStart().StartsWith("{", StringComparison.Ordinal))
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                value = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                // Not JSON after all: kept as the string it is.
            }
        }

        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (value.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in value.EnumerateObject())
            {
                result[property.Name] = property.Value;
            }
        }
        else
        {
            result["input"] = value;
        }

        return result;
    }

    private static bool StartsWith(string whole, StringBuilder prefix)
    {
        for (var i = 0; i < prefix.Length; i++)
        {
            if (whole[i] != prefix[i])
            {
                return false;
            }
        }

        return true;
    }
}
