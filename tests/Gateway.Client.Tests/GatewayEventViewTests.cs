using System.Text;
using System.Text.Json;
using Gateway.Client.Dialects;
using Gateway.Client.Engine;
using Gateway.Client.Wire;
using Gateway.Client.PraisonAI;

namespace Gateway.Client.Tests;

/// <summary>
/// A lent view's bytes: read while its batch is current, on any thread, they are the event's; once the batch is
/// released, even while a read is under way on another thread, reading them throws <see cref="InvalidOperationException"/>,
/// never another exception and never another event's bytes (README, "Reading in batches").
/// </summary>
public class GatewayEventViewTests
{
    private static byte[] Frame(long seq) => Encoding.UTF8.GetBytes($$"""{"type":"message","data":{"n":{{seq}}},"seq":{{seq}}}""");

    /// <summary>A batch lending one event whose bytes lie in a pooled slab (from <paramref name="recycler"/>), as the receive loop leaves it.</summary>
    private static LentBatch Lend(LentBatch batch, byte[] frame, long seq, EventBodyShape shape = EventBodyShape.Envelope, SlabRecycler? recycler = null, EventContext? context = null)
    {
        var slab = PayloadSlab.Rent(frame.Length, recycler);
        frame.CopyTo(slab.Array, 0);
        slab.Hold(); // the event's
        batch.Add(StreamItem.ForEvent(slab, 0, frame.Length, "message", seq, false, shape, context));
        slab.Release(); // the reader moved on: the batch holds the only hold
        return batch;
    }

    [Theory]
    [InlineData((int)EventBodyShape.Envelope)]
    [InlineData((int)EventBodyShape.PayloadField)]
    public void Every_byte_accessor_of_a_released_view_throws_InvalidOperationException_and_its_name_stays(int bodyShape)
    {
        var shape = (EventBodyShape)bodyShape;
        var point = new GatewayResumePoint("s1", "e1", 4);
        var batch = Lend(new LentBatch(1), Encoding.UTF8.GetBytes("""{"type":"response","content":"ok","payload":{"content":"ok"},"event_id":"e-4","timestamp":1764240000,"seq":4}"""), 4, shape, context: EventContext.For(point));
        var view = batch.Current[0];
        Assert.Equal("ok", view.GetData(PraisonAIJsonContext.Default.ResponseData).Content);

        batch.Release();

        Assert.False(view.IsAvailable);
        Assert.Throws<InvalidOperationException>(() => view.Utf8Frame.Length);
        Assert.Throws<InvalidOperationException>(() => view.Frame);
        Assert.Throws<InvalidOperationException>(() => view.Utf8Data.Length);
        Assert.Throws<InvalidOperationException>(() => view.Data);
        Assert.Throws<InvalidOperationException>(() => view.EventId);
        Assert.Throws<InvalidOperationException>(() => view.Timestamp);
        Assert.Throws<InvalidOperationException>(() => view.GetData(PraisonAIJsonContext.Default.ResponseData));
        Assert.Throws<InvalidOperationException>(() => view.ToEvent());
        Assert.Throws<InvalidOperationException>(() => default(GatewayEventView).ToEvent());
        Assert.Equal(("message", 4L), (view.Type, view.Sequence!.Value));
        Assert.Equal(point, view.ResumePoint); // its own, like its sequence
        Assert.Equal("message #4", view.ToString());
    }

    [Theory]
    [InlineData((int)EventBodyShape.Envelope, """{"type":"token_stream","data":{"content":"hel"},"event_id":"e-7","timestamp":"2026-11-27T10:00:00+00:00","seq":7}""")]
    [InlineData((int)EventBodyShape.Envelope, """{"type":"response","status":"final","content":"ok","event_id":"e-7","timestamp":1764240000.25,"seq":7}""")]
    [InlineData((int)EventBodyShape.PayloadField, """{"type":"event","event":"chat","payload":{"state":"delta"},"seq":7}""")]
    [InlineData((int)EventBodyShape.PayloadField, """{"type":"workflowProgress","payload":{"workflowId":"wf"},"timestamp":"2026-11-27T10:00:00Z"}""")]
    public void A_view_has_the_members_of_its_event_with_the_same_values(int bodyShape, string frame)
    {
        var shape = (EventBodyShape)bodyShape;
        var batch = Lend(new LentBatch(1), Encoding.UTF8.GetBytes(frame), 7, shape, context: EventContext.ForSession("s1", "e1", resumesStream: true, Gateway.Client.Wire.ClientJson.BuiltIn));
        var view = batch.Current[0];
        var copy = view.ToEvent();

        Assert.Equal(frame, Encoding.UTF8.GetString(view.Utf8Frame.Span));
        Assert.Equal(Encoding.UTF8.GetString(copy.Utf8Frame.Span), Encoding.UTF8.GetString(view.Utf8Frame.Span));
        Assert.Equal(copy.Frame.GetRawText(), view.Frame.GetRawText());
        Assert.Equal(Encoding.UTF8.GetString(copy.Utf8Data.Span), Encoding.UTF8.GetString(view.Utf8Data.Span));
        Assert.Equal(copy.Data.GetRawText(), view.Data.GetRawText());
        Assert.Equal(copy.EventId, view.EventId);
        Assert.Equal(copy.Timestamp, view.Timestamp);
        Assert.Equal((copy.Type, copy.Sequence, copy.IsReplay), (view.Type, view.Sequence, view.IsReplay));
        Assert.Equal(new GatewayResumePoint("s1", "e1", 7), view.ResumePoint);
        Assert.Equal(view.ResumePoint, copy.ResumePoint);

        // What a view parses is its own: it outlives the batch.
        var data = view.Data;
        batch.Release();
        Assert.Equal(copy.Data.GetRawText(), data.GetRawText());
    }

