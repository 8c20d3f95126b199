using OrleansStream.Api;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Graph;

namespace OrleansStream.Runtime.Rescaling;

/// <summary>The vertices the autoscaler rescales, by name, and why: the metric values and the change.</summary>
internal sealed record AutoscalerDecision(IReadOnlyDictionary<string, int> Vertices, string Reason);

/// <summary>
/// A job's autoscaler (after the Flink Kubernetes operator's): samples each vertex's busy time, and each source's rate
/// and backlog, every second; once a full metric window has been seen since the job last settled, it rescales
/// <list type="bullet">
/// <item>each vertex other than a source whose utilization left the band around the target to the parallelism that
/// brings it back, <c>ceil(p * utilization / target)</c>;</item>
/// <item>each source (if <see cref="AutoscalerConfig.ScaleSources"/>) to the readers that keep up with the rate its input
/// arrives at (what it read plus how fast its backlog grew) and work off the pending records within the catch-up
/// duration, each reader busy at the target: <c>ceil((arrival + pending / catch-up) / (rate per busy reader * target))</c>,
/// no more than it has unfinished splits, live (its readers hand splits over).</item>
/// </list>
/// Vertices that cannot rescale live (<see cref="RescalePlanner.WhyNotLive(OrleansStream.Graph.JobVertex)"/>) keep their parallelism.
/// </summary>
internal sealed class Autoscaler(AutoscalerConfig config, TimeProvider time)
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    /// <summary>Below this busy share a source's rate says nothing about what one reader could read.</summary>
    private const double MeasurableUtilization = 0.05;

    private readonly Dictionary<int, List<Sample>> _samples = new();
    private readonly Queue<DateTimeOffset> _rescales = new();
    private DateTimeOffset _settledFrom = time.GetUtcNow() + config.Stabilization;

    /// <summary>Takes a sample of each running vertex, once the job has settled.</summary>
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

            samples.Add(new Sample(now, vertex.Time!.BusyTimeMsPerSecond, vertex.Operators.FirstOrDefault()?.RecordsOutPerSecond ?? 0, vertex.Backlog));
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
        foreach (var vertex in graph.Vertices.Where(v => v.Operators.All(o => o.RequiredParallelism is null)))
        {
            if (!_samples.TryGetValue(vertex.Id, out var samples) || samples.Count == 0)
            {
                continue;
            }

            int max = vertex.Operators.Select(o => o.MaxParallelism ?? graph.MaxParallelism).Min();
            var proposal = vertex.IsSource
                ? (config.ScaleSources ? SizeSource(vertex, samples, max) : null)
                : RescalePlanner.WhyNotLive(vertex) is null ? SizeByBusyTime(vertex, samples, max) : null;
            if (proposal is { } change && change.Target != vertex.Parallelism)
            {
                vertices[vertex.Name] = change.Target;
                reasons.Add($"{vertex.Head.Name} {change.Why}: {vertex.Parallelism} -> {change.Target}");
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

    private (int Target, string Why)? SizeByBusyTime(JobVertex vertex, List<Sample> samples, int max)
    {
        double utilization = samples.Average(s => s.Busy) / 1000;
        if (WithinBand(utilization))
        {
            return null;
        }

        int target = Math.Clamp((int)Math.Ceiling(vertex.Parallelism * utilization / config.TargetUtilization), 1, max);
        return (target, $"busy {utilization * 1000:0} ms/s over {config.MetricWindow.TotalSeconds:0.#} s, target {config.TargetUtilization:0.##}");
    }

    private (int Target, string Why)? SizeSource(JobVertex vertex, List<Sample> samples, int max)
    {
        // Every sample must know the pending records: a reader that cannot tell (a socket) is not sized by backlog.
        if (samples.Count < 2 || samples.Any(s => s.Backlog?.PendingRecords is null))
        {
            return null;
        }

        var first = samples[0];
        var last = samples[^1];
        double seconds = (last.At - first.At).TotalSeconds;
        double utilization = samples.Average(s => s.Busy) / 1000;
        double rate = samples.Average(s => s.RecordsPerSecond);
        if (seconds <= 0 || utilization < MeasurableUtilization || rate <= 0)
        {
            return null;
        }

        long pending = last.Backlog!.PendingRecords!.Value;
        double growth = (pending - first.Backlog!.PendingRecords!.Value) / seconds;
        double arrival = Math.Max(0, rate + growth);
        double perReader = rate / vertex.Parallelism / utilization;
        double needed = (arrival + pending / config.CatchUpDuration.TotalSeconds) / (perReader * config.TargetUtilization);

        // Within the band and not falling behind: leave it. More readers than unfinished splits would idle.
        bool fallingBehind = growth > 0 && pending > 0;
        if (!fallingBehind && WithinBand(utilization))
        {
            return null;
        }

        int target = Math.Clamp((int)Math.Ceiling(needed), 1, Math.Max(1, Math.Min(max, last.Backlog.PendingSplits)));
        return (target, $"pending {pending:N0} records ({growth:+#,0;-#,0;0}/s), reads {rate:N0}/s busy {utilization * 1000:0} ms/s over {config.MetricWindow.TotalSeconds:0.#} s, " +
            $"catch-up {config.CatchUpDuration.TotalSeconds:0.#} s, target {config.TargetUtilization:0.##}");
    }

    private bool WithinBand(double utilization) => Math.Abs(utilization - config.TargetUtilization) <= config.UtilizationBoundary;

    private sealed record Sample(DateTimeOffset At, double Busy, double RecordsPerSecond, SourceBacklogMetrics? Backlog);
}
