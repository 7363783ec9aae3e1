using Gateway.Client.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Gateway.Client.Engine;

/// <summary>
/// The turns in flight, in the order they were sent, and the one lock their state lives under. The receive loop offers
/// it each accepted event (only while a turn is in flight: a client without turns pays one read per event) and the
/// run loop the ends and starts of connections; the dialect's <see cref="ITurnDriver"/> decides what each means. Nothing
/// here waits: a turn's updates go to its own <see cref="TurnQueue"/>.
/// </summary>
internal sealed class TurnRouter
{
    private readonly object _gate = new();
    private readonly List<TurnRun> _runs = new();
    private readonly ITurnDriver _driver;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _count;

    public TurnRouter(ITurnDriver driver, TimeProvider time, ILogger logger)
    {
        _driver = driver;
        _time = time;
        _logger = logger;
    }

    /// <summary>Raised (outside the lock) when the first turn starts: a receive loop waiting on a full event buffer looks again.</summary>
    public event Action? TurnsStarted;

    public ITurnDriver Driver => _driver;

    public TimeProvider Time => _time;

    /// <summary>Whether a turn is in flight (read by the receive loop for every event, without the lock).</summary>
    public bool HasTurns => Volatile.Read(ref _count) > 0;

    /// <summary>
    /// Whether a turn has not ended yet (its final not posted): the main buffer gives way to it. Read on the receive
    /// loop only when the main buffer is full; a reader that got its final, or an enumeration never disposed, does not count.
    /// </summary>
    public bool HasUnfinishedTurns()
    {
        lock (_gate)
        {
            foreach (var run in _runs)
            {
                if (!run.Ended)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Runs <paramref name="action"/> under the lock.</summary>
    public void Locked(Action action)
    {
        lock (_gate)
        {
            action();
        }
    }

    /// <summary>Runs <paramref name="action"/> under the lock and returns its result.</summary>
    public T Locked<T>(Func<T> action)
    {
        lock (_gate)
        {
            return action();
        }
    }

    public void Add(TurnRun run)
    {
        lock (_gate)
        {
            _runs.Add(run);
            Volatile.Write(ref _count, _runs.Count);
        }

        TurnsStarted?.Invoke();
    }

    public void Remove(TurnRun run)
    {
        lock (_gate)
        {
            _runs.Remove(run);
            Volatile.Write(ref _count, _runs.Count);
        }
    }

    /// <summary>An update for <paramref name="run"/>: the server spoke, so the silence bound starts again. Under the lock.</summary>
    public void Post(TurnRun run, GatewayTurnUpdate update)
    {
        run.LastActivity = _time.GetTimestamp();
        run.Queue.Post(TurnItem.For(update));
    }

    /// <summary>The server spoke about <paramref name="run"/> with nothing to show. Under the lock.</summary>
    public void Touch(TurnRun run) => run.LastActivity = _time.GetTimestamp();

    /// <summary>Ends <paramref name="run"/> with <paramref name="final"/> unless it has ended already (the first end wins).</summary>
    public bool TryEnd(TurnRun run, Func<GatewayTurnUpdate> final) => TryEnd(run, static () => true, final);

    /// <summary>Ends <paramref name="run"/> with <paramref name="final"/> if it has not ended and <paramref name="still"/> says so, decided under the lock.</summary>
    public bool TryEnd(TurnRun run, Func<bool> still, Func<GatewayTurnUpdate> final)
    {
        lock (_gate)
        {
            if (run.Ended || !still())
            {
                return false;
            }

            run.Ended = true;
            run.Queue.Post(TurnItem.For(final()));
            return true;
        }
    }

    /// <summary>The receive loop accepted <paramref name="e"/>.</summary>
    public void Offer(GatewayEvent e)
    {
        lock (_gate)
        {
            try
            {
                _driver.OnEvent(this, _runs, e);
            }
            catch (Exception ex)
            {
                // A body the driver could not read must not stop the receive loop: the event still reaches the main stream.
                Log.TurnEventUnreadable(_logger, e.Type, ex);
            }
        }
    }

    /// <summary>The connection <paramref name="connection"/> ended (on the run loop, after its requests were settled).</summary>
    public void ConnectionEnded(object connection)
    {
        lock (_gate)
        {
            _driver.OnConnectionEnded(this, _runs, connection);
        }
    }

    /// <summary>A new connection was adopted: turns waiting for one pick up there.</summary>
    public void ConnectionAdopted()
    {
        lock (_gate)
        {
            foreach (var run in _runs)
            {
                if (!run.Ended && run.AwaitingConnection)
                {
                    // The turn goes on over this connection: said once, before anything of it arrives here.
                    run.AwaitingConnection = false;
                    run.Resumed = true;
                    Post(run, new GatewayTurnUpdate(GatewayTurnUpdateKind.Resumed, "The turn goes on over the new connection.", turnId: run.TurnId));
                    run.Queue.Post(TurnItem.For(TurnNotice.Reconnected));
                }
            }
        }
    }

    /// <summary>The run ended (a disconnect or a failure): no turn can go on.</summary>
    public void RunEnded(Exception? failure)
    {
        lock (_gate)
        {
            _driver.OnRunEnded();
            foreach (var run in _runs)
            {
                if (!run.Ended)
                {
                    run.Ended = true;
                    var why = failure is null ? "the client disconnected before the turn ended" : "the client failed before the turn ended: " + failure.Message;
                    run.Queue.Post(TurnItem.For(run.Final(GatewayTurnStatus.Lost, reason: why, answerLocation: AnswerLocationOf(run))));
                }
            }
        }
    }

    /// <summary>Where the answer to a turn that was lost may be found.</summary>
    public static string? AnswerLocationOf(TurnRun run) =>
        run.SessionId is null ? null : $"the history of session {run.SessionId}";
}
