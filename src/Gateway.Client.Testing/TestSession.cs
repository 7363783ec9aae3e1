using System.Text.Json.Nodes;

namespace Gateway.Client.Testing;

/// <summary>
/// A session on the <see cref="TestGateway"/>: its numbering (per session, from 1), its replay window,
/// its epoch, and the connections bound to it. Publishing is serialised so every connection sees the
/// same order, and a resuming connection gets its replay before any live event.
/// </summary>
public sealed class TestSession
{
    private readonly TestGateway _gateway;
    private readonly LinkedList<RetainedEvent> _history = new();
    private readonly List<TestConnection> _bound = new();
    private readonly AwaitableList<TestChatMessage> _messages = new();
    private long _head;
    private long _eventIds;

    internal TestSession(TestGateway gateway, string id, string epoch)
    {
        _gateway = gateway;
        Id = id;
        Epoch = epoch;
    }

    /// <summary>The session id.</summary>
    public string Id { get; }

    /// <summary>The name of the current numbering history; it changes when history is lost.</summary>
    public string Epoch { get; private set; }

    /// <summary>The highest number assigned so far (0 when none).</summary>
    public long Head
    {
        get
        {
            lock (_history)
            {
                return _head;
            }
        }
    }

    /// <summary>The oldest number still retained for replay; <see cref="Head"/> + 1 when nothing is retained.</summary>
    public long OldestRetained
    {
        get
        {
            lock (_history)
            {
                return _history.First?.Value.Sequence ?? _head + 1;
            }
        }
    }

    /// <summary>The events retained for replay, oldest first.</summary>
    public IReadOnlyList<RetainedEvent> Retained
    {
        get
        {
            lock (_history)
            {
                return _history.ToArray();
            }
        }
    }

    /// <summary>
    /// PraisonAI mode: the session's conversation as the server records it, oldest first: each user message (when it arrives,
    /// queued or not) and each agent reply (when its turn ends, whether or not the reply reached a client).
    /// </summary>
    public IReadOnlyList<TestChatMessage> Messages => _messages.Snapshot();

    /// <summary>
    /// PraisonAI mode: waits for the <paramref name="ordinal"/>-th message of <see cref="Messages"/> (1 = the first). Once an
    /// agent reply is there, its turn's final has gone out (or been lost) and, when nothing else was queued, the session is idle.
    /// </summary>
    public Task<TestChatMessage> WaitForMessageAsync(int ordinal, CancellationToken cancellationToken = default) =>
        _messages.WaitForCountAsync(ordinal, cancellationToken);

    /// <summary>
    /// PraisonAI mode: whether the session is wedged. It was resumed while a turn still ran for a connection that had closed, so
    /// (as the real server, which restores its persisted "executing" flag and never restarts the queue) every later message is
    /// only answered <c>Message queued.</c> and never runs.
    /// </summary>
    public bool IsWedged => Turns.IsWedged;

    internal SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>PraisonAI mode: the session's turns (one at a time, the rest queued).</summary>
    internal PraisonAITurnQueue Turns { get; } = new();

    /// <summary>The agent the session was opened for (the hello's <c>agent_id</c>): the <c>source</c> of its status frames.</summary>
    internal string? AgentId { get; set; }

    /// <summary>Publishes a numbered event to every connection bound to the session, and retains it.</summary>
    /// <returns>The number it was given.</returns>
    public Task<long> PublishAsync(string type, JsonObject data, EnvelopeShape shape = EnvelopeShape.Wrapped) =>
        PublishCoreAsync(type, data, shape, undecodable: false);

    /// <summary>
    /// Fault: publishes a numbered event whose text frame is not valid UTF-8 (a poison frame), live and on
    /// every replay, as a buggy server that stored a bad payload would. The client's WebSocket closes with
    /// 1007 before the SDK sees it.
    /// </summary>
    /// <returns>The number it was given.</returns>
    public Task<long> PublishUndecodableAsync(string type = "message") =>
        PublishCoreAsync(type, new JsonObject { ["text"] = ServerFrames.UndecodableText }, EnvelopeShape.Wrapped, undecodable: true);