    [Fact]
    public void A_kept_batch_refuses_every_member_and_never_shows_the_next_batch()
    {
        var lent = new LentBatch(2);
        Lend(Lend(lent, Frame(1), 1), Frame(2), 2);
        var kept = lent.Current;
        var keptView = kept[0];
        Assert.Equal(2, kept.Count);

        // The enumeration moves on: the same buffer now lends the next batch.
        lent.Release();
        Lend(lent, Frame(3), 3);
        var next = lent.Current;

        Assert.False(kept.IsAvailable);
        Assert.Throws<InvalidOperationException>(() => kept.Count);
        Assert.Throws<InvalidOperationException>(() => kept[0]);
        Assert.Throws<InvalidOperationException>(() => kept.GetEnumerator());
        Assert.Throws<InvalidOperationException>(() => ((IEnumerable<GatewayEventView>)kept).First());
        Assert.Throws<InvalidOperationException>(() => keptView.Utf8Frame);
        Assert.Contains("released", kept.ToString());
        kept.Dispose(); // does nothing: above all, it must not release the next batch
        Assert.True(next.IsAvailable);
        Assert.Equal(new long?[] { 3 }, next.Select(e => e.Sequence));
        Assert.Equal(Frame(3), next[0].Utf8Frame.ToArray());
    }

    [Fact]
    public void The_default_batch_is_an_empty_list_as_IReadOnlyList_promises()
    {
        var empty = default(GatewayEventBatch);

        var count = empty.Count;
        Assert.Equal(0, count);
        Assert.Empty(empty);
        Assert.Throws<ArgumentOutOfRangeException>(() => empty[0]);
        Assert.False(empty.IsAvailable);
        Assert.Equal("empty batch", empty.ToString());
        empty.Dispose();
    }

    [Fact]
    public void A_stale_stamp_never_releases_the_batch_lent_after_it()
    {
        var lent = Lend(new LentBatch(1), Frame(1), 1);
        var stale = lent.Current;
        lent.Release(); // the enumeration moves on
        var current = Lend(lent, Frame(2), 2).Current;

        stale.Dispose(); // the version is checked where the release happens

        Assert.True(current.IsAvailable);
        Assert.Equal(1, lent.Count);
        current.Dispose();
        Assert.Equal(0, lent.Count);
    }

    [Fact]
    public void A_batch_disposed_while_current_is_released_and_refuses()
    {
        var lent = Lend(new LentBatch(1), Frame(1), 1);
        var batch = lent.Current;
        var view = batch[0];

        batch.Dispose();

        Assert.Equal(0, lent.Count);
        Assert.False(view.IsAvailable);
        Assert.Throws<InvalidOperationException>(() => batch.Count);
    }

    [Fact]
    public void A_batch_released_in_the_middle_of_a_copy_refuses_the_copy_even_when_the_buffer_already_holds_the_next_event()
    {
        var batch = Lend(new LentBatch(1), Frame(1), 1);
        var view = batch.Current[0];

        // The read a ToEvent or GetData does, with the consumer moving on half-way: the batch is released, its buffer goes
        // back to the pool and is rented for the next message (most likely the same array), which is written over it.
        var error = Assert.Throws<InvalidOperationException>(() => view.Read(batch, static (bytes, lent) =>
        {
            lent.Release();
            var next = PayloadSlab.Rent(64);
            Frame(2).CopyTo(next.Array, 0);
            var copied = bytes.ToArray();
            next.Release();
            return copied;
        }));

        Assert.Contains("message #1", error.Message);
    }

