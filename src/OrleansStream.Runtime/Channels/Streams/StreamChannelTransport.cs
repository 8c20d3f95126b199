using Orleans.Streams;
using OrleansStream.Runtime.Tasks;

namespace OrleansStream.Runtime.Channels.Streams;

/// <summary>
/// Channels over an Orleans stream provider (the stock memory streams, say): one stream per receiving
/// task, which the task grain subscribes to implicitly. Such providers deliver each stream in order but
/// may lose envelopes (memory streams do when a consumer falls far behind): the receiver's sequence check
/// turns a loss into a job failure instead of a silent gap.
/// </summary>
internal sealed class StreamChannelTransport(IStreamProvider streams) : IChannelTransport
{
    /// <summary>Stream namespace of task inputs; the stream key is the receiving task's id.</summary>
    public const string Namespace = "orleansstream.task-input";

    public bool MayReorder => false;

    public static StreamId InputStreamOf(TaskId task) => StreamId.Create(Namespace, task.ToString());

    public IChannelSender Connect(TaskId sender, TaskId receiver) => new Sender(streams.GetStream<StreamEnvelope>(InputStreamOf(receiver)));

    private sealed class Sender(IAsyncStream<StreamEnvelope> stream) : IChannelSender
    {
        public Task SendAsync(StreamEnvelope envelope) => stream.OnNextAsync(envelope);

        public Task DrainAsync() => Task.CompletedTask;
    }
}
