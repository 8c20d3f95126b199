using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using OrleansStream.Api.Connectors;

namespace OrleansStream.Tests.Fixtures;

/// <summary>
/// A test's hold on the input of a job it runs, so that the job cannot outrun the test. While the gate is
/// closed, every reader of a <see cref="GatedSource{T}"/> emits at most the gate's budget of records (per
/// reader and attempt) and never reports the end of its input: the job can neither finish nor read past the
/// budget, however fast or slow the machine. <see cref="Allow"/> raises the budget, <see cref="Open"/> lets the
/// job run to its end; faults and holds that a job arms with its gate wait for it to open too.
/// </summary>
/// <remarks>
/// The gate is a directory named by the job parameter <see cref="Parameter"/>, so that it works for silos in
/// the test process and for silo processes alike (this file is compiled into the uploaded jobs' assembly as
/// well). A reader handed splits that were restored from a checkpoint leaves a mark (<see cref="Restores"/>):
/// evidence that a restart restored the job rather than starting it over. A gate whose directory is gone
/// counts as open, so that a job a failed test left behind runs to its end instead of holding its slots.
/// </remarks>
public sealed class SourceGate : IDisposable
{
    /// <summary>The job parameter that names the gate's directory.</summary>
    public const string Parameter = "gate";

    private const string OpenFile = "open";
    private const string BudgetFile = "budget";
    private const string RestorePrefix = "restore-";
    private const string SignalPrefix = "signal-";

    private SourceGate(string path) => Path = path;

    /// <summary>The gate's directory: the value of the job parameter <see cref="Parameter"/>.</summary>
    public string Path { get; }

    public bool IsOpen => IsOpenAt(Path);

    /// <summary>What the readers restored from checkpoints said they were given, one entry per reader.</summary>
    public IReadOnlyList<string> Restores => Directory.Exists(Path)
        ? Directory.GetFiles(Path, RestorePrefix + "*").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList()
        : [];

    /// <summary>A closed gate in a new directory; each reader may emit <paramref name="budget"/> records per attempt (unlimited: it only holds the end).</summary>
    public static SourceGate Create(long budget = long.MaxValue)
    {
        var gate = new SourceGate(Directory.CreateTempSubdirectory("orleansstream-gate-").FullName);
        gate.Allow(budget);
        return gate;
    }

