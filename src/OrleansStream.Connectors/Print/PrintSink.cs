using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Print;

/// <summary>
/// Prints records, one per line, like Flink's <c>print()</c>: for watching a job in a console. With more
/// than one subtask each line starts with <c>"{subtask + 1}> "</c> so the lines of subtasks can be told apart.
/// </summary>
/// <remarks>
/// Subtasks buffer their lines and write a whole buffer at once under a lock shared by all print sinks,
/// so lines of concurrent subtasks never interleave mid-line. The writer is not closed by the sink.
/// </remarks>
public sealed class PrintSink<T> : ISink<T>
{
    private readonly Func<T, string> _format;
    private readonly TextWriter? _writer;

    /// <param name="format">Formats a record; <c>ToString()</c> (or "null") by default.</param>
    /// <param name="writer">Where to print; <see cref="Console.Out"/> (as it is when a subtask opens) by default.</param>
    public PrintSink(Func<T, string>? format = null, TextWriter? writer = null)
    {
        _format = format ?? DefaultFormat;
        _writer = writer;
    }

    public int? RequiredParallelism => null;

    public ISinkWriter<T> CreateWriter(SinkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string prefix = context.Parallelism > 1 ? $"{context.SubtaskIndex + 1}> " : string.Empty;
        return new PrintSinkWriter<T>(_writer ?? Console.Out, prefix, _format);
    }

    internal static string DefaultFormat(T value) => value?.ToString() ?? "null";
}
