using System.Diagnostics;
using OrleansStream.KeyGroups;
using OrleansStream.Runtime.Tasks;
using OrleansStream.Time;

namespace OrleansStream.Runtime.Rescaling;

/// <summary>
/// A subtask's part in live rescaling (the task side of key-group migration), and the way its input's watermarks
/// reach its operators. Told of a step before its upstream writers switch routes, it holds back the records of the
/// key groups it takes over until their state has arrived and its watermark has caught up with the old owner's;
/// once every input has passed the step's handover marker, it takes the state of the key groups it gives away out
/// of its operators for the job to deliver, with its watermark. Key groups that do not move are not held.
/// </summary>
/// <remarks>
/// Event time stays exact. A watermark that comes while records wait for their state would overtake them, so it
/// waits, and the task's input with it, until their state is in and they have gone first. And a moved key group
/// goes on from the old owner's event time, not from an earlier one: the old owner has fired (and purged) what its
/// watermark covered, and the new owner, whose inputs may still carry watermarks the old one had already passed,
/// would otherwise open a purged window again for a late record. Its records wait until the new owner's watermark
/// reaches the old one's, which takes no new input (those watermarks are in its channels already, ahead of the
/// rerouted records); they then meet exactly the old owner's watermark. The step counts as done only then.
/// </remarks>
internal sealed class SubtaskRescaling(TaskId task, OperatorChain chain, int maxParallelism, int chunkBytes, Action<KeyGroupsInstalled> installed)
{
    private readonly List<RescaleStep> _outgoing = new();
    private readonly Dictionary<int, long> _awaitingState = new();
    private readonly List<Arrival> _awaitingWatermark = new();
    private KeyGroupHold? _hold;
    private long _watermark = Watermark.Initial;
    private long? _deferredWatermark;

    /// <summary>True while key groups this subtask takes over are not all in (their state or their watermark): it must not finish before.</summary>
    public bool IsTakingOver => _awaitingState.Count > 0 || _awaitingWatermark.Count > 0;

    /// <summary>True while records of key groups this subtask takes over wait for their state.</summary>
    private bool HoldsRecordsAwaitingState => _hold is { } hold && _awaitingState.Keys.Any(keyGroup => hold.HeldRecordsOf(keyGroup) > 0);

    /// <summary>Gets ready for <paramref name="step"/>: holds the key groups that come here, remembers those that leave.</summary>
    public void Prepare(RescaleStep step)
    {
        foreach (var move in step.Moves.Where(m => m.To == task.Subtask))
        {
            Hold.Hold(move.KeyGroup);
            _awaitingState[move.KeyGroup] = Stopwatch.GetTimestamp();
        }

        if (step.Moves.Any(m => m.From == task.Subtask))
        {
            _outgoing.Add(step);
        }
    }

    /// <summary>
    /// Every input passed the marker of <paramref name="step"/> (and of the steps before it): takes the state of the
    /// key groups those steps move away from here out of the operators, one hand-off per new owner.
    /// </summary>
    public IReadOnlyList<(int To, KeyGroupHandoff Handoff)> HandOver(long step)
    {
        var handoffs = new List<(int, KeyGroupHandoff)>();
        foreach (var done in _outgoing.Where(s => s.Id <= step).ToList())
        {
            _outgoing.Remove(done);
            foreach (var target in done.Moves.Where(m => m.From == task.Subtask).GroupBy(m => m.To))
            {
                var keyGroups = target.Select(m => m.KeyGroup).ToList();
                var moving = new bool[maxParallelism];
                keyGroups.ForEach(keyGroup => moving[keyGroup] = true);
                var chunks = chain.ExtractKeyGroups(keyGroup => moving[keyGroup], chunkBytes);
                handoffs.Add((target.Key, new KeyGroupHandoff(done.Id, task.Subtask, keyGroups, chunks.Select(c => c.Data).ToList(), _watermark)));
            }
        }

        return handoffs;
    }

