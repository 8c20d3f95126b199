using OrleansStream.Codecs;
using OrleansStream.Graph;
using OrleansStream.Operators;
using OrleansStream.Runtime.Checkpoints;
using OrleansStream.Runtime.Rescaling;
using OrleansStream.Runtime.Tasks;

namespace OrleansStream.Runtime.Channels;

/// <summary>
/// All network outputs of one task: creates a record writer per outgoing edge (with a channel per
/// target subtask on the job's transport) and sends, flushes and completes them together.
/// </summary>
internal sealed class NetworkOutputs(IChannelTransport transport, TaskId task, int maxParallelism, int batchSize) : INetworkOutputFactory, IBarrierOutput
{
    private readonly List<(JobEdge Edge, IRecordWriter Writer)> _edges = new();
    private readonly List<(TaskId Target, OutputChannel Channel)> _channels = new();
    private bool _completed;

    public long RecordsOut => _edges.Sum(e => e.Writer.RecordsOut);

    /// <summary>
    /// The highest watermark sent on any edge: edges that leave the chain before its watermark assigner
    /// (a side output of a parse step) carry none. <see cref="long.MinValue"/> before the first or without edges.
    /// </summary>
    public long LastWatermark => _edges.Count == 0 ? long.MinValue : _edges.Max(e => e.Writer.LastWatermark);

    public IOutput<T> Create<T>(JobEdge edge, IRecordCodec<T> codec, Func<T, int>? keyHash)
    {
        var targets = edge.Partitioner == PartitionerKind.Forward
            ? new[] { task.Subtask }
            : Enumerable.Range(0, edge.Target.Parallelism).ToArray();
        var channels = targets.Select(target => Connect(edge, target)).ToArray();
        var writer = new RecordWriter<T>(channels, codec, edge.Partitioner, keyHash, maxParallelism, batchSize, task.Subtask);
        _edges.Add((edge, writer));
        return writer;
    }

    /// <summary>
    /// Connects every edge into vertex <paramref name="targetVertex"/> to its subtasks up to <paramref name="parallelism"/> (scaled up);
    /// once this task has completed its output, the new channels end at once.
    /// </summary>
    public void ConnectTargets(int targetVertex, int parallelism)
    {
        foreach (var (edge, writer) in EdgesInto(targetVertex))
        {
            var added = Enumerable.Range(writer.ChannelCount, Math.Max(0, parallelism - writer.ChannelCount)).Select(target => Connect(edge, target)).ToList();
            writer.AddChannels(added);
            if (_completed)
            {
                added.ForEach(channel => channel.EnqueueControl(EnvelopeKind.EndOfInput));
            }
        }
    }

    /// <summary>Routes the key groups of <paramref name="step"/> to their new owners on every edge into the step's vertex.</summary>
    public void Reroute(RescaleStep step)
    {
        // Ended channels send nothing more, and count as past every marker.
        if (_completed)
        {
            return;
        }

        foreach (var (_, writer) in EdgesInto(step.VertexId))
        {
            writer.Reroute(step);
        }
    }

    /// <summary>Ends the channels of every edge into vertex <paramref name="targetVertex"/> to its subtasks from <paramref name="parallelism"/> on (scaled down).</summary>
    public void RetireTargets(int targetVertex, int parallelism)
    {
        if (_completed)
        {
            return;
        }

        foreach (var (_, writer) in EdgesInto(targetVertex))
        {
            writer.RetireChannels(parallelism);
        }
    }

    private IEnumerable<(JobEdge Edge, IRecordWriter Writer)> EdgesInto(int targetVertex) => _edges.Where(e => e.Edge.Target.Id == targetVertex);

    private OutputChannel Connect(JobEdge edge, int target)
    {
        var receiver = task with { VertexId = edge.Target.Id, Subtask = target };
        var channel = new OutputChannel(transport.Connect(task, receiver), edge.TargetInput, task.Subtask, task.Attempt);
        _channels.Add((receiver, channel));
        return channel;
    }

    /// <summary>Whether every channel has ended (the task finished).</summary>
    public bool IsCompleted => _completed;

    /// <summary>Where every channel's numbering stands, for the task's next activation on another silo; call once everything sent is drained.</summary>
    public IReadOnlyList<OutputChannelState> ExportChannels()
        => _channels.Select(c => new OutputChannelState(c.Target.VertexId, c.Target.Subtask, c.Channel.Input, c.Channel.NextSequence)).ToList();

    /// <summary>
    /// Goes on from the channels of the task's previous activation (<see cref="ExportChannels"/>): each numbers its
    /// envelopes on from there, and ended ones (<paramref name="completed"/>) stay ended without a second end of input.
    /// </summary>
    public void RestoreChannels(IReadOnlyList<OutputChannelState> channels, bool completed)
    {
        var next = channels.ToDictionary(c => (c.TargetVertex, c.TargetSubtask, c.Input), c => c.NextSequence);
        foreach (var (target, channel) in _channels)
        {
            if (next.TryGetValue((target.VertexId, target.Subtask, channel.Input), out long sequence))
            {
                channel.NextSequence = sequence;
            }
        }

        _completed = completed;
    }

    public async Task SendPendingAsync()
    {
        foreach (var (_, channel) in _channels)
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
        foreach (var (_, writer) in _edges)
        {
            writer.FlushOlderThan(nowMillis, timeoutMillis);
        }
    }

    public void EmitBarrier(CheckpointBarrier barrier)
    {
        foreach (var (_, writer) in _edges)
        {
            writer.EmitBarrier(barrier);
        }
    }

    /// <summary>Ends every channel and waits until the receivers have processed everything (where the transport can tell).</summary>
    public async Task CompleteAsync()
    {
        _completed = true;
        foreach (var (_, writer) in _edges)
        {
            writer.EmitEndOfInput();
        }

        await SendAndDrainAsync();
    }

    /// <summary>Sends every record written so far, in batches not yet full too, and waits until the receivers have processed it (where the transport can tell).</summary>
    public Task FlushAndDrainAsync()
    {
        FlushOlderThan(Environment.TickCount64, 0);
        return SendAndDrainAsync();
    }

    private async Task SendAndDrainAsync()
    {
        await SendPendingAsync();
        await Task.WhenAll(_channels.Select(c => c.Channel.DrainAsync()));
    }
}
