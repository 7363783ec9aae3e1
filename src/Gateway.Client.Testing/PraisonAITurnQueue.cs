using System.Text.Json;

namespace Gateway.Client.Testing;

/// <summary>
/// A PraisonAI session's turns, as the real server keeps them (<c>_inbox</c>, <c>_is_executing</c>, <c>_active_turns</c>): one runs
/// at a time and the rest wait in order; the queue's runner sends to the connection that started it. A session resumed while its
/// turn still runs on a connection that has closed is wedged for ever: the real server restores its persisted "executing" flag
/// and never restarts the queue, so later messages are only ever queued.
/// </summary>
internal sealed class PraisonAITurnQueue
{
    private readonly object _lock = new();
    private readonly Queue<JsonElement> _inbox = new();
    private bool _executing;
    private TestConnection? _runner;
    private bool _wedged;
    private CancellationTokenSource? _active;
    private string? _abortReason;

    /// <summary>What became of a message.</summary>
    public enum Admission
    {
        /// <summary>No turn was running: it starts a runner.</summary>
        Started,

        /// <summary>A turn is running: it waits behind it.</summary>
        Queued,

        /// <summary>The session is wedged: it is recorded and never runs.</summary>
        Wedged,
    }

    public bool IsWedged
    {
        get
        {
            lock (_lock)
            {
                return _wedged;
            }
        }
    }

    /// <summary>A connection resumed the session: wedged if a turn still runs for a connection that has gone.</summary>
    public void OnResumed(TestConnection resuming)
    {
        lock (_lock)
        {
            if (_executing && _runner is { } runner && runner != resuming && !runner.IsOpen)
            {
                _wedged = true;
            }
        }
    }

    /// <summary>Takes a message in: it starts the queue (its sender becomes the runner's connection), waits in it, or is swallowed.</summary>
    public Admission Admit(JsonElement content, TestConnection sender)
    {
        lock (_lock)
        {
            if (_wedged)
            {
                return Admission.Wedged;
            }

            _inbox.Enqueue(content);
            if (_executing)
            {
                return Admission.Queued;
            }

            _executing = true;
            _runner = sender;
            return Admission.Started;
        }
    }

    /// <summary>The message that started the queue (<see cref="Admission.Started"/>).</summary>
    public JsonElement First()
    {
        lock (_lock)
        {
            return _inbox.Dequeue();
        }
    }

    /// <summary>
    /// A turn has ended with <paramref name="reply"/>: records it in <paramref name="session"/>'s history and takes the next message,
    /// or, when there is none, stops the queue. Both under one lock, so a test that sees the reply in the history finds the
    /// session idle, and a message admitted from now on starts a new runner.
    /// </summary>
    public bool Complete(TestSession session, string reply, out JsonElement next)
    {
        lock (_lock)
        {
            session.AddMessage("assistant", reply);
            if (_inbox.TryDequeue(out next))
            {
                return true;
            }

            _executing = false;
            _runner = null;
            return false;
        }
    }

    public void BeginTurn(CancellationTokenSource turn)
    {
        lock (_lock)
        {
            _active = turn;
            _abortReason = null;
        }
    }

    /// <summary>Ends the running turn; returns why it was aborted, or null when it was not.</summary>
    public string? EndTurn(CancellationTokenSource turn)
    {
        lock (_lock)
        {
            if (_active != turn)
            {
                return null;
            }

            var reason = _abortReason;
            _active = null;
            _abortReason = null;
            return reason;
        }
    }

    /// <summary>Marks the running turn aborted with <paramref name="reason"/>; returns its token source to cancel, or null when none runs.</summary>
    public CancellationTokenSource? TryAbort(string reason)
    {
        lock (_lock)
        {
            // A second abort of the same turn is answered "aborted" again, and keeps the first reason.
            if (_active is not null)
            {
                _abortReason ??= reason;
            }

            return _active;
        }
    }
}
