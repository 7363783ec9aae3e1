using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Client.Testing;

/// <summary>
/// One OpenClaw chat run (<c>chat.send</c>), as gateway 2026.9.6 emits it: <c>agent</c> and <c>chat</c> events broadcast to every open
/// connection (a run goes on when its sender leaves; events sent while no connection is open are lost), with <c>payload.seq</c>
/// counting per run across both. Text deltas are paced as the real 75 ms pacing paces a burst: the first token after any other event
/// goes out in a <c>chat</c> delta at once; the tokens right after it are held and go out merged in one delta before the run's next
/// other event, or with its end (then with the final's <c>payload.seq</c>). Every token has its own <c>agent</c> assistant event.
/// </summary>
internal sealed class OpenClawRun : ITurnOutput
{
    private readonly TestGateway _gateway;
    private readonly OpenClawChat _chat;
    private readonly SemaphoreSlim _emit = new(1, 1); // the agent's output and an abort never interleave their frames
    private readonly CancellationTokenSource _cancel;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder _text = new();
    private readonly StringBuilder _thinking = new();
    private long _seq;
    private string _sentText = string.Empty; // the text the last chat delta carried
    private bool _lastWasToken;
    private long _heldSeq;

    public OpenClawRun(TestGateway gateway, OpenClawChat chat, string runId, string sessionKey, string message, string owner)
    {
        _gateway = gateway;
        _chat = chat;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(gateway.Stopping);
        RunId = runId;
        SessionKey = sessionKey;
        Message = message;
        Owner = owner;
        StartedAt = Now;
    }

    /// <summary>Where the run is.</summary>
    public enum RunState
    {
        Running,
        Completed,
        Aborted,
        Failed,
    }

    public string RunId { get; }

    public string SessionKey { get; }

    public string Message { get; }

    /// <summary>The <c>connId</c> of the connection that sent it: only it (or an admin) may abort it.</summary>
    public string Owner { get; }

    public long StartedAt { get; }

    public long EndedAt { get; private set; }

    public RunState State { get; private set; }

    public string? ErrorMessage { get; private set; }

    /// <summary>Completes when the run's code is done: its agent has returned and its end has been broadcast (test hook).</summary>
    public Task Finished => _finished.Task;

