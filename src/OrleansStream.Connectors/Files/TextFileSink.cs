using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Files;

/// <summary>The sink behind <see cref="FileSink"/>: one merged file, or one part file per subtask.</summary>
internal sealed class TextFileSink<T>(string path, bool isDirectory, Func<T, string>? format) : ISink<T>
{
    private readonly Func<T, string> _format = format ?? DefaultFormat;

    public int? RequiredParallelism => isDirectory ? null : 1;

    public ISinkWriter<T> CreateWriter(SinkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string file;
        if (isDirectory)
        {
            Directory.CreateDirectory(path);
            file = Path.Combine(path, $"part-{context.SubtaskIndex}");
        }
        else
        {
            if (context.Parallelism != 1)
            {
                throw new InvalidOperationException(
                    $"The file sink '{path}' writes a single file and needs parallelism 1, not {context.Parallelism}.");
            }

            if (Path.GetDirectoryName(path) is { Length: > 0 } parent)
            {
                Directory.CreateDirectory(parent);
            }

            file = path;
        }

        return new TextFileSinkWriter<T>(file, _format);
    }

    private static string DefaultFormat(T value) => value?.ToString() ?? "null";
}
