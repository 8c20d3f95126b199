using OrleansStream.Codecs;
using OrleansStream.Functions;

namespace OrleansStream.Operators;

/// <summary>
/// Async I/O (Flink's AsyncWaitOperator): calls an <see cref="IAsyncFunction{TIn, TOut}"/> for each record,
/// with at most <c>capacity</c> calls started and not yet emitted, and emits each call's results with the
/// record's timestamp, in input order or as calls complete but never across a watermark. Records beyond
/// the capacity wait, unstarted, in arrival order. Completions and timeouts come back through the task's
/// <see cref="ITaskMailbox"/>, so the operator is only ever touched in the task's turn.
/// </summary>
/// <remarks>
/// Every record received and not yet emitted (waiting, in flight, or completed behind a slower one) is
/// operator state: a restored subtask calls again for those, in their order, before any new input.
/// Watermarks are not state: upstream sends them again after a restore.
/// </remarks>
public sealed class AsyncWaitOperator<TIn, TOut> : OneInputOperator<TIn, TOut>, ICheckpointedOperator, IBackpressuredOperator
{
    private readonly IAsyncFunction<TIn, TOut> _function;
    private readonly AsyncOutputMode _mode;
    private readonly TimeSpan _timeout;
    private readonly int _capacity;
    private readonly IRecordCodec<TIn> _codec;
    private readonly PayloadWriter _writer = new(256);

    /// <summary>Records and watermarks in arrival order, until emitted.</summary>
    private readonly LinkedList<Entry> _entries = new();

    /// <summary>Unordered mode: records completed behind a watermark still held, in the order they completed.</summary>
    private readonly List<Entry> _completedBehindWatermark = new();

    /// <summary>The first record not started yet; every record after it is unstarted too.</summary>
    private LinkedListNode<Entry>? _nextToStart;
    private int _started;
    private long _watermarksReceived;
    private long _watermarksEmitted;
    private long _recordsOut;
    private bool _closed;
    private TaskCompletionSource? _capacityWaiter;
    private TaskCompletionSource? _drainWaiter;

