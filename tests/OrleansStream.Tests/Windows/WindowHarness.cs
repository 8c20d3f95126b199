using OrleansStream.Api;
using OrleansStream.Connectors.Generator;
using OrleansStream.Functions;
using OrleansStream.KeyGroups;
using OrleansStream.Operators;
using OrleansStream.State;
using OrleansStream.Tests.Model;
using OrleansStream.Windows;

namespace OrleansStream.Tests.Windows;

/// <summary>An element of the window tests: a key, an event time and a value.</summary>
public sealed record Ev(string Key, long Ts, long Value);

/// <summary>
/// Drives one window operator built by the DataStream API (so the API picks the operator as a job would):
/// elements, watermarks and processing time in, results and late elements out, and its keyed state
/// snapshotted and restored into a fresh instance as a task does at a checkpoint and a recovery.
/// </summary>
internal sealed class WindowHarness<TOut>
{
    private readonly Func<string, OneInputOperator<Ev, TOut>> _factory;
    private readonly OperatorContext _context;

    public WindowHarness(
        Func<string, OneInputOperator<Ev, TOut>> factory,
        ManualClock? clock = null,
        IReadOnlyList<KeyedStateChunk>? restoreFrom = null,
        Action<SideOutputs>? addSideOutputs = null,
        int subtask = 0,
        int parallelism = 1)
    {
        _factory = factory;
        Clock = clock ?? new ManualClock(0);
        Operator = factory("window");
        var sides = new SideOutputs();
        sides.Add(new SideOutput<Ev>(WindowTest.LateTag.Id, Late));
        addSideOutputs?.Invoke(sides);
        Operator.Bind(Output, sides);
        _context = new OperatorContext("job", 1, "window", subtask, parallelism, 128, Clock);
        foreach (var chunk in restoreFrom ?? [])
        {
            KeyedSnapshotBuilder.Restore(chunk.Data, _ => _context.State);
        }

        Operator.Open(_context);
    }

    public ManualClock Clock { get; }

    /// <summary>The key groups this subtask owns (all of them at parallelism one).</summary>
    public KeyGroupRange KeyGroups => _context.KeyGroups;

    public OneInputOperator<Ev, TOut> Operator { get; }

    public CollectingOutput<TOut> Output { get; } = new();

    public CollectingOutput<Ev> Late { get; } = new();

    public List<TOut> Results => Output.Values;

    public void Element(string key, long ts, long value = 1) => ((IOutput<Ev>)Operator).Collect(new Ev(key, ts, value), ts);

    /// <summary>An element without an event timestamp, as in a processing-time job.</summary>
    public void UntimedElement(string key, long value = 1) => ((IOutput<Ev>)Operator).Collect(new Ev(key, Time.Watermark.NoTimestamp, value), Time.Watermark.NoTimestamp);

    public void Watermark(long watermark) => Operator.ProcessWatermark(watermark);

    public void ProcessingTime(long now)
    {
        Clock.Now = now;
        Operator.OnProcessingTime(now);
    }

    public IReadOnlyList<KeyedStateChunk> Snapshot()
    {
        var builder = new KeyedSnapshotBuilder();
        _context.State.SnapshotKeyedState(builder);
        return builder.Build(4096);
    }

    /// <summary>A fresh operator restored from this one's snapshot, as after a failure.</summary>
    public WindowHarness<TOut> Restored() => new(_factory, new ManualClock(Clock.Now), Snapshot());

    /// <summary>Subtask <paramref name="subtask"/> of <paramref name="parallelism"/> restored from this one's snapshot, as after a rescale.</summary>
    public WindowHarness<TOut> RestoredAs(int subtask, int parallelism) => new(_factory, new ManualClock(Clock.Now), Snapshot(), subtask: subtask, parallelism: parallelism);

    /// <summary>True when this subtask owns <paramref name="key"/>'s key group.</summary>
    public bool Owns(string key) => KeyGroups.Contains(KeyGroupRangeAssignment.AssignToKeyGroup(StableKeyHash<string>.Hash(key), 128));
}

/// <summary>Builds the window operators of the tests through the DataStream API.</summary>
internal static class WindowTest
{
    public static readonly OutputTag<Ev> LateTag = new("late");

    /// <summary>A windowed stream of <see cref="Ev"/> keyed by <see cref="Ev.Key"/>, for building operators.</summary>
    public static WindowedStream<Ev, string> Windowed(WindowAssigner assigner)
        => new StreamBuilder().FromSource(GeneratorSource.FromIndex(i => new Ev("a", i, 1), 1), "events").KeyBy(e => e.Key).Window(assigner);

    public static Func<string, OneInputOperator<Ev, WindowResult<string, long>>> Count(WindowedStream<Ev, string> windowed)
        => windowed.AggregateOperator(AggregateFunction.Count<Ev>(), (k, w, c) => new WindowResult<string, long>(k, w, c));

    public static Func<string, OneInputOperator<Ev, WindowResult<string, long>>> Sum(WindowedStream<Ev, string> windowed)
        => windowed.AggregateOperator(AggregateFunction.Sum<Ev>(e => e.Value), (k, w, s) => new WindowResult<string, long>(k, w, s));
}
