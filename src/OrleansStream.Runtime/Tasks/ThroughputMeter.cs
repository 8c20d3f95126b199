using OrleansStream.Contracts.Jobs;
using OrleansStream.Operators;

namespace OrleansStream.Runtime.Tasks;

/// <summary>
/// Turns a chain's record counters into metrics with rates: each reading's rate is the change
/// since the previous reading over the time between them (Flink's MeterView, over one interval).
/// </summary>
internal sealed class ThroughputMeter(TimeProvider time)
{
    private long[] _lastIn = Array.Empty<long>();
    private long[] _lastOut = Array.Empty<long>();
    private long _lastAt;

    public IReadOnlyList<OperatorMetrics> Read(IReadOnlyList<IStreamOperator> operators)
    {
        long now = time.GetTimestamp();
        double seconds = _lastAt == 0 ? 0 : time.GetElapsedTime(_lastAt, now).TotalSeconds;
        bool first = _lastIn.Length != operators.Count;
        if (first)
        {
            _lastIn = new long[operators.Count];
            _lastOut = new long[operators.Count];
        }

        var metrics = new OperatorMetrics[operators.Count];
        for (int i = 0; i < operators.Count; i++)
        {
            long recordsIn = operators[i].RecordsIn, recordsOut = operators[i].RecordsOut;
            metrics[i] = seconds > 0 && !first
                ? new OperatorMetrics(operators[i].Name, recordsIn, recordsOut, (recordsIn - _lastIn[i]) / seconds, (recordsOut - _lastOut[i]) / seconds)
                : new OperatorMetrics(operators[i].Name, recordsIn, recordsOut);
            _lastIn[i] = recordsIn;
            _lastOut[i] = recordsOut;
        }

        _lastAt = now;
        return metrics;
    }
}