    public AsyncWaitOperator(string name, IAsyncFunction<TIn, TOut> function, AsyncOutputMode mode, TimeSpan timeout, int capacity, IRecordCodec<TIn> codec)
        : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _function = function;
        _mode = mode;
        _timeout = timeout;
        _capacity = capacity;
        _codec = codec;
    }

    public override long RecordsOut => _recordsOut;

    /// <summary>Calls started and not yet emitted.</summary>
    public int InFlight => _started;

    /// <summary>Records received and not yet emitted, started or not.</summary>
    public int Pending => _entries.Count(e => !e.IsWatermark);

    private bool HasCapacity => _nextToStart is null && _started < _capacity;

    public override void Open(OperatorContext context)
    {
        base.Open(context);

        // Started on the first call into the operator (an element, a watermark or a tick), in the task's turn.
        foreach (var bytes in context.State.RestoredOperatorState)
        {
            var reader = new PayloadReader(bytes);
            long timestamp = reader.ReadVarInt64();
            Append(new Entry { Value = _codec.Read(ref reader), Timestamp = timestamp, Segment = _watermarksReceived });
        }
    }

    public override void ProcessElement(TIn value, long timestamp)
    {
        Append(new Entry { Value = value, Timestamp = timestamp, Segment = _watermarksReceived });
        StartWaiting();
    }

    public override void ProcessWatermark(long watermark)
    {
        StartWaiting();
        _watermarksReceived++;
        if (_entries.Count == 0)
        {
            _watermarksEmitted++;
            Output.EmitWatermark(watermark);
            return;
        }

        // Held until every record before it has been emitted: results never pass a watermark.
        _entries.AddLast(new Entry { IsWatermark = true, Timestamp = watermark });
    }

    public override void OnProcessingTime(long now) => StartWaiting();

    public override void Finish() => StartWaiting();

    public IReadOnlyList<byte[]> SnapshotOperatorState(long checkpointId)
    {
        var items = new List<byte[]>(_entries.Count);
        foreach (var entry in _entries)
        {
            if (!entry.IsWatermark)
            {
                _writer.Reset();
                _writer.WriteVarInt64(entry.Timestamp);
                _codec.Write(_writer, entry.Value);
                items.Add(_writer.ToArray());
            }
        }

        return items;
    }

    // Both start what waits first: after a restore the task may wait here before any element, watermark or
    // tick has reached the operator (a barrier or an empty read came first), and nothing else would start the
    // restored calls whose completions the wait needs.
    public ValueTask WaitForCapacityAsync()
    {
        StartWaiting();
        return Wait(HasCapacity, ref _capacityWaiter);
    }

    public ValueTask WaitUntilDrainedAsync()
    {
        StartWaiting();
        return Wait(_entries.Count == 0, ref _drainWaiter);
    }

    public override ValueTask CloseAsync()
    {
        _closed = true;
        foreach (var entry in _entries)
        {
            // Only calls still running have a token source; the results of those are dropped.
            entry.Cancel?.Cancel();
        }

        _entries.Clear();
        _completedBehindWatermark.Clear();
        _nextToStart = null;
        _capacityWaiter?.TrySetCanceled();
        _drainWaiter?.TrySetCanceled();
        return ValueTask.CompletedTask;
    }

    private ValueTask Wait(bool ready, ref TaskCompletionSource? waiter)
    {
        if (_closed)
        {
            return ValueTask.FromCanceled(new CancellationToken(canceled: true));
        }

        // Continuations run asynchronously: the task's code must not resume inside the operator's emit.
        return ready ? ValueTask.CompletedTask : new ValueTask((waiter ??= new(TaskCreationOptions.RunContinuationsAsynchronously)).Task);
    }

    private void Append(Entry entry)
    {
        entry.Node = _entries.AddLast(entry);
        _nextToStart ??= entry.Node;
    }

    private void StartWaiting()
    {
        while (_nextToStart is { } node && _started < _capacity)
        {
            _nextToStart = NextRecord(node.Next);
            Start(node.Value);
        }
    }

    private static LinkedListNode<Entry>? NextRecord(LinkedListNode<Entry>? node)
    {
        while (node is not null && node.Value.IsWatermark)
        {
            node = node.Next;
        }

        return node;
    }

    private void Start(Entry entry)
    {
        _started++;

        // The timeout counts from the start of the call, not from when the record arrived.
        var cancel = _timeout > TimeSpan.Zero ? new CancellationTokenSource(_timeout, Context.Clock) : new CancellationTokenSource();
        entry.Cancel = cancel;
        if (_timeout > TimeSpan.Zero)
        {
            cancel.Token.Register(static state =>
            {
                var (op, timedOut) = ((AsyncWaitOperator<TIn, TOut>, Entry))state!;
                op.Context.Mailbox.Post(() => op.OnTimeout(timedOut));
            }, (this, entry));
        }

        ValueTask<IReadOnlyCollection<TOut>> call;
        try
        {
            call = _function.InvokeAsync(entry.Value, cancel.Token);
        }
        catch (Exception ex)
        {
            throw new OperatorException(Name, ex);
        }

        _ = ReportWhenDoneAsync(entry, call);
    }

    /// <summary>Waits for the call wherever it completes and posts its outcome to the task's turn; never throws.</summary>
    private async Task ReportWhenDoneAsync(Entry entry, ValueTask<IReadOnlyCollection<TOut>> call)
    {
        IReadOnlyCollection<TOut>? results = null;
        Exception? error = null;
        try
        {
            results = await call.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            error = ex;
        }

        Context.Mailbox.Post(() => OnCompleted(entry, results, error));
    }

    private void OnCompleted(Entry entry, IReadOnlyCollection<TOut>? results, Exception? error)
    {
        // The call is over: its token is no longer used by anyone.
        var cancel = entry.Cancel!;
        bool timedOut = cancel.IsCancellationRequested;
        entry.Cancel = null;
        cancel.Dispose();
        if (_closed || entry.Results is not null)
        {
            // Closed, or timed out before: the fallback stands.
            return;
        }

        if (error is not null)
        {
            // A call that gave up because its own timeout cancelled it is a timeout, whichever is reported first.
            if (timedOut && error is OperationCanceledException)
            {
                OnTimeout(entry);
                return;
            }

            throw new OperatorException(Name, error);
        }

        Complete(entry, results ?? Array.Empty<TOut>());
    }

    private void OnTimeout(Entry entry)
    {
        if (_closed || entry.Results is not null || entry.Node?.List is null)
        {
            return;
        }

        IReadOnlyCollection<TOut> fallback;
        try
        {
            fallback = _function.Timeout(entry.Value);
        }
        catch (Exception ex)
        {
            throw new OperatorException(Name, ex);
        }

        Complete(entry, fallback);
    }

    private void Complete(Entry entry, IReadOnlyCollection<TOut> results)
    {
        entry.Results = results;
        if (_mode == AsyncOutputMode.Unordered)
        {
            if (entry.Segment == _watermarksEmitted)
            {
                Emit(entry);
            }
            else
            {
                _completedBehindWatermark.Add(entry);
            }
        }

        EmitReadyAtHead();
        StartWaiting();
        if (HasCapacity)
        {
            Release(ref _capacityWaiter);
        }

        if (_entries.Count == 0)
        {
            Release(ref _drainWaiter);
        }
    }

    /// <summary>Emits from the head while it is done: completed records, and watermarks once all before them left.</summary>
    private void EmitReadyAtHead()
    {
        while (_entries.First is { } node)
        {
            var head = node.Value;
            if (head.IsWatermark)
            {
                _entries.RemoveFirst();
                _watermarksEmitted++;
                Output.EmitWatermark(head.Timestamp);
                if (_mode == AsyncOutputMode.Unordered)
                {
                    EmitCompletedBeforeNextWatermark();
                }
            }
            else if (head.Results is not null)
            {
                Emit(head);
            }
            else
            {
                break;
            }
        }
    }

    /// <summary>Unordered mode: a watermark left, so what completed behind it goes now, in the order it completed.</summary>
    private void EmitCompletedBeforeNextWatermark()
    {
        var ready = _completedBehindWatermark.FindAll(e => e.Segment == _watermarksEmitted);
        _completedBehindWatermark.RemoveAll(e => e.Segment == _watermarksEmitted);
        foreach (var entry in ready)
        {
            Emit(entry);
        }
    }

    private void Emit(Entry entry)
    {
        _entries.Remove(entry.Node!);
        _started--;
        foreach (var result in entry.Results!)
        {
            _recordsOut++;
            Output.Collect(result, entry.Timestamp);
        }
    }

    private static void Release(ref TaskCompletionSource? waiter)
    {
        var released = waiter;
        waiter = null;
        released?.TrySetResult();
    }

    /// <summary>A record (with its call) or a watermark held in arrival order.</summary>
    private sealed class Entry
    {
        public TIn Value { get; init; } = default!;

        /// <summary>The record's timestamp, or the watermark.</summary>
        public long Timestamp { get; init; }

        public bool IsWatermark { get; init; }

        /// <summary>How many watermarks arrived before the record: it may be emitted once as many have left.</summary>
        public long Segment { get; init; }

        public LinkedListNode<Entry>? Node { get; set; }

        /// <summary>Cancels the running call; null before the call starts and after it ended.</summary>
        public CancellationTokenSource? Cancel { get; set; }

        /// <summary>What to emit; set when the call completed or timed out.</summary>
        public IReadOnlyCollection<TOut>? Results { get; set; }
    }
}
