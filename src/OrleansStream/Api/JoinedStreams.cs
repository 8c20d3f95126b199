using OrleansStream.Functions;
using OrleansStream.Graph;
using OrleansStream.Operators;
using OrleansStream.Windows;

namespace OrleansStream.Api;

/// <summary>
/// Two streams to be joined, or co-grouped, by key within event-time windows (Flink's JoinedStreams and
/// CoGroupedStreams): <c>a.Join(b).Where(keyA).EqualTo(keyB).Window(assigner).Apply(...)</c>.
/// </summary>
public sealed class WindowJoinBuilder<TLeft, TRight>
{
    private readonly DataStream<TLeft> _left;
    private readonly DataStream<TRight> _right;
    private readonly bool _coGroup;

    internal WindowJoinBuilder(DataStream<TLeft> left, DataStream<TRight> right, bool coGroup)
    {
        _left = left;
        _right = right;
        _coGroup = coGroup;
    }

    public KeySelected<TKey> Where<TKey>(Func<TLeft, TKey> leftKey)
        where TKey : notnull
        => new(this, leftKey ?? throw new ArgumentNullException(nameof(leftKey)));

    public sealed class KeySelected<TKey>
        where TKey : notnull
    {
        private readonly WindowJoinBuilder<TLeft, TRight> _streams;
        private readonly Func<TLeft, TKey> _leftKey;

        internal KeySelected(WindowJoinBuilder<TLeft, TRight> streams, Func<TLeft, TKey> leftKey)
        {
            _streams = streams;
            _leftKey = leftKey;
        }

        public KeysSelected<TKey> EqualTo(Func<TRight, TKey> rightKey)
            => new(_streams, _leftKey, rightKey ?? throw new ArgumentNullException(nameof(rightKey)));
    }

    public sealed class KeysSelected<TKey>
        where TKey : notnull
    {
        private readonly WindowJoinBuilder<TLeft, TRight> _streams;
        private readonly Func<TLeft, TKey> _leftKey;
        private readonly Func<TRight, TKey> _rightKey;

        internal KeysSelected(WindowJoinBuilder<TLeft, TRight> streams, Func<TLeft, TKey> leftKey, Func<TRight, TKey> rightKey)
        {
            _streams = streams;
            _leftKey = leftKey;
            _rightKey = rightKey;
        }

        /// <summary>The event-time windows (tumbling or sliding) within which elements meet.</summary>
        public WindowedJoin<TLeft, TRight, TKey> Window(WindowAssigner assigner)
        {
            ArgumentNullException.ThrowIfNull(assigner);
            if (assigner is not AlignedWindowAssigner { IsEventTime: true } aligned)
            {
                throw new ArgumentException($"Window joins and co-groups take tumbling or sliding event-time windows, not {assigner}; join other windows with a keyed co-process function.", nameof(assigner));
            }

            return new WindowedJoin<TLeft, TRight, TKey>(_streams._left, _streams._right, _leftKey, _rightKey, aligned, _streams._coGroup);
        }
    }
}

/// <summary>Two keyed streams cut into the same windows, waiting for the function that combines each window's groups.</summary>
public sealed class WindowedJoin<TLeft, TRight, TKey>
    where TKey : notnull
{
    private readonly DataStream<TLeft> _left;
    private readonly DataStream<TRight> _right;
    private readonly Func<TLeft, TKey> _leftKey;
    private readonly Func<TRight, TKey> _rightKey;
    private readonly AlignedWindowAssigner _assigner;
    private readonly bool _coGroup;

    internal WindowedJoin(DataStream<TLeft> left, DataStream<TRight> right, Func<TLeft, TKey> leftKey, Func<TRight, TKey> rightKey, AlignedWindowAssigner assigner, bool coGroup)
    {
        _left = left;
        _right = right;
        _leftKey = leftKey;
        _rightKey = rightKey;
        _assigner = assigner;
        _coGroup = coGroup;
    }

    /// <summary>Inner join: <paramref name="join"/> runs for every pair of the same key and window (Flink's JoinFunction).</summary>
    public DataStream<TOut> Apply<TOut>(Func<TLeft, TRight, TOut> join, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(join);
        RequireJoin();
        return Build<TOut>((_, _, lefts, rights, output) =>
        {
            foreach (var left in lefts)
            {
                foreach (var right in rights)
                {
                    output.Collect(join(left, right));
                }
            }
        }, name ?? $"Join({_assigner})");
    }

    /// <summary>Inner join: <paramref name="join"/> runs for every pair of the same key and window and emits any number of results (Flink's FlatJoinFunction).</summary>
    public DataStream<TOut> Apply<TOut>(Action<TLeft, TRight, ICollector<TOut>> join, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(join);
        RequireJoin();
        return Build<TOut>((_, _, lefts, rights, output) =>
        {
            foreach (var left in lefts)
            {
                foreach (var right in rights)
                {
                    join(left, right, output);
                }
            }
        }, name ?? $"Join({_assigner})");
    }

    /// <summary>
    /// Co-group: <paramref name="coGroup"/> runs once per key and window that has elements on either side, with both
    /// groups (one may be empty), so it can build outer joins (Flink's CoGroupFunction, here with the key and window).
    /// </summary>
    public DataStream<TOut> Apply<TOut>(Action<TKey, TimeWindow, IReadOnlyList<TLeft>, IReadOnlyList<TRight>, ICollector<TOut>> coGroup, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(coGroup);
        if (!_coGroup)
        {
            throw new InvalidOperationException("A join applies a function to pairs; use CoGroup(...) for a function of both groups.");
        }

        return Build(coGroup, name ?? $"CoGroup({_assigner})");
    }

    private void RequireJoin()
    {
        if (_coGroup)
        {
            throw new InvalidOperationException("A co-group applies a function to both groups of a window; use Join(...) for a function of pairs.");
        }
    }

    private DataStream<TOut> Build<TOut>(Action<TKey, TimeWindow, IReadOnlyList<TLeft>, IReadOnlyList<TRight>, ICollector<TOut>> coGroup, string name)
    {
        var (leftKey, rightKey, assigner) = (_leftKey, _rightKey, _assigner);
        var left = _left.KeyBy(leftKey);
        var right = _right.KeyBy(rightKey);
        var builder = _left.Builder;
        var transformation = builder.Add(id => new KeyedTwoInputTransformation<TLeft, TRight, TOut>(
            id, name, left.Transformation, right.Transformation,
            n => new WindowCoGroupOperator<TKey, TLeft, TRight, TOut>(n, leftKey, rightKey, assigner, coGroup)));
        return new DataStream<TOut>(builder, transformation);
    }
}
