using System.Diagnostics;
using OrleansStream.KeyGroups;
using OrleansStream.Runtime.Tasks;

namespace OrleansStream.Runtime.Rescaling;

/// <summary>
/// A subtask's part in live rescaling (the task side of key-group migration). Told of a step before its
/// upstream writers switch routes, it holds back the records of the key groups it takes over until their
/// state arrives; once every input has passed the step's handover marker, it takes the state of the key
/// groups it gives away out of its operators for the job to deliver. Key groups that do not move are not held.
/// </summary>
/// <remarks>
/// Event time stays exact: a watermark that comes while records are held would overtake them, so it waits,
/// and the task's input with it, until their state is in and they have gone first. Every key then meets its
/// records and the watermarks in the order of its channels, as in a run that never rescaled.
/// </remarks>
internal sealed class SubtaskRescaling(TaskId task, OperatorChain chain, int maxParallelism, int chunkBytes)
{
    private readonly List<RescaleStep> _outgoing = new();
    private readonly Dictionary<int, long> _heldSince = new();
    private KeyGroupHold? _hold;
    private long? _deferredWatermark;

    /// <summary>True while key groups this subtask takes over wait for their state: it must not finish before it has them.</summary>
    public bool IsAwaitingState => _hold is { Count: > 0 };

    /// <summary>True while records of key groups this subtask takes over wait for their state.</summary>
    private bool HoldsRecords => _hold is { HeldRecords: > 0 };

    /// <summary>Gets ready for <paramref name="step"/>: holds the key groups that come here, remembers those that leave.</summary>
    public void Prepare(RescaleStep step)
    {
        foreach (var move in step.Moves.Where(m => m.To == task.Subtask))
        {
            Hold.Hold(move.KeyGroup);
            _heldSince[move.KeyGroup] = Stopwatch.GetTimestamp();
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
                handoffs.Add((target.Key, new KeyGroupHandoff(done.Id, task.Subtask, keyGroups, chunks.Select(c => c.Data).ToList())));
            }
        }

        return handoffs;
    }

    /// <summary>
    /// Installs handed-over state and lets the held records of its key groups go, in the order they came; then, once
    /// no record is held, the watermark that waited for them, and <paramref name="resumeInput"/> says the input may go on.
    /// </summary>
    public KeyGroupsInstalled Install(KeyGroupHandoff handoff, out bool resumeInput)
    {
        chain.InstallKeyGroups(handoff.Chunks);
        long released = 0;
        long longest = 0;
        long now = Stopwatch.GetTimestamp();
        foreach (int keyGroup in handoff.KeyGroups)
        {
            Hold.Release(keyGroup);
            foreach (var decoder in chain.InputDecoders.OfType<IKeyGroupHoldingDecoder>())
            {
                released += decoder.Release(keyGroup);
            }

            if (_heldSince.Remove(keyGroup, out long since))
            {
                longest = Math.Max(longest, now - since);
            }
        }

        resumeInput = false;
        if (!HoldsRecords && _deferredWatermark is { } watermark)
        {
            _deferredWatermark = null;
            chain.ProcessWatermark(watermark);
            resumeInput = true;
        }

        return new KeyGroupsInstalled(handoff.Step, handoff.KeyGroups.Count, handoff.Bytes, released, Stopwatch.GetElapsedTime(0, longest));
    }

    /// <summary>
    /// Keeps <paramref name="watermark"/> back while records are held: it would overtake them. True when deferred: the
    /// task's input must wait too until <see cref="Install"/> lets it go on.
    /// </summary>
    public bool TryDefer(long watermark)
    {
        if (!HoldsRecords)
        {
            return false;
        }

        _deferredWatermark = watermark;
        return true;
    }

    private KeyGroupHold Hold
    {
        get
        {
            if (_hold is null)
            {
                _hold = new KeyGroupHold(maxParallelism);
                foreach (var decoder in chain.InputDecoders.OfType<IKeyGroupHoldingDecoder>())
                {
                    decoder.HoldBy(_hold);
                }
            }

            return _hold;
        }
    }
}