    /// <summary>
    /// Installs handed-over state and lets the held records of its key groups go, in the order they came, unless they
    /// wait for the old owner's watermark; then, once no record waits for state, the watermark that waited for them.
    /// True when that watermark went on: the input, which waited with it, may go on.
    /// </summary>
    public bool Install(KeyGroupHandoff handoff)
    {
        chain.InstallKeyGroups(handoff.Chunks);
        var arrival = new Arrival(handoff);
        foreach (int keyGroup in handoff.KeyGroups)
        {
            long since = _awaitingState.Remove(keyGroup, out long held) ? held : Stopwatch.GetTimestamp();
            if (handoff.Watermark > _watermark)
            {
                arrival.Waiting.Add((keyGroup, since));
            }
            else
            {
                Release(arrival, keyGroup, since);
            }
        }

        if (arrival.Waiting.Count > 0)
        {
            _awaitingWatermark.Add(arrival);
        }
        else
        {
            installed(arrival.Installed());
        }

        if (HoldsRecordsAwaitingState || _deferredWatermark is not { } watermark)
        {
            return false;
        }

        _deferredWatermark = null;
        Advance(watermark);
        return true;
    }

    /// <summary>
    /// Passes <paramref name="watermark"/> to the operators, or keeps it back while records wait for their state: it
    /// would overtake them. True when kept back: the task's input must wait too until <see cref="Install"/> lets it go on.
    /// </summary>
    public bool OnWatermark(long watermark)
    {
        if (HoldsRecordsAwaitingState)
        {
            _deferredWatermark = watermark;
            return true;
        }

        Advance(watermark);
        return false;
    }

    /// <summary>Moves the operators' event time to <paramref name="watermark"/>, stopping at each old owner's watermark on the way to let its key groups go.</summary>
    private void Advance(long watermark)
    {
        foreach (var arrival in _awaitingWatermark.Where(a => a.Handoff.Watermark <= watermark).OrderBy(a => a.Handoff.Watermark).ToList())
        {
            ProcessWatermark(arrival.Handoff.Watermark);
            foreach (var (keyGroup, since) in arrival.Waiting)
            {
                Release(arrival, keyGroup, since);
            }

            _awaitingWatermark.Remove(arrival);
            installed(arrival.Installed());
        }

        ProcessWatermark(watermark);
    }

    private void ProcessWatermark(long watermark)
    {
        if (watermark > _watermark)
        {
            _watermark = watermark;
            chain.ProcessWatermark(watermark);
        }
    }

    private void Release(Arrival arrival, int keyGroup, long since)
    {
        Hold.Release(keyGroup);
        foreach (var decoder in KeyedDecoders)
        {
            arrival.Released += decoder.Release(keyGroup);
        }

        arrival.Longest = Math.Max(arrival.Longest, Stopwatch.GetTimestamp() - since);
    }

    /// <summary>The decoders of the inputs partitioned by key: a broadcast input's records belong to no key group.</summary>
    private IEnumerable<IKeyGroupHoldingDecoder> KeyedDecoders => chain.InputDecoders.OfType<IKeyGroupHoldingDecoder>().Where(decoder => decoder.IsKeyed);

    private KeyGroupHold Hold
    {
        get
        {
            if (_hold is null)
            {
                _hold = new KeyGroupHold(maxParallelism);
                foreach (var decoder in KeyedDecoders)
                {
                    decoder.HoldBy(_hold);
                }
            }

            return _hold;
        }
    }

    /// <summary>A hand-off installed here, and its key groups that wait for this subtask's watermark to reach the old owner's.</summary>
    private sealed class Arrival(KeyGroupHandoff handoff)
    {
        public KeyGroupHandoff Handoff => handoff;

        public List<(int KeyGroup, long HeldSince)> Waiting { get; } = new();

        public long Released { get; set; }

        public long Longest { get; set; }

        public KeyGroupsInstalled Installed()
            => new(handoff.Step, handoff.KeyGroups.Count, handoff.Bytes, Released, Stopwatch.GetElapsedTime(0, Longest));
    }
}
