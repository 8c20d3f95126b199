using OrleansStream.Codecs;
using OrleansStream.Time;

namespace OrleansStream.State;

/// <summary>Receives the timers of an <see cref="InternalTimerService{TKey, TNamespace}"/> as they fire (Flink's Triggerable).</summary>
public interface ITimerTarget<TKey, TNamespace>
{
    /// <summary>An event-time timer fired; the backend's current key is the timer's key.</summary>
    void OnEventTime(InternalTimer<TKey, TNamespace> timer);

    /// <summary>A processing-time timer fired; the backend's current key is the timer's key.</summary>
    void OnProcessingTime(InternalTimer<TKey, TNamespace> timer);
}

/// <summary>
/// The timers of one keyed operator in both time domains (Flink's InternalTimerService), registered for
/// the backend's current key. Timers are keyed state: snapshotted in their key's key group with the
/// operator's other state, and re-split with it when the job is rescaled.
/// </summary>
public sealed class InternalTimerService<TKey, TNamespace> : IKeyedStateTable
    where TKey : notnull
{
    private readonly KeyedStateBackend<TKey> _keys;
    private readonly IRecordCodec<TKey> _keyCodec = RecordCodec.For<TKey>();
    private readonly IRecordCodec<TNamespace> _namespaceCodec;
    private readonly TimerQueue<TKey, TNamespace> _eventTime = new();
    private readonly TimerQueue<TKey, TNamespace> _processingTime = new();
    private ITimerTarget<TKey, TNamespace>? _target;

    internal InternalTimerService(string name, KeyedStateBackend<TKey> keys, IRecordCodec<TNamespace> namespaceCodec)
    {
        Name = name;
        _keys = keys;
        _namespaceCodec = namespaceCodec;
    }

    public string Name { get; }

    /// <summary>The last watermark passed to <see cref="AdvanceWatermark"/>.</summary>
    public long CurrentWatermark { get; private set; } = Watermark.Initial;

    public int EventTimeTimerCount => _eventTime.Count;

    public int ProcessingTimeTimerCount => _processingTime.Count;

    /// <summary>Sets what fired timers are handed to; done once, when the operator opens.</summary>
    public void Bind(ITimerTarget<TKey, TNamespace> target) => _target = target;

    public void RegisterEventTimeTimer(TNamespace @namespace, long time)
        => _eventTime.Register(new(time, _keys.CurrentKey, @namespace));

    public void RegisterProcessingTimeTimer(TNamespace @namespace, long time)
        => _processingTime.Register(new(time, _keys.CurrentKey, @namespace));

    public void DeleteEventTimeTimer(TNamespace @namespace, long time)
        => _eventTime.Delete(new(time, _keys.CurrentKey, @namespace));

    public void DeleteProcessingTimeTimer(TNamespace @namespace, long time)
        => _processingTime.Delete(new(time, _keys.CurrentKey, @namespace));

    /// <summary>The earliest processing-time timer's time, if any.</summary>
    public bool TryPeekProcessingTime(out long time) => _processingTime.TryPeekTimestamp(out time);

    /// <summary>
    /// Fires every event-time timer at or before <paramref name="watermark"/> in time order. A timer that
    /// a firing timer registers at or before the watermark fires in the same pass.
    /// </summary>
    public void AdvanceWatermark(long watermark)
    {
        CurrentWatermark = watermark;
        var target = Target;
        while (_eventTime.TryDequeueDue(watermark, out var timer))
        {
            _keys.SetCurrentKey(timer.Key);
            target.OnEventTime(timer);
        }
    }

    /// <summary>Fires every processing-time timer at or before <paramref name="now"/> in time order.</summary>
    public void OnProcessingTime(long now)
    {
        var target = Target;
        while (_processingTime.TryDequeueDue(now, out var timer))
        {
            _keys.SetCurrentKey(timer.Key);
            target.OnProcessingTime(timer);
        }
    }

    public void Snapshot(KeyGroupSectionWriter writer)
    {
        Write(writer, TimeDomain.EventTime, _eventTime);
        Write(writer, TimeDomain.ProcessingTime, _processingTime);
    }

    public void Restore(ref PayloadReader reader, int entries)
    {
        for (int i = 0; i < entries; i++)
        {
            var domain = (TimeDomain)reader.ReadByte();
            long time = reader.ReadVarInt64();
            var key = _keyCodec.Read(ref reader);
            var timer = new InternalTimer<TKey, TNamespace>(time, key, _namespaceCodec.Read(ref reader));
            (domain == TimeDomain.EventTime ? _eventTime : _processingTime).Register(timer);
        }
    }

    public void Extract(KeyGroupSectionWriter writer, Func<int, bool> keyGroups)
    {
        ExtractFrom(writer, keyGroups, TimeDomain.EventTime, _eventTime);
        ExtractFrom(writer, keyGroups, TimeDomain.ProcessingTime, _processingTime);
    }

    private ITimerTarget<TKey, TNamespace> Target
        => _target ?? throw new InvalidOperationException($"Timer service '{Name}' fired a timer before its operator bound a target.");

    private void Write(KeyGroupSectionWriter writer, TimeDomain domain, TimerQueue<TKey, TNamespace> timers)
    {
        foreach (var timer in timers.All)
        {
            Write(writer, _keys.KeyGroupOf(timer.Key), domain, timer);
        }
    }

    private void ExtractFrom(KeyGroupSectionWriter writer, Func<int, bool> keyGroups, TimeDomain domain, TimerQueue<TKey, TNamespace> timers)
    {
        List<InternalTimer<TKey, TNamespace>>? moving = null;
        foreach (var timer in timers.All)
        {
            int keyGroup = _keys.KeyGroupOf(timer.Key);
            if (keyGroups(keyGroup))
            {
                Write(writer, keyGroup, domain, timer);
                (moving ??= new()).Add(timer);
            }
        }

        foreach (var timer in moving ?? Enumerable.Empty<InternalTimer<TKey, TNamespace>>())
        {
            timers.Delete(timer);
        }
    }

    private void Write(KeyGroupSectionWriter writer, int keyGroup, TimeDomain domain, InternalTimer<TKey, TNamespace> timer)
    {
        var entry = writer.BeginEntry(keyGroup);
        entry.WriteByte((byte)domain);
        entry.WriteVarInt64(timer.Timestamp);
        _keyCodec.Write(entry, timer.Key);
        _namespaceCodec.Write(entry, timer.Namespace);
    }
}

/// <summary>The namespace of timers and state that belong to no window (Flink's VoidNamespace).</summary>
public readonly record struct VoidNamespace
{
    public static readonly VoidNamespace Instance = default;
}
