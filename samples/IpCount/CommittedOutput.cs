namespace OrleansStream.Samples.IpCount;

/// <summary>
/// Reads what the exactly-once mode committed: the visible part files of a transactional file sink's
/// directory (in-progress files are hidden, their names start with '.').
/// </summary>
public static class CommittedOutput
{
    public static IEnumerable<string> PartFiles(string directory)
        => Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal)
            : [];

    /// <summary>Every committed line, sorted (part files hold lines in the order each subtask wrote them).</summary>
    public static List<string> Lines(string directory)
        => PartFiles(directory).SelectMany(File.ReadLines).Order(StringComparer.Ordinal).ToList();

    /// <summary>True when any of the job's sink directories under <paramref name="output"/> holds committed files.</summary>
    public static bool Exists(string output)
        => new[] { IpCountOptions.CountsDirectory, IpCountOptions.LateDirectory, IpCountOptions.RejectedDirectory }
            .Any(sink => PartFiles(Path.Combine(output, sink)).Any());
}