    /// <summary>Sets how many records each reader may emit per attempt while the gate is closed.</summary>
    public void Allow(long budget)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(budget);
        WriteAtomically(System.IO.Path.Combine(Path, BudgetFile), budget.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Lets the job read to its end, and arms what waits for the gate.</summary>
    public void Open() => WriteAtomically(System.IO.Path.Combine(Path, OpenFile), "open");

    /// <summary>Raises a named signal (e.g. a hold the test releases); <paramref name="text"/> is what it says.</summary>
    public void Signal(string name, string text = "") => SignalAt(Path, name, text);

    public bool IsSignaled(string name) => IsSignaledAt(Path, name);

    /// <summary>Takes a signal back: <see cref="IsSignaledAt"/> says false again while the gate's directory exists.</summary>
    public void Withdraw(string name) => File.Delete(System.IO.Path.Combine(Path, SignalPrefix + name));

    /// <summary>Removes the directory: anything still held by it runs on as if the gate were open.</summary>
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    public override string ToString() => Path;

    /// <summary>Whether the gate at <paramref name="path"/> is open (or gone).</summary>
    public static bool IsOpenAt(string path) => !Directory.Exists(path) || File.Exists(System.IO.Path.Combine(path, OpenFile));

    /// <summary>The budget of the gate at <paramref name="path"/>: unlimited once it is open or gone.</summary>
    public static long BudgetAt(string path)
    {
        if (IsOpenAt(path))
        {
            return long.MaxValue;
        }

        try
        {
            return long.Parse(File.ReadAllText(System.IO.Path.Combine(path, BudgetFile)), CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return long.MaxValue;
        }
    }

    public static void SignalAt(string path, string name, string text = "")
    {
        if (Directory.Exists(path))
        {
            WriteAtomically(System.IO.Path.Combine(path, SignalPrefix + name), text);
        }
    }

    public static bool IsSignaledAt(string path, string name) => !Directory.Exists(path) || File.Exists(System.IO.Path.Combine(path, SignalPrefix + name));

    /// <summary>The text of the signal <paramref name="name"/>, or null while it is not raised.</summary>
    public string? SignalText(string name)
    {
        var file = System.IO.Path.Combine(Path, SignalPrefix + name);
        return File.Exists(file) ? File.ReadAllText(file) : null;
    }

    /// <summary>For an async step of a job: completes once the gate at <paramref name="path"/> is open (or gone).</summary>
    public static async Task WaitUntilOpenAsync(string path, CancellationToken cancellationToken)
    {
        while (!IsOpenAt(path))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    /// <summary>
    /// For a synchronous step that stands for a stuck operation (a slow disk, say): blocks the calling thread, and
    /// so the task's turn, until the signal <paramref name="name"/> is raised, or for two minutes at most.
    /// </summary>
    public static void BlockUntilSignaled(string path, string name)
    {
        var waited = Stopwatch.StartNew();
        while (!IsSignaledAt(path, name) && waited.Elapsed < TimeSpan.FromMinutes(2))
        {
            Thread.Sleep(TimeSpan.FromMilliseconds(20));
        }
    }

    internal static void RecordRestore(string path, string description)
    {
        try
        {
            WriteAtomically(System.IO.Path.Combine(path, RestorePrefix + Guid.NewGuid().ToString("N")), description);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static void WriteAtomically(string file, string text)
    {
        var temporary = file + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, file, overwrite: true);
    }
}

/// <summary>
/// A source whose readers a <see cref="SourceGate"/> holds: at most the gate's budget of records per reader and
/// attempt, and the end of the input only once the gate is open. Records, splits and their progress are the
/// inner source's, so replay after a restore is exactly the inner source's.
/// </summary>
public sealed class GatedSource<T>(ISource<T> inner, string gatePath) : ISource<T>
{
    /// <summary>Splits this source deserialized: restored from a checkpoint, as only those are.</summary>
    private readonly ConditionalWeakTable<SourceSplit, object> _restored = new();
    private ISplitSerializer? _serializer;

    public bool IsBounded => inner.IsBounded;

    public int? MaxParallelism => inner.MaxParallelism;

    public ISplitSerializer SplitSerializer => _serializer ??= new MarkingSerializer(inner.SplitSerializer, _restored);

    public IReadOnlyList<SourceSplit> CreateSplits(int parallelism) => inner.CreateSplits(parallelism);

    public ISourceReader<T> CreateReader(SourceReaderContext context)
    {
        var restored = context.Splits.Where(split => _restored.TryGetValue(split, out _)).ToList();
        if (restored.Count > 0)
        {
            SourceGate.RecordRestore(gatePath, $"subtask {context.SubtaskIndex} of {context.Parallelism}: {string.Join("; ", restored)}");
        }

        return new Reader(inner.CreateReader(context), gatePath);
    }

    private sealed class MarkingSerializer(ISplitSerializer inner, ConditionalWeakTable<SourceSplit, object> restored) : ISplitSerializer
    {
        public byte[] Serialize(SourceSplit split) => inner.Serialize(split);

        public SourceSplit Deserialize(ReadOnlySpan<byte> data)
        {
            var split = inner.Deserialize(data);
            restored.AddOrUpdate(split, true);
            return split;
        }
    }

    private sealed class Reader(ISourceReader<T> inner, string gatePath) : ISourceReader<T>, ISourceOutput<T>
    {
        private static readonly TimeSpan RecheckInterval = TimeSpan.FromMilliseconds(10);
        private readonly Stopwatch _sinceCheck = new();
        private ISourceOutput<T>? _output;
        private long _emitted;
        private long _budget;
        private bool _open;
        private bool _ended;

        public SourceBacklog? Backlog => inner.Backlog;

        public async ValueTask<ReadStatus> ReadAsync(ISourceOutput<T> output, int maxRecords, CancellationToken cancellationToken)
        {
            if (!_open && (!_sinceCheck.IsRunning || ((_ended || _emitted >= _budget) && _sinceCheck.Elapsed >= RecheckInterval)))
            {
                // The files are read when the reader starts and then only while it is held, at most every 10 ms.
                _open = SourceGate.IsOpenAt(gatePath);
                _budget = SourceGate.BudgetAt(gatePath);
                _sinceCheck.Restart();
            }

            if (_ended)
            {
                return _open ? ReadStatus.End : ReadStatus.NothingAvailable;
            }

            long allowed = _open ? maxRecords : Math.Min(maxRecords, _budget - _emitted);
            if (allowed <= 0)
            {
                return ReadStatus.NothingAvailable;
            }

            _output = output;
            var status = await inner.ReadAsync(this, (int)allowed, cancellationToken);
            if (status == ReadStatus.End)
            {
                _ended = true;
                return _open ? ReadStatus.End : ReadStatus.NothingAvailable;
            }

            return status;
        }

        public IReadOnlyList<SourceSplit> SnapshotSplits() => inner.SnapshotSplits();

        public ValueTask NotifyCheckpointCompleteAsync(long checkpointId, CancellationToken cancellationToken) => inner.NotifyCheckpointCompleteAsync(checkpointId, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();

        public void Collect(T value)
        {
            _emitted++;
            _output!.Collect(value);
        }

        public void Collect(T value, long timestamp)
        {
            _emitted++;
            _output!.Collect(value, timestamp);
        }
    }
}

public static class GatedSources
{
    /// <summary>The source held by the gate at <paramref name="gatePath"/>; the source itself when the job has no gate.</summary>
    public static ISource<T> GatedBy<T>(this ISource<T> source, string? gatePath) => gatePath is null ? source : new GatedSource<T>(source, gatePath);
}