    private async Task<long> PublishCoreAsync(string type, JsonObject data, EnvelopeShape shape, bool undecodable)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(data);
        await Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            long seq;
            string eventId;
            lock (_history)
            {
                seq = ++_head;
                eventId = $"evt-{Id}-{++_eventIds}";
            }

            var json = ServerFrames.Numbered(type, data, shape, Id, seq, eventId, _gateway.Options.TimeProvider).ToJsonString();
            var delivered = false;
            foreach (var connection in BoundSnapshot())
            {
                delivered |= await (undecodable ? connection.SendUtf8TextAsync(ServerFrames.WithInvalidUtf8(json)) : connection.SendTextAsync(json)).ConfigureAwait(false);
            }

            if (delivered || !_gateway.Options.RetainOnlyDeliveredEvents)
            {
                Retain(new RetainedEvent(seq, type, eventId, json) { Undecodable = undecodable });
            }

            return seq;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// PraisonAI mode: a numbered event sent only to <paramref name="target"/>, as the real server addresses a turn's frames to one
    /// client. While that connection is open the event is numbered and retained (replayable); once it has closed the event is lost.
    /// </summary>
    /// <returns>The number it was given; 0 when it was lost.</returns>
    internal async Task<long> PublishToAsync(TestConnection target, string type, JsonObject data, EnvelopeShape shape)
    {
        await Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!target.IsOpen)
            {
                return 0;
            }

            long seq;
            string eventId;
            lock (_history)
            {
                seq = ++_head;
                eventId = $"evt-{Id}-{++_eventIds}";
            }

            var json = ServerFrames.Numbered(type, data, shape, Id, seq, eventId, _gateway.Options.TimeProvider).ToJsonString();
            var delivered = await target.SendTextAsync(json).ConfigureAwait(false);
            if (delivered || !_gateway.Options.RetainOnlyDeliveredEvents)
            {
                Retain(new RetainedEvent(seq, type, eventId, json));
            }

            return seq;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Records a message of the conversation (<see cref="Messages"/>).</summary>
    internal void AddMessage(string role, string text)
    {
        _messages.Add(new TestChatMessage(role, text, _gateway.Options.TimeProvider.GetUtcNow()));
    }

    /// <summary>Sends an unnumbered frame (no <c>seq</c>, never retained) to every connection bound to the session.</summary>
    public async Task PublishUnnumberedAsync(JsonObject frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var json = frame.ToJsonString();
        await Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (var connection in BoundSnapshot())
            {
                await connection.SendTextAsync(json).ConfigureAwait(false);
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Forgets retained events up to and including <paramref name="throughSequence"/> (window eviction).</summary>
    public void EvictThrough(long throughSequence)
    {
        lock (_history)
        {
            while (_history.First is { } first && first.Value.Sequence <= throughSequence)
            {
                _history.RemoveFirst();
            }
        }
    }

    /// <summary>Loses the numbering history: nothing retained, numbering restarts at 1, a new epoch.</summary>
    internal void LoseHistory(string newEpoch)
    {
        lock (_history)
        {
            _history.Clear();
            _head = 0;
            Epoch = newEpoch;
        }
    }

    internal IReadOnlyList<RetainedEvent> RetainedAfter(long since)
    {
        lock (_history)
        {
            return _history.Where(e => e.Sequence > since).ToArray();
        }
    }

    /// <summary>Binds a connection; call with <see cref="Gate"/> held so no live event slips in before its replay.</summary>
    internal void Bind(TestConnection connection)
    {
        lock (_bound)
        {
            _bound.Add(connection);
        }
    }

    internal void Unbind(TestConnection connection)
    {
        lock (_bound)
        {
            _bound.Remove(connection);
        }
    }

    private TestConnection[] BoundSnapshot()
    {
        lock (_bound)
        {
            return _bound.ToArray();
        }
    }

    private void Retain(RetainedEvent retained)
    {
        lock (_history)
        {
            _history.AddLast(retained);
            while (_history.Count > _gateway.Options.RetentionWindow)
            {
                _history.RemoveFirst();
            }
        }
    }
}
