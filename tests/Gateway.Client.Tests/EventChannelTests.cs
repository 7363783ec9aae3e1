using Gateway.Client.Engine;

namespace Gateway.Client.Tests;

public class EventChannelTests
{
    private static StreamItem Item(long seq) => StreamItem.ForEvent(new GatewayEvent("message", seq, false, "{}"u8.ToArray()));

    [Fact]
    public async Task Writes_wait_when_the_buffer_is_full_and_resume_when_the_consumer_takes_one()
    {
        var channel = new EventChannel(capacity: 2);

        Assert.True(channel.WriteAsync(Item(1), default).IsCompletedSuccessfully);
        Assert.True(channel.WriteAsync(Item(2), default).IsCompletedSuccessfully);
        var third = channel.WriteAsync(Item(3), default).AsTask();
        Assert.False(third.IsCompleted);

        Assert.True(channel.TryRead(out var first));
        await third.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, first.Event!.Sequence);
        Assert.Equal(2, channel.Count);
    }

    [Fact]
    public void End_markers_never_wait_and_take_no_capacity()
    {
        var channel = new EventChannel(capacity: 1);
        Assert.True(channel.WriteAsync(Item(1), default).IsCompletedSuccessfully);

        channel.WriteEndOfRun(1, null);
        channel.WriteEndOfRun(2, new InvalidOperationException());

        Assert.True(channel.TryRead(out _));
        Assert.True(channel.WriteAsync(Item(2), default).IsCompletedSuccessfully);
        Assert.True(channel.TryRead(out var end));
        Assert.Equal(1, end.EndOfRun);
    }

    [Fact]
    public void Only_one_reader_at_a_time()
    {
        var channel = new EventChannel(capacity: 1);

        Assert.True(channel.TryClaimReader());
        Assert.False(channel.TryClaimReader());
        channel.ReleaseReader();
        Assert.True(channel.TryClaimReader());
    }
}
