using Orleans.Runtime;
using Orleans.Streams;
using OrleansStream.Runtime.Streaming.Push;

namespace OrleansStream.Tests.Runtime;

public class PushStreamConsumerTests
{
    private static readonly StreamId Stream = StreamId.Create("ns", "key");

    private sealed class Recorder : IAsyncObserver<int>
    {
        public List<int> Items { get; } = new();

        public bool Completed { get; private set; }

        public Task OnNextAsync(int item, StreamSequenceToken? token = null)
        {
            Items.Add(item);
            return Task.CompletedTask;
        }

        public Task OnCompletedAsync()
        {
            Completed = true;
            return Task.CompletedTask;
        }

        public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
    }

    private static PushDelivery Item(Guid producer, long sequence, long firstUnacknowledged = 0)
        => new() { StreamId = Stream, Producer = producer, Sequence = sequence, Kind = PushDeliveryKind.Item, Item = (int)sequence, FirstUnacknowledged = firstUnacknowledged };

    private static (PushStreamConsumerExtension, Recorder) Consumer()
    {
        var extension = new PushStreamConsumerExtension(default);
        var recorder = new Recorder();
        extension.Attach(Stream, "push", recorder);
        return (extension, recorder);
    }

    [Fact]
    public async Task Early_items_wait_for_the_gap_and_everything_is_delivered_in_order()
    {
        var (consumer, recorder) = Consumer();
        var producer = Guid.NewGuid();

        Assert.Equal(-1, await consumer.DeliverAsync(Item(producer, 2)));
        Assert.Equal(-1, await consumer.DeliverAsync(Item(producer, 1)));
        Assert.Empty(recorder.Items);
        Assert.Equal(2, await consumer.DeliverAsync(Item(producer, 0)));
        Assert.Equal(new[] { 0, 1, 2 }, recorder.Items);
    }

    [Fact]
    public async Task Resent_items_are_dropped_and_acknowledged_again()
    {
        var (consumer, recorder) = Consumer();
        var producer = Guid.NewGuid();
        await consumer.DeliverAsync(Item(producer, 0));
        await consumer.DeliverAsync(Item(producer, 1));

        Assert.Equal(1, await consumer.DeliverAsync(Item(producer, 0)));
        Assert.Equal(1, await consumer.DeliverAsync(Item(producer, 1)));
        Assert.Equal(new[] { 0, 1 }, recorder.Items);
    }

    [Fact]
    public async Task Producers_are_sequenced_independently()
    {
        var (consumer, recorder) = Consumer();
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        await consumer.DeliverAsync(Item(a, 0));
        await consumer.DeliverAsync(Item(b, 0));
        await consumer.DeliverAsync(Item(b, 1));
        Assert.Equal(new[] { 0, 0, 1 }, recorder.Items);
    }

    [Fact]
    public async Task A_new_consumer_activation_starts_at_the_producers_first_unacknowledged_item()
    {
        var (consumer, recorder) = Consumer();
        var producer = Guid.NewGuid();

        // Items 0..4 were acknowledged by an earlier activation; 5 and 6 are in flight, 6 first.
        Assert.Equal(4, await consumer.DeliverAsync(Item(producer, 6, firstUnacknowledged: 5)));
        Assert.Equal(6, await consumer.DeliverAsync(Item(producer, 5, firstUnacknowledged: 5)));
        Assert.Equal(new[] { 5, 6 }, recorder.Items);
    }

    [Fact]
    public async Task A_resend_with_a_newer_acknowledgement_moves_a_fresh_consumer_forward()
    {
        var (consumer, recorder) = Consumer();
        var producer = Guid.NewGuid();

        // Sent while 4 was unacknowledged; 4 was then acknowledged by an earlier activation.
        Assert.Equal(3, await consumer.DeliverAsync(Item(producer, 5, firstUnacknowledged: 4)));
        Assert.Empty(recorder.Items);

        // The producer resends 5 stamped with what it knows now: everything before 5 was processed.
        Assert.Equal(5, await consumer.DeliverAsync(Item(producer, 5, firstUnacknowledged: 5)));
        Assert.Equal(new[] { 5 }, recorder.Items);
    }

    [Fact]
    public async Task Completion_is_delivered_after_the_items_before_it()
    {
        var (consumer, recorder) = Consumer();
        var producer = Guid.NewGuid();
        await consumer.DeliverAsync(new PushDelivery { StreamId = Stream, Producer = producer, Sequence = 1, Kind = PushDeliveryKind.Completed });
        Assert.False(recorder.Completed);
        await consumer.DeliverAsync(Item(producer, 0));
        Assert.True(recorder.Completed);
        Assert.Equal(new[] { 0 }, recorder.Items);
    }

    [Fact]
    public async Task An_item_for_a_stream_nobody_subscribed_to_is_an_error()
    {
        var consumer = new PushStreamConsumerExtension(default);
        await Assert.ThrowsAsync<InvalidOperationException>(() => consumer.DeliverAsync(Item(Guid.NewGuid(), 0)));
    }
}
