using System.Runtime.CompilerServices;
using Gateway.Client.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Gateway.Client.Engine;

/// <summary>
/// <see cref="GatewayClient.AskAsync"/>: one turn from the write to its one final update. The turn's reader (this
/// loop) waits on the turn's own queue, bounded by the acceptance, silence and queued bounds and the caller's token;
/// whichever ends the turn first (the server's answer, a bound, the token, the connection) posts the final update, and
/// the loop hands out everything up to it.
/// </summary>
internal sealed class TurnRunner
{
    private readonly TurnServices _services;
    private readonly TurnRouter _router;
    private readonly ITurnDriver _driver;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public TurnRunner(TurnServices services, ILogger logger)
    {
        _services = services;
        _router = services.Router;
        _driver = services.Router.Driver;
        _time = services.Options.TimeProvider;
        _logger = logger;
    }

    public async IAsyncEnumerable<GatewayTurnUpdate> AskAsync(string message, TurnSettings settings, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var run = new TurnRun(message, settings, _time.GetTimestamp());
        using var work = new CancellationTokenSource(); // the turn's own background work (start, resume, stuck): stopped when the loop ends
        // One timer and one registration for the whole turn: each wait re-arms the timer for the next bound.
        using var timer = _time.CreateTimer(static queue => ((TurnQueue)queue!).Wake(), run.Queue, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        using var onCancel = cancellationToken.Register(static queue => ((TurnQueue)queue!).Wake(), run.Queue);
        var finished = false;
        _router.Add(run);
        try
        {
            Background(run, ct => _driver.StartAsync(_services, run, ct), work.Token, "start");
            var token = cancellationToken;
            while (true)
            {
                if (token.IsCancellationRequested)
                {
                    // Before taking more: a stream that never pauses must not delay the cancellation. The final goes after
                    // what is already queued, and nothing more is queued for a turn that has ended.
                    token = CancellationToken.None;
                    if (_router.TryEnd(run, () => run.Final(GatewayTurnStatus.Cancelled, reason: "the caller cancelled the turn")))
                    {
                        AbortInBackground(run);
                    }
                }

                if (run.Queue.TryTake(out var item))
                {
                    if (item.Update is { } update)
                    {
                        yield return update;
                        if (update.Kind == GatewayTurnUpdateKind.Final)
                        {
                            finished = true;
                            yield break;
                        }
                    }
                    else if (item.Notice == TurnNotice.Reconnected)
                    {
                        Background(run, ct => _driver.OnReconnectedAsync(_services, run, ct), work.Token, "resume");
                    }

                    continue;
                }

                var (deadline, bound) = NextDeadline(run);
                var remaining = deadline == DateTimeOffset.MaxValue ? Timeout.InfiniteTimeSpan : deadline - _time.GetUtcNow();
                if (remaining != Timeout.InfiniteTimeSpan && remaining <= TimeSpan.Zero)
                {
                    OnDeadline(run, bound, work.Token);
                    continue;
                }

                timer.Change(remaining > LongestTimer ? Timeout.InfiniteTimeSpan : remaining, Timeout.InfiniteTimeSpan);
                await run.Queue.WaitAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            work.Cancel();
            _router.Remove(run);
            if (!finished && _router.TryEnd(run, () => run.Final(GatewayTurnStatus.Cancelled, reason: "the reader stopped reading the turn")))
            {
                // The app left the loop early (break, an exception): the agent need not go on for nobody.
                AbortInBackground(run);
            }
        }
    }

    private (DateTimeOffset Deadline, TurnBound Bound) NextDeadline(TurnRun run)
    {
        var (accepted, acceptFrom, queuedAlone, queuedAt, last) = _router.Locked(() => (run.Accepted, run.AcceptFrom, run.QueuedAlone, run.QueuedAt, run.LastActivity));
        if (!accepted)
        {
            return (At(acceptFrom, run.Settings.AcceptTimeout), TurnBound.Accept);
        }

        var idle = At(last, run.Settings.IdleTimeout);
        if (queuedAlone)
        {
            var queued = At(queuedAt, run.Settings.QueuedTimeout);
            if (queued < idle)
            {
                return (queued, TurnBound.Queued);
            }
        }

        return (idle, TurnBound.Idle);
    }

    private DateTimeOffset At(long timestamp, TimeSpan after)
    {
        if (after == Timeout.InfiniteTimeSpan)
        {
            return DateTimeOffset.MaxValue;
        }

        var now = _time.GetUtcNow();
        var remaining = after - _time.GetElapsedTime(timestamp);
        return remaining >= DateTimeOffset.MaxValue - now ? DateTimeOffset.MaxValue : now + remaining;
    }

    /// <summary>Whether <paramref name="after"/> has passed since <paramref name="timestamp"/> on the client's clock.</summary>
    private bool Expired(long timestamp, TimeSpan after) => after != Timeout.InfiniteTimeSpan && _time.GetElapsedTime(timestamp) >= after;

    private void OnDeadline(TurnRun run, TurnBound bound, CancellationToken work)
    {
        switch (bound)
        {
            case TurnBound.Accept:
                // Decided again under the lock: the acceptance may have come since the wait gave up.
                if (_router.TryEnd(run, () => !run.Accepted && Expired(run.AcceptFrom, run.Settings.AcceptTimeout), () => TimedOut(run, $"the gateway did not take the message within {run.Settings.AcceptTimeout} (GatewayTurnOptions.AcceptTimeout)")))
                {
                    AbortInBackground(run);
                }

                break;
            case TurnBound.Idle:
                if (_router.TryEnd(run, () => Expired(run.LastActivity, run.Settings.IdleTimeout), () => TimedOut(run, $"the turn was silent for {run.Settings.IdleTimeout} (GatewayTurnOptions.IdleTimeout)")))
                {
                    AbortInBackground(run);
                }

                break;
            default:
                // Off the loop, like the first write: the move waits for a new connection, and the loop keeps its bounds
                // (the acceptance bound starts again with the write into the new session) and the caller's token.
                var stuck = _router.Locked(() =>
                {
                    // A frame of the turn may have come since the wait gave up: then it runs, and must not be sent again.
                    if (run.Ended || !run.QueuedAlone || !Expired(run.QueuedAt, run.Settings.QueuedTimeout))
                    {
                        return false;
                    }

                    run.QueuedAlone = false;
                    return true;
                });
                if (!stuck)
                {
                    break;
                }

                Background(run, ct => _driver.OnStuckAsync(_services, run, ct), work, "move to a new session");
                break;
        }
    }

    /// <summary>The final of a turn a bound ended (under the router's lock): the dialect learns of it first.</summary>
    private GatewayTurnUpdate TimedOut(TurnRun run, string reason)
    {
        _driver.OnTimedOut(run);
        return run.Final(GatewayTurnStatus.TimedOut, reason: reason);
    }

    /// <summary>Runs a step of the turn off the reader's loop; whatever it throws ends the turn with a typed outcome.</summary>
    private void Background(TurnRun run, Func<CancellationToken, Task> step, CancellationToken work, string what)
    {
        _ = RunAsync();

        async Task RunAsync()
        {
            try
            {
                await step(work).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (work.IsCancellationRequested)
            {
                // The turn's reader is gone: nothing to tell.
            }
            catch (Exception ex)
            {
                Log.TurnStepFailed(_logger, what, ex);
                _router.TryEnd(run, () => OutcomeOf(run, ex, what));
            }
        }
    }

    /// <summary>What a failed write, request or resume means for the turn.</summary>
    internal static GatewayTurnUpdate OutcomeOf(TurnRun run, Exception error, string what) => error switch
    {
        TurnRefusedException refused => run.Final(GatewayTurnStatus.Failed, reason: refused.Message),
        GatewayConnectionException { OutcomeUnknown: true } => run.Final(GatewayTurnStatus.Lost, reason: $"the connection ended during the turn's {what}, before the gateway answered (it may or may not have the message): {error.Message}", answerLocation: TurnRouter.AnswerLocationOf(run)),
        GatewayConnectionException => run.Final(GatewayTurnStatus.Failed, reason: $"the turn's {what} could not be sent: {error.Message}"),
        GatewayRequestException refused when refused.Code == "INVALID_REQUEST" => run.Final(GatewayTurnStatus.Rejected, errorCode: refused.Code, errorMessage: refused.Message),
        GatewayRequestException failed => run.Final(GatewayTurnStatus.Failed, errorCode: failed.Code, errorMessage: failed.Message),
        TimeoutException => run.Final(GatewayTurnStatus.TimedOut, reason: $"the turn's {what} timed out: {error.Message}"),
        _ => run.Final(GatewayTurnStatus.Failed, reason: $"the turn's {what} failed: {error.Message}"),
    };

    private void AbortInBackground(TurnRun run)
    {
        _ = AbortAsync();

        async Task AbortAsync()
        {
            // Bounded on the client's clock: the caller's token may be the one that is already cancelled.
            using var bound = TimeProviderDelay.CancelAfter(_time, _services.Options.SendTimeout);
            try
            {
                _router.Locked(() => run.AbortRequested = true);
                await _driver.AbortAsync(_services, run, bound.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Log.TurnAbortFailed(_logger, ex);
            }
        }
    }

    /// <summary>The longest delay every target's timer takes (about 24.8 days); a longer one is as good as none.</summary>
    private static readonly TimeSpan LongestTimer = TimeSpan.FromMilliseconds(int.MaxValue);

    private enum TurnBound
    {
        Accept,
        Idle,
        Queued,
    }
}
