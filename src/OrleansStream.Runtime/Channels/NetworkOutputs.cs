using OrleansStream.Codecs;
using OrleansStream.Graph;
using OrleansStream.Operators;
using OrleansStream.Runtime.Checkpoints;
using OrleansStream.Runtime.Tasks;

namespace OrleansStream.Runtime.Channels;

/// <summary>
/// All network outputs of one task: creates a record writer per outgoing edge (with a channel per
/// target subtask on the job's transport) and sends, flushes and completes them together.
/// </summary>
internal sealed class NetworkOutputs(IChannelTransport transport, TaskId task, int maxParallelism, int batchSize) : INetworkOutputFactory, IBarrierOutput
{
    private readonly List<IRecordWriter> _writers = new();
    private readonly List<OutputChannel> _channels = new();

    public long RecordsOut => _writers.Sum(w => w.RecordsOut);

    /// <summary>
    /// The highest watermark sent on any edge: edges that leave the chain before its watermark assigner
    /// (a side output of a parse step) carry none. <see cref="long.MinValue"/> before the first or without edges.
    /// </summary>
    public long LastWatermark => _writers.Count == 0 ? long.MinValue : _writers.Max(w => w.LastWatermark);

    public IOutput<T> Create<T>(JobEdge edge, IRecordCodec<T> codec, Func<T, int>? keyHash)
    {
        var targets = edge.Partitioner == PartitionerKind.Forward
            ? new[] { task.Subtask }
            : Enumerable.Range(0, edge.Target.Parallelism).ToArray();
        var channels = targets
            .Select(target => new OutputChannel(transport.Connect(task, task with { VertexId = edge.Target.Id, Subtask = target }), edge.TargetInput, task.Subtask, task.Attempt))
            .ToArray();
        _channels.AddRange(channels);
        var writer = new RecordWriter<T>(channels, codec, edge.Partitioner, keyHash, maxParallelism, batchSize, task.Subtask);
        _writers.Add(writer);
        return writer;
    }

    public async Task SendPendingAsync()
    {
        foreach (var channel in _channels)
        {
            // A send that a posted completion started may still be waiting on a full channel: wait for it too,
            // so that a full channel slows this task down whoever filled it.
            if (channel.HasPending || channel.IsSending)
            {
                await channel.SendPendingAsync();
            }
        }
    }

    public void FlushOlderThan(long nowMillis, long timeoutMillis)
    {
        foreach (var writer in _writers)
        {
            writer.FlushOlderThan(nowMillis, timeoutMillis);
        }
    }

    public void EmitBarrier(CheckpointBarrier barrier)
    {
        foreach (var writer in _writers)
        {
            writer.EmitBarrier(barrier);
        }
    }

    /// <summary>Ends every channel and waits until the receivers have processed everything (where the transport can tell).</summary>
    public async Task CompleteAsync()
    {
        foreach (var writer in _writers)
        {
            writer.EmitEndOfInput();
        }

        await SendPendingAsync();
        await Task.WhenAll(_channels.Select(c => c.DrainAsync()));
    }
}