    /// <summary>The text streamed so far.</summary>
    public string Text
    {
        get
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }
    }

    private long Now => _gateway.Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    public async Task RunAsync()
    {
        await EmitAsync(() => AgentAsync(++_seq, "lifecycle", new JsonObject { ["phase"] = "start", ["startedAt"] = StartedAt })).ConfigureAwait(false);
        string? reply = null;
        Exception? failure = null;
        try
        {
            reply = await _gateway.Options.Agent.RunTurnAsync(new TestAgentTurn(this, SessionKey, JsonSerializer.SerializeToElement(Message)), _cancel.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        await _emit.WaitAsync().ConfigureAwait(false);
        try
        {
            if (State != RunState.Running || _gateway.Stopping.IsCancellationRequested)
            {
                return; // aborted: the abort sent the run's end
            }

            EndedAt = Now;
            var seq = ++_seq;
            if (failure is null)
            {
                await AgentAsync(seq, "lifecycle", new JsonObject { ["phase"] = "end", ["startedAt"] = StartedAt, ["endedAt"] = EndedAt }).ConfigureAwait(false);
                lock (_text)
                {
                    _text.Clear().Append(reply); // the final is the answer: the held delta tops the stream up to it
                }

                await FlushDeltaAsync(seq).ConfigureAwait(false);

                // In the transcript before the run counts as done: a client told "ok" by a repeat finds the answer in chat.history.
                _chat.Record(SessionKey, "assistant", reply ?? string.Empty);
                State = RunState.Completed;
                await ChatAsync(seq, "final", new JsonObject { ["stopReason"] = "stop", ["message"] = Assistant(reply ?? string.Empty) }).ConfigureAwait(false);
                return;
            }

            State = RunState.Failed;
            ErrorMessage = failure.Message;
            await AgentAsync(seq, "lifecycle", new JsonObject { ["phase"] = "error", ["error"] = failure.Message, ["startedAt"] = StartedAt, ["endedAt"] = EndedAt }).ConfigureAwait(false);
            var error = new JsonObject { ["errorMessage"] = failure.Message };
            if (failure is TestAgentRejection)
            {
                error["errorKind"] = "rejected";
            }

            var repeated = (JsonObject)error.DeepClone();
            await ChatAsync(seq, "error", error).ConfigureAwait(false);

            // The real gateway reports the failed run twice; the second report's per-run count has been reset to 1.
            await ChatAsync(1, "error", repeated).ConfigureAwait(false);
        }
        finally
        {
            _emit.Release();
            _cancel.Dispose();
            _finished.TrySetResult();
        }
    }

    /// <summary><c>chat.abort</c>: ends the run with <c>chat</c> <c>aborted</c> (with the partial text) and <c>agent</c> lifecycle <c>end</c>; false when it had ended.</summary>
    public async Task<bool> AbortAsync()
    {
        await _emit.WaitAsync().ConfigureAwait(false);
        try
        {
            if (State != RunState.Running)
            {
                return false;
            }

            State = RunState.Aborted;
            EndedAt = Now;
            var partial = Text;
            if (partial.Trim().Length > 0)
            {
                _chat.Record(SessionKey, "assistant", partial);
            }

            var seq = ++_seq; // the aborted chat event and the lifecycle end share the number
            var aborted = new JsonObject { ["stopReason"] = "rpc" };
            if (partial.Trim().Length > 0)
            {
                aborted["message"] = Assistant(partial);
            }

            await ChatAsync(seq, "aborted", aborted).ConfigureAwait(false);
            await AgentAsync(seq, "lifecycle", new JsonObject
            {
                ["phase"] = "end", ["status"] = "cancelled", ["aborted"] = true, ["stopReason"] = "rpc", ["startedAt"] = StartedAt, ["endedAt"] = EndedAt,
            }).ConfigureAwait(false);
        }
        finally
        {
            _emit.Release();
        }

        try
        {
            _cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The agent finished meanwhile.
        }

        return true;
    }

    /// <summary>The answer to the same <c>chat.send</c> again: the run never runs twice.</summary>
    public JsonObject RepeatAnswer() => State switch
    {
        RunState.Running => new JsonObject { ["runId"] = RunId, ["status"] = "in_flight" },
        RunState.Completed => new JsonObject { ["runId"] = RunId, ["status"] = "ok" },
        RunState.Aborted => new JsonObject { ["runId"] = RunId, ["status"] = "timeout", ["summary"] = "aborted", ["stopReason"] = "rpc", ["endedAt"] = EndedAt },
        _ => throw new TestGatewayMethodException("UNAVAILABLE", ErrorMessage ?? "agent failed")
        {
            Payload = new JsonObject { ["runId"] = RunId, ["status"] = "error", ["summary"] = ErrorMessage },
        },
    };

    public Task<long> TokenAsync(string text) => EmitAsync(async () =>
    {
        string whole;
        lock (_text)
        {
            whole = _text.Append(text).ToString();
        }

        var seq = ++_seq;
        await AgentAsync(seq, "assistant", new JsonObject { ["text"] = whole, ["delta"] = text }).ConfigureAwait(false);
        _heldSeq = seq;
        if (!_lastWasToken)
        {
            await FlushDeltaAsync(seq).ConfigureAwait(false);
        }

        _lastWasToken = true;
        return seq;
    });

    public Task<long> ReasoningAsync(string text) => EmitAsync(async () =>
    {
        await FlushDeltaAsync(_heldSeq).ConfigureAwait(false);
        _lastWasToken = false;
        var seq = ++_seq;
        await AgentAsync(seq, "thinking", new JsonObject { ["text"] = _thinking.Append(text).ToString(), ["delta"] = text }).ConfigureAwait(false);
        return seq;
    });

    public Task ToolAsync(string name, string callId, JsonObject? arguments, JsonNode? result) => EmitAsync(async () =>
    {
        await FlushDeltaAsync(_heldSeq).ConfigureAwait(false);
        _lastWasToken = false;
        await AgentAsync(++_seq, "tool", new JsonObject { ["phase"] = "start", ["name"] = name, ["toolCallId"] = callId, ["args"] = arguments ?? new JsonObject() }).ConfigureAwait(false);
        var seq = ++_seq;
        await AgentAsync(seq, "tool", new JsonObject { ["phase"] = "result", ["name"] = name, ["toolCallId"] = callId, ["result"] = result, ["isError"] = false }).ConfigureAwait(false);
        return seq;
    });

    public Task<long> PublishAsync(string type, JsonObject data, EnvelopeShape shape) => EmitAsync(async () =>
    {
        await FlushDeltaAsync(_heldSeq).ConfigureAwait(false);
        _lastWasToken = false;
        await _gateway.PublishOpenClawEventAsync(type, data).ConfigureAwait(false);
        return 0L;
    });

    private static JsonObject Content(string text) => new() { ["type"] = "text", ["text"] = text };

    /// <summary>Runs one piece of the agent's output, unless the run has ended (an aborted agent's late output goes nowhere).</summary>
    private async Task<long> EmitAsync(Func<Task<long>> emit)
    {
        await _emit.WaitAsync().ConfigureAwait(false);
        try
        {
            return State == RunState.Running ? await emit().ConfigureAwait(false) : 0;
        }
        finally
        {
            _emit.Release();
        }
    }

    private Task EmitAsync(Func<Task> emit) => EmitAsync(async () =>
    {
        await emit().ConfigureAwait(false);
        return 0L;
    });

    /// <summary>Sends the text not yet in a <c>chat</c> delta, if any, numbered <paramref name="seq"/>.</summary>
    private async Task FlushDeltaAsync(long seq)
    {
        var whole = Text;
        if (whole == _sentText || whole.Length == 0)
        {
            return;
        }

        // The stream is the answer so far; an answer that is not its continuation replaces it (as the real resolveBroadcastDelta).
        var replace = !whole.StartsWith(_sentText, StringComparison.Ordinal);
        var delta = new JsonObject { ["deltaText"] = replace ? whole : whole[_sentText.Length..], ["message"] = Assistant(whole) };
        if (replace)
        {
            delta["replace"] = true;
        }

        _sentText = whole;
        await ChatAsync(seq, "delta", delta).ConfigureAwait(false);
    }

    private JsonObject Assistant(string text) => new()
    {
        ["role"] = "assistant",
        ["content"] = new JsonArray(Content(text)),
        ["timestamp"] = Now,
    };

    private Task AgentAsync(long seq, string stream, JsonObject data) =>
        _gateway.PublishOpenClawEventAsync("agent", new JsonObject
        {
            ["runId"] = RunId,
            ["stream"] = stream,
            ["data"] = data,
            ["sessionKey"] = SessionKey,
            ["seq"] = seq,
            ["ts"] = Now,
        });

    /// <summary>Broadcasts a <c>chat</c> event; <paramref name="fields"/> are moved into its payload (pass a fresh object).</summary>
    private Task ChatAsync(long seq, string state, JsonObject fields)
    {
        var payload = new JsonObject { ["runId"] = RunId, ["sessionKey"] = SessionKey, ["seq"] = seq, ["state"] = state };
        foreach (var (key, value) in fields.ToArray())
        {
            fields.Remove(key);
            payload[key] = value;
        }

        return _gateway.PublishOpenClawEventAsync("chat", payload);
    }
}
