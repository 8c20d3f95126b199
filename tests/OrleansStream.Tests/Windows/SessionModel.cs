using OrleansStream.Windows;

namespace OrleansStream.Tests.Windows;

/// <summary>One step of a test input: an element, or a watermark when <see cref="Key"/> is null.</summary>
public readonly record struct Step(string? Key, long Time)
{
    public static Step Element(string key, long ts) => new(key, ts);

    public static Step Watermark(long watermark) => new(null, watermark);
}

/// <summary>
/// Event-time session windows with a count, with allowed lateness, written the plain way: per key a list of
/// sessions; an element's window [t, t + gap) absorbs every session it overlaps or touches; a session fires when
/// the watermark reaches its end - 1 (or at once if it already has), and is dropped once the watermark reaches
/// end - 1 + lateness; an element whose own window is already past that and meets no session is late. It shares no code with the
/// operator, which works with state windows, timers and triggers.
/// </summary>
internal static class SessionModel
{
    public static (List<WindowResult<string, long>>[] ResultsPerStep, List<Ev> Late) Run(IReadOnlyList<Step> steps, long gap, long lateness)
    {
        var sessions = new Dictionary<string, List<(long Start, long End, long Count)>>();
        var results = new List<WindowResult<string, long>>[steps.Count];
        var late = new List<Ev>();
        long watermark = long.MinValue;
        for (int i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var emitted = results[i] = new List<WindowResult<string, long>>();
            if (step.Key is { } key)
            {
                long start = step.Time, end = step.Time + gap;
                if (!sessions.TryGetValue(key, out var list))
                {
                    sessions[key] = list = new();
                }

                // As in Flink the window merges first: a window late on its own still joins a session it overlaps.
                var overlapping = list.Where(s => s.Start <= end && start <= s.End).ToList();
                if (overlapping.Count == 0 && end - 1 + lateness <= watermark)
                {
                    late.Add(new Ev(key, step.Time, 1));
                    continue;
                }

                long count = 1;
                foreach (var s in overlapping)
                {
                    list.Remove(s);
                    start = Math.Min(start, s.Start);
                    end = Math.Max(end, s.End);
                    count += s.Count;
                }

                list.Add((start, end, count));
                if (end - 1 <= watermark)
                {
                    emitted.Add(new(key, new TimeWindow(start, end), count));
                }

                continue;
            }

            if (step.Time <= watermark)
            {
                continue;
            }

            foreach (var (k, list) in sessions)
            {
                foreach (var s in list.Where(s => s.End - 1 > watermark && s.End - 1 <= step.Time))
                {
                    emitted.Add(new(k, new TimeWindow(s.Start, s.End), s.Count));
                }

                list.RemoveAll(s => s.End - 1 + lateness <= step.Time);
            }

            watermark = step.Time;
        }

        return (results, late);
    }

    /// <summary>Random keyed input with disorder, watermarks that trail the largest timestamp, and a few very late elements.</summary>
    public static List<Step> RandomSteps(int seed, int elements, long gap, int keys = 3)
    {
        var random = new Random(seed);
        var steps = new List<Step>();
        long now = 0, maxTs = long.MinValue;
        for (int i = 0; i < elements; i++)
        {
            now += random.Next(0, (int)gap / 2);
            if (random.Next(20) == 0)
            {
                now += gap * 2;   // a pause that ends sessions
            }

            long ts = random.Next(10) == 0 ? now - random.Next((int)gap, (int)gap * 4) : now - random.Next(0, (int)gap / 2);
            steps.Add(Step.Element(((char)('a' + random.Next(keys))).ToString(), ts));
            maxTs = Math.Max(maxTs, ts);
            if (random.Next(4) == 0)
            {
                steps.Add(Step.Watermark(maxTs - gap / 2));
            }
        }

        steps.Add(Step.Watermark(long.MaxValue));
        return steps;
    }
}
