using System.Globalization;
using OrleansStream.Api;
using OrleansStream.Nexmark.Generator;

namespace OrleansStream.Nexmark;

/// <summary>
/// What <see cref="NexmarkJob"/> runs, read from its job parameters:
/// <list type="table">
/// <item><term>query</term><description>q0, q1, q2, q3, q4, q5, q7 or q8 (required)</description></item>
/// <item><term>source</term><description>generator (default) or file</description></item>
/// <item><term>events</term><description>generator: how many events; absent or 0 for an unbounded source</description></item>
/// <item><term>rate</term><description>generator: the most events per second the source emits in all; 0 (default) for no limit</description></item>
/// <item><term>seed</term><description>generator: the seed (0)</description></item>
/// <item><term>event-rate</term><description>generator: events per second of event time, which spaces the events' dateTime (10000)</description></item>
/// <item><term>base-time</term><description>generator: dateTime of event 0, epoch ms (2024-01-01T00:00:00Z)</description></item>
/// <item><term>input</term><description>file: the JSON-lines file, directory or pattern (required with source=file)</description></item>
/// <item><term>output</term><description>the CSV file to write; absent or "none" to discard the results</description></item>
/// <item><term>rejected</term><description>file: where malformed lines go, as <c>file:line: reason</c>; <c>&lt;output&gt;.rejected</c> by default, else standard error</description></item>
/// <item><term>checkpoint-interval</term><description>seconds between checkpoints, or off (default)</description></item>
/// <item><term>source-parallelism</term><description>subtasks of the source and the per-record steps chained to it (the job's parallelism)</description></item>
/// <item><term>parallelism</term><description>the job's parallelism (else the submission's)</description></item>
/// </list>
/// </summary>
public sealed record NexmarkJobOptions
{
    public required NexmarkQuery Query { get; init; }

    public bool FromFile { get; init; }

    public NexmarkConfig Generator { get; init; } = new();

    public long? Events { get; init; }

    public double Rate { get; init; }

    public string? Input { get; init; }

    public string? Output { get; init; }

    public string? Rejected { get; init; }

    public TimeSpan? CheckpointInterval { get; init; }

    public int? SourceParallelism { get; init; }

    public int? Parallelism { get; init; }

    public static NexmarkJobOptions From(JobParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var query = ParseQuery(parameters.GetRequired("query"));
        string source = parameters.Get("source", "generator");
        bool fromFile = source switch
        {
            "generator" => false,
            "file" => true,
            _ => throw new ArgumentException($"Job parameter 'source' is '{source}'; expected generator or file."),
        };
        string? input = parameters.Get("input");
        if (fromFile && string.IsNullOrWhiteSpace(input))
        {
            throw new ArgumentException("Job parameter 'input' is required with source=file: the JSON-lines file of events.");
        }

        string? output = parameters.Get("output") is { } o && !string.Equals(o, "none", StringComparison.OrdinalIgnoreCase) ? o : null;
        long events = parameters.GetInt64("events", 0);
        double rate = parameters.GetDouble("rate", 0);
        if (events < 0 || rate < 0)
        {
            throw new ArgumentException("Job parameters 'events' and 'rate' must not be negative (0 means unbounded and unlimited).");
        }

        return new NexmarkJobOptions
        {
            Query = query,
            FromFile = fromFile,
            Generator = new NexmarkConfig
            {
                Seed = parameters.GetInt64("seed", 0),
                EventsPerSecond = parameters.GetInt64("event-rate", 10_000),
                BaseTime = parameters.GetInt64("base-time", NexmarkConfig.DefaultBaseTime),
            }.Validate(),
            Events = events > 0 ? events : null,
            Rate = rate,
            Input = input,
            Output = output,
            Rejected = parameters.Get("rejected") ?? (output is null ? null : output + ".rejected"),
            CheckpointInterval = ParseInterval(parameters.Get("checkpoint-interval", "off")),
            SourceParallelism = Positive(parameters, "source-parallelism"),
            Parallelism = Positive(parameters, "parallelism"),
        };
    }

    public static NexmarkQuery ParseQuery(string text) => text.Trim().ToLowerInvariant() switch
    {
        "q0" => NexmarkQuery.Q0,
        "q1" => NexmarkQuery.Q1,
        "q2" => NexmarkQuery.Q2,
        "q3" => NexmarkQuery.Q3,
        "q4" => NexmarkQuery.Q4,
        "q5" => NexmarkQuery.Q5,
        "q7" => NexmarkQuery.Q7,
        "q8" => NexmarkQuery.Q8,
        _ => throw new ArgumentException($"Unknown Nexmark query '{text}'; expected q0, q1, q2, q3, q4, q5, q7 or q8."),
    };

    private static TimeSpan? ParseInterval(string text)
    {
        if (string.Equals(text, "off", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : throw new ArgumentException($"Job parameter 'checkpoint-interval' is '{text}'; expected off or a positive number of seconds.");
    }

    private static int? Positive(JobParameters parameters, string name)
    {
        if (!parameters.Has(name))
        {
            return null;
        }

        int value = parameters.GetInt32(name, 0);
        return value >= 1 ? value : throw new ArgumentException($"Job parameter '{name}' is {value}; it must be at least 1.");
    }
}