    [Fact]
    public void A_read_that_fails_because_the_batch_was_released_under_it_throws_InvalidOperationException_and_a_current_one_its_own_error()
    {
        var batch = Lend(new LentBatch(1), Frame(1), 1);
        var view = batch.Current[0];

        // Bytes overwritten under a parse make it fail in any way at all: that says nothing about the event.
        Assert.Throws<InvalidOperationException>(() => view.Read<LentBatch, int>(batch, static (_, lent) =>
        {
            lent.Release();
            throw new JsonException("'}' is invalid after a value");
        }));

        // While the batch is current, a read's own error is the app's to see (a body that does not match its type).
        var current = Lend(new LentBatch(1), Encoding.UTF8.GetBytes("""{"type":"message","data":{"n":"one"},"seq":2}"""), 2).Current[0];
        Assert.Contains("message #2", Assert.Throws<JsonException>(() => current.GetData(AppJsonContext.Default.Counted)).Message);
    }

    /// <summary>
    /// One thread reads each view while the consumer's thread releases its batch and reuses the buffer for the next
    /// event (as the receive loop does): every read is the event's own bytes or <see cref="InvalidOperationException"/>.
    /// </summary>
    [Fact]
    public async Task A_view_read_on_another_thread_while_the_consumer_moves_on_is_its_own_bytes_or_InvalidOperationException()
    {
        const int Rounds = 10_000;
        var recycler = new SlabRecycler();
        var batch = new LentBatch(1);
        Lent? current = null;
        var reading = 0;
        var done = false;
        var outcomes = new Outcomes();

        var reader = Task.Factory.StartNew(
            () =>
            {
                while (!Volatile.Read(ref done))
                {
                    if (Volatile.Read(ref current) is not { } lent)
                    {
                        continue;
                    }

                    Volatile.Write(ref reading, lent.Round);
                    outcomes.Record(lent, () => lent.View.ToEvent().Utf8Frame.ToArray());
                    outcomes.Record(lent, () => Encoding.UTF8.GetBytes(lent.View.Frame.GetRawText()));
                    outcomes.Record(lent, () => Encoding.UTF8.GetBytes(lent.View.GetData(AppJsonContext.Default.Counted).N.ToString(System.Globalization.CultureInfo.InvariantCulture)), lent.Number);
                    outcomes.Record(lent, () => lent.View.Utf8Data.ToArray(), bytesVouched: false);
                    outcomes.Record(lent, () => lent.View.Utf8Frame.ToArray(), bytesVouched: false);
                }
            },
            TaskCreationOptions.LongRunning);

        for (var round = 1; round <= Rounds; round++)
        {
            var frame = Frame(round);
            Lend(batch, frame, round, recycler: recycler);
            Volatile.Write(ref current, new Lent(round, batch.Current[0], frame));

            // Released as the other thread starts reading it; its slab's array goes back to the pool, and the next round
            // (this thread again) most likely rents the same array and writes the next event over it.
            var spin = default(SpinWait);
            while (Volatile.Read(ref reading) < round && !reader.IsCompleted)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }

            batch.Release();
        }

        Volatile.Write(ref done, true);
        await reader.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Empty(outcomes.Failures);
        Assert.True(outcomes.Read > 0 && outcomes.Refused > 0, $"{outcomes.Read} reads, {outcomes.Refused} refusals: the race was not exercised");
    }

    private sealed record Lent(int Round, GatewayEventView View, byte[] Frame)
    {
        public byte[] Number => Encoding.UTF8.GetBytes(Round.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>What the reading thread saw: reads, refusals, and anything else (a failure).</summary>
    private sealed class Outcomes
    {
        private readonly List<string> _failures = new();

        public int Read { get; private set; }

        public int Refused { get; private set; }

        public IReadOnlyList<string> Failures => _failures;

        /// <param name="lent">The view and the frame it was lent with.</param>
        /// <param name="read">A read of the view's bytes.</param>
        /// <param name="expected">What a read that returns must have read (the frame when null); only checked when <paramref name="bytesVouched"/>.</param>
        /// <param name="bytesVouched">Whether the accessor vouches for its bytes after it returns (a span does not: it is valid only while the batch is current).</param>
        public void Record(Lent lent, Func<byte[]> read, byte[]? expected = null, bool bytesVouched = true)
        {
            try
            {
                var bytes = read();
                Read++;
                if (bytesVouched && !bytes.AsSpan().SequenceEqual(expected ?? lent.Frame))
                {
                    Fail($"round {lent.Round}: read {Encoding.UTF8.GetString(bytes)}");
                }
            }
            catch (InvalidOperationException)
            {
                Refused++;
            }
            catch (Exception ex)
            {
                Fail($"round {lent.Round}: {ex.GetType().Name}: {ex.Message}");
            }
        }

        private void Fail(string failure)
        {
            if (_failures.Count < 10)
            {
                _failures.Add(failure);
            }
        }
    }
}
