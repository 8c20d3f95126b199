using OrleansStream.Api;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Graph;

namespace OrleansStream.Runtime.Rescaling;

/// <summary>The vertices the autoscaler rescales, by name, and why: the metric values and the change.</summary>
internal sealed record AutoscalerDecision(IReadOnlyDictionary<string, int> Vertices, string Reason);

/// <summary>
/// A job's autoscaler (after the Flink Kubernetes operator's): samples each vertex's busy time every second, and once a
/// full metric window has been seen since the job last settled, rescales each keyed vertex whose utilization left the
/// band around the target to the parallelism that brings it back: <c>ceil(p * utilization / target)</c>. Sources keep
/// their parallelism (their backlog, not their busy time, says how many readers they need), and so do vertices that
/// read other than by key, which only a restart could rescale.
/// </summary>
internal sealed class Autoscaler(AutoscalerConfig config, TimeProvider time)
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private readonly Dictionary<int, List<(DateTimeOffset At, double Busy)>> _samples = new();
    private readonly Queue<DateTimeOffset> _rescales = new();
    private DateTimeOffset _settledFrom = time.GetUtcNow() + config.Stabilization;

    /// <summary>Takes a sample of each running vertex's busy time, once the job has settled.</summary>
    public void Observe(IReadOnlyList<VertexStatus> vertices)
    {
        var now = time.GetUtcNow();
        if (now < _settledFrom)
        {
            return;
        }

        foreach (var vertex in vertices.Where(v => v.Time is not null && v.FinishedSubtasks == 0))
        {
            if (!_samples.TryGetValue(vertex.Id, out var samples))
            {
                _samples[vertex.Id] = samples = new();
            }

            samples.Add((now, vertex.Time!.BusyTimeMsPerSecond));
            samples.RemoveAll(s => now - s.At > config.MetricWindow);
        }
    }

    /// <summary>The vertices to rescale now and why, or null: utilization is within the band, the window is not full, or the hour's rescales are spent.</summary>
    public AutoscalerDecision? Decide(JobGraph graph)
    {
        var now = time.GetUtcNow();
        while (_rescales.Count > 0 && now - _rescales.Peek() > Hour)
        {
            _rescales.Dequeue();
        }

        if (now < _settledFrom + config.MetricWindow || _rescales.Count >= config.MaxRescalesPerHour)
        {
            return null;
        }

        var vertices = new Dictionary<string, int>(StringComparer.Ordinal);
        var reasons = new List<string>();
        // Keyed vertices only: they move key groups live; anything else would restart the whole job for a metric.
        foreach (var vertex in graph.Vertices.Where(v => !v.IsSource && v.Inputs.All(e => e.Partitioner == PartitionerKind.Hash) && v.Operators.All(o => o.RequiredParallelism is null)))
        {
            if (!_samples.TryGetValue(vertex.Id, out var samples) || samples.Count == 0)
            {
                continue;
            }

            double utilization = samples.Average(s => s.Busy) / 1000;
            if (Math.Abs(utilization - config.TargetUtilization) <= config.UtilizationBoundary)
            {
                continue;
            }

            int max = vertex.Operators.Select(o => o.MaxParallelism ?? graph.MaxParallelism).Min();
            int target = Math.Clamp((int)Math.Ceiling(vertex.Parallelism * utilization / config.TargetUtilization), 1, max);
            if (target != vertex.Parallelism)
            {
                vertices[vertex.Name] = target;
                reasons.Add($"{vertex.Head.Name} busy {utilization * 1000:0} ms/s over {config.MetricWindow.TotalSeconds:0.#} s, target {config.TargetUtilization:0.##}: {vertex.Parallelism} -> {target}");
            }
        }

        return vertices.Count == 0 ? null : new AutoscalerDecision(vertices, string.Join("; ", reasons));
    }

    /// <summary>The job rescaled or restarted: what was measured before says nothing about it now; it settles first.</summary>
    public void OnChanged(bool rescaled)
    {
        var now = time.GetUtcNow();
        if (rescaled)
        {
            _rescales.Enqueue(now);
        }

        _samples.Clear();
        _settledFrom = now + config.Stabilization;
    }
}
