using OrleansStream.Functions;
using OrleansStream.Graph;
using OrleansStream.Operators;

namespace OrleansStream.Api;

/// <summary>Two keyed streams to be joined on time intervals (Flink's KeyedStream.IntervalJoin).</summary>
public sealed class IntervalJoin<TLeft, TRight, TKey>
    where TKey : notnull
{
    private readonly KeyedStream<TLeft, TKey> _left;
    private readonly KeyedStream<TRight, TKey> _right;

    internal IntervalJoin(KeyedStream<TLeft, TKey> left, KeyedStream<TRight, TKey> right)
    {
        _left = left;
        _right = right;
    }

    /// <summary>A left element at time t joins right elements of its key at times in [t + <paramref name="lower"/>, t + <paramref name="upper"/>].</summary>
    public IntervalJoined<TLeft, TRight, TKey> Between(TimeSpan lower, TimeSpan upper)
    {
        if (lower > upper)
        {
            throw new ArgumentException($"The lower bound {lower} is above the upper bound {upper}: nothing could match.", nameof(lower));
        }

        return new IntervalJoined<TLeft, TRight, TKey>(_left, _right, (long)lower.TotalMilliseconds, (long)upper.TotalMilliseconds, false, false);
    }
}

/// <summary>An interval join with its bounds, waiting for the function that turns each matched pair into results.</summary>
public sealed class IntervalJoined<TLeft, TRight, TKey>
    where TKey : notnull
{
    private readonly KeyedStream<TLeft, TKey> _left;
    private readonly KeyedStream<TRight, TKey> _right;
    private readonly long _lower;
    private readonly long _upper;
    private readonly bool _lowerExclusive;
    private readonly bool _upperExclusive;

    internal IntervalJoined(KeyedStream<TLeft, TKey> left, KeyedStream<TRight, TKey> right, long lower, long upper, bool lowerExclusive, bool upperExclusive)
    {
        _left = left;
        _right = right;
        _lower = lower;
        _upper = upper;
        _lowerExclusive = lowerExclusive;
        _upperExclusive = upperExclusive;
    }

    public IntervalJoined<TLeft, TRight, TKey> LowerBoundExclusive() => new(_left, _right, _lower, _upper, true, _upperExclusive);

    public IntervalJoined<TLeft, TRight, TKey> UpperBoundExclusive() => new(_left, _right, _lower, _upper, _lowerExclusive, true);

    public DataStream<TOut> Process<TOut>(ProcessJoinFunction<TLeft, TRight, TOut> function, string name = "IntervalJoin")
    {
        ArgumentNullException.ThrowIfNull(function);
        long lower = _lowerExclusive ? _lower + 1 : _lower;
        long upper = _upperExclusive ? _upper - 1 : _upper;
        var (leftKey, rightKey) = (_left.KeySelector, _right.KeySelector);
        var builder = _left.Builder;
        var transformation = builder.Add(id => new KeyedTwoInputTransformation<TLeft, TRight, TOut>(
            id, name, _left.Transformation, _right.Transformation,
            n => new IntervalJoinOperator<TKey, TLeft, TRight, TOut>(n, leftKey, rightKey, lower, upper, function)));
        return new DataStream<TOut>(builder, transformation);
    }

    /// <summary>Emits <paramref name="join"/>'s result for every matched pair, stamped with the later of the two times.</summary>
    public DataStream<TOut> Process<TOut>(Func<TLeft, TRight, TOut> join, string name = "IntervalJoin")
    {
        ArgumentNullException.ThrowIfNull(join);
        return Process(new LambdaJoin<TOut>(join), name);
    }

    private sealed class LambdaJoin<TOut>(Func<TLeft, TRight, TOut> join) : ProcessJoinFunction<TLeft, TRight, TOut>
    {
        public override void ProcessElement(TLeft left, TRight right, ProcessJoinContext context, ICollector<TOut> output) => output.Collect(join(left, right));
    }
}
