using Gateway.Client.Dialects;
using Gateway.Client.Dialects.PraisonAI;
using Gateway.Client.Engine;

namespace Gateway.Client.Tests;

public class SequenceTrackerTests
{
    /// <summary>A handshake, with the protocol 1/2 continuity rules applied to the tracker.</summary>
    private static GapInfo? Handshake(SequenceTracker tracker, GatewaySession session, long? sentSince, bool resyncRequired) =>
        tracker.Apply(PraisonAIDialect.Instance.Continue(new ContinuityInput(tracker.Last, tracker.Epoch, new HandshakeResult(session, resyncRequired, Array.Empty<byte[]>()), sentSince)));

    private static GatewaySession Session(bool resumed, long cursor, string? epoch = null, long? oldest = null) =>
        new("s1", 2, false, resumed, cursor, epoch, oldest, GatewayFeatures.None, GatewayPolicy.None, null);

    [Fact]
    public void A_fresh_connection_takes_the_server_head_as_its_baseline()
    {
        var tracker = new SequenceTracker();

        var gap = Handshake(tracker, Session(resumed: false, cursor: 57), sentSince: null, resyncRequired: false);

        Assert.Null(gap);
        Assert.Equal(57, tracker.Last);
        Assert.Equal(SequenceVerdict.InOrder, tracker.Check(58));
        Assert.Equal(SequenceVerdict.Duplicate, tracker.Check(57));
    }

    [Fact]
    public void In_order_duplicate_and_jump_are_told_apart()
    {
        var tracker = new SequenceTracker();
        tracker.Restore(10, null);

        Assert.Equal(SequenceVerdict.InOrder, tracker.Check(11));
        Assert.Equal(SequenceVerdict.Duplicate, tracker.Check(10));
        Assert.Equal(SequenceVerdict.Duplicate, tracker.Check(3));
        Assert.Equal(SequenceVerdict.Gap, tracker.Check(13));
    }

    [Fact]
    public void A_jump_reports_the_exact_missing_range()
    {
        var tracker = new SequenceTracker();
        tracker.Restore(10, null);

        var gap = tracker.GapBefore(14, inReplay: false);

        Assert.Equal(11, gap.Expected);
        Assert.Equal(14, gap.Received);
        Assert.Equal(3, gap.MissingCount);
        Assert.Equal(GapReason.SequenceJump, gap.Reason);
    }

    [Fact]
    public void A_hole_in_a_replay_is_the_replay_window_exceeded()
    {
        var tracker = new SequenceTracker();
        tracker.Restore(10, null);

        var gap = tracker.GapBefore(16, inReplay: true);

        Assert.Equal(11, gap.Expected);
        Assert.Equal(16, gap.Received);
        Assert.Equal(GapReason.ReplayWindowExceeded, gap.Reason);
    }

    [Fact]
    public void Accept_never_moves_the_cursor_back()
    {
        var tracker = new SequenceTracker();
        tracker.Restore(10, null);

        tracker.Accept(12);
        tracker.Accept(11);

        Assert.Equal(12, tracker.Last);
    }

    [Fact]
    public void A_resume_the_server_can_replay_reports_no_gap_and_keeps_since()
    {
        var tracker = new SequenceTracker();
        tracker.Restore(41, "e1");

        var gap = Handshake(tracker, Session(resumed: true, cursor: 57, epoch: "e1", oldest: 20), sentSince: 41, resyncRequired: false);

        Assert.Null(gap);
        Assert.Equal(41, tracker.Last);
    }

    [Fact]
    public void A_window_that_starts_exactly_after_since_is_not_a_gap()
    {
        var tracker = new SequenceTracker();
        tracker.Restore(41, "e1");

        Assert.Null(Handshake(tracker, Session(resumed: true, cursor: 57, epoch: "e1", oldest: 42), sentSince: 41, resyncRequired: false));
    }

    [Fact]
    public void Resumed_false_is_a_lost_session_and_rebases_to_the_new_head()
    {
        var tracker = new SequenceTracker();
        tracker.Restore(41, null);

        var gap = Handshake(tracker, Session(resumed: false, cursor: 0), sentSince: 41, resyncRequired: false);

        Assert.Equal(new { Expected = 42L, Received = (long?)null, Reason = GapReason.SessionLost }, new { gap!.Expected, gap.Received, gap.Reason });
        Assert.Equal(0, tracker.Last);
        Assert.Equal(SequenceVerdict.InOrder, tracker.Check(1));
    }

    [Fact]
    public void A_head_below_since_is_a_server_reset_and_rebases_to_the_head()
    {
        var tracker = new SequenceTracker();
        tracker.Restore(41, null);

        var gap = Handshake(tracker, Session(resumed: true, cursor: 5), sentSince: 41, resyncRequired: false);

        Assert.Equal(GapReason.ServerReset, gap!.Reason);
        Assert.Equal(42, gap.Expected);
        Assert.Equal(5, tracker.Last);
        Assert.Equal(SequenceVerdict.InOrder, tracker.Check(6));
    }

    [Fact]
    public void A_new_epoch_is_a_server_reset()
    {
        var tracker = new SequenceTracker();
        tracker.Restore(41, "e1");

        var gap = Handshake(tracker, Session(resumed: true, cursor: 60, epoch: "e2", oldest: 1), sentSince: 41, resyncRequired: false);

        Assert.Equal(GapReason.ServerReset, gap!.Reason);
        Assert.Equal("e2", tracker.Epoch);
    }

    [Fact]
    public void A_new_epoch_whose_window_starts_past_since_is_one_report_not_a_reset_and_a_jump()
    {
        var tracker = new SequenceTracker();
        tracker.Restore(41, "e1");

        var gap = Handshake(tracker, Session(resumed: true, cursor: 3000, epoch: "e2", oldest: 1001), sentSince: 41, resyncRequired: false);

        Assert.Equal(GapReason.ServerReset, gap!.Reason);
        Assert.Equal(SequenceVerdict.InOrder, tracker.Check(1001));
    }

    [Fact]
    public void The_first_epoch_seen_is_not_a_change()
    {
        var tracker = new SequenceTracker();
        tracker.Restore(41, null);

        Assert.Null(Handshake(tracker, Session(resumed: true, cursor: 50, epoch: "e9", oldest: 1), sentSince: 41, resyncRequired: false));
    }

    [Fact]
    public void An_evicted_window_reports_the_hole_up_to_the_oldest_retained_and_only_once()
    {
        var tracker = new SequenceTracker();
        tracker.Restore(41, "e1");

        var gap = Handshake(tracker, Session(resumed: true, cursor: 200, epoch: "e1", oldest: 101), sentSince: 41, resyncRequired: false);

        Assert.Equal(GapReason.ReplayWindowExceeded, gap!.Reason);
        Assert.Equal(42, gap.Expected);
        Assert.Equal(101, gap.Received);

        // The first replayed event is then in order: the same hole is never reported twice.
        Assert.Equal(SequenceVerdict.InOrder, tracker.Check(101));
    }

    [Fact]
    public void Legacy_resync_required_reports_everything_up_to_the_head()
    {
        var tracker = new SequenceTracker();
        tracker.Restore(41, null);

        var gap = Handshake(tracker, Session(resumed: true, cursor: 150, oldest: 120), sentSince: 41, resyncRequired: true);

        Assert.Equal(GapReason.ReplayWindowExceeded, gap!.Reason);
        Assert.Equal(42, gap.Expected);
        Assert.Equal(151, gap.Received);
        Assert.Equal(SequenceVerdict.InOrder, tracker.Check(151));
    }
}
