using OrleansStream.Time;

namespace OrleansStream.Tests.Model;

public class WatermarkTests
{
    [Fact]
    public void Bounded_out_of_orderness_trails_the_maximum_by_the_bound()
    {
        var generator = new BoundedOutOfOrdernessWatermarks(TimeSpan.FromSeconds(5));
        generator.OnEvent(10_000);
        generator.OnEvent(7_000);
        Assert.Equal(10_000 - 5_000 - 1, generator.CurrentWatermark);
        generator.OnEvent(12_000);
        Assert.Equal(12_000 - 5_000 - 1, generator.CurrentWatermark);
    }

    [Fact]
    public void Ascending_timestamps_are_the_zero_bound()
    {
        var generator = WatermarkStrategy<long>.ForMonotonousTimestamps().CreateGenerator();
        generator.OnEvent(100);
        Assert.Equal(99, generator.CurrentWatermark);
    }

    [Fact]
    public void Tracker_takes_the_minimum_over_channels_and_never_goes_back()
    {
        var tracker = new WatermarkTracker(3);
        Assert.False(tracker.Update(0, 100, out _));
        Assert.False(tracker.Update(1, 50, out _));
        Assert.True(tracker.Update(2, 70, out long combined));
        Assert.Equal(50, combined);
        Assert.True(tracker.Update(1, 200, out combined));
        Assert.Equal(70, combined);
        Assert.False(tracker.Update(2, 60, out combined));
        Assert.Equal(70, combined);
    }

    [Fact]
    public void Idle_channel_is_left_out_until_it_is_active_again()
    {
        var tracker = new WatermarkTracker(2);
        tracker.Update(0, 500, out _);
        Assert.True(tracker.MarkIdle(1, out long combined));
        Assert.Equal(500, combined);
        Assert.False(tracker.AllIdle);

        // Waking up behind the others does not move the watermark back; it holds it until caught up.
        Assert.False(tracker.Update(1, 100, out combined));
        Assert.Equal(500, combined);
        Assert.False(tracker.Update(0, 900, out _));
        Assert.True(tracker.Update(1, 800, out combined));
        Assert.Equal(800, combined);
    }

    [Fact]
    public void Ended_channels_count_as_the_end_of_time()
    {
        var tracker = new WatermarkTracker(2);
        tracker.Update(0, 10, out _);
        Assert.True(tracker.MarkEnded(1, out long combined));
        Assert.Equal(10, combined);
        Assert.True(tracker.MarkEnded(0, out combined));
        Assert.Equal(Watermark.EndOfTime, combined);
    }

    [Fact]
    public void All_idle_is_reported()
    {
        var tracker = new WatermarkTracker(2);
        tracker.MarkIdle(0, out _);
        tracker.MarkIdle(1, out _);
        Assert.True(tracker.AllIdle);
    }

    [Fact]
    public void An_ended_channel_beside_an_idle_one_does_not_jump_to_the_end_of_time()
    {
        var tracker = new WatermarkTracker(2);
        tracker.Update(0, 100, out _);
        tracker.Update(1, 200, out _);
        tracker.MarkIdle(1, out _);
        Assert.False(tracker.MarkEnded(0, out long combined));
        Assert.Equal(100, combined);
        Assert.True(tracker.MarkEnded(1, out combined));
        Assert.Equal(Watermark.EndOfTime, combined);
    }
}
