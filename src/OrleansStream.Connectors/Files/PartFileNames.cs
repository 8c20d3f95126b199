using System.Globalization;
using System.Text;
using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Files;

/// <summary>
/// Names the part files of a <see cref="RowFormatFileSink{T}"/>. Job id, attempt (with the subtask's generation once
/// it moved to another silo), subtask and a per-writer counter are all in the name, so writers of a restarted, rescaled
/// or moved job never reuse a name an earlier writer may still have staged or committed.
/// </summary>
internal sealed class PartFileNames
{
    public const string InProgressExtension = ".inprogress";

    public PartFileNames(string prefix, string suffix)
    {
        ValidatePart(prefix, nameof(prefix), allowEmpty: false);
        ValidatePart(suffix, nameof(suffix), allowEmpty: true);
        if (prefix[0] == '.')
        {
            throw new ArgumentException($"The part prefix '{prefix}' must not start with '.': committed files would be hidden like in-progress ones.", nameof(prefix));
        }

        if (suffix.EndsWith(InProgressExtension, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The part suffix '{suffix}' must not end with '{InProgressExtension}', which marks uncommitted files.", nameof(suffix));
        }

        Prefix = prefix;
        Suffix = suffix;
    }

    public string Prefix { get; }

    public string Suffix { get; }

    /// <summary>The committed, visible name: <c>{prefix}-{job}-{attempt}[.{generation}]-{subtask}-{counter}{suffix}</c>.</summary>
    public string Final(SinkContext context, long counter)
        => context.Generation == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{Prefix}-{Sanitize(context.JobId)}-{context.Attempt}-{context.SubtaskIndex}-{counter}{Suffix}")
            : string.Create(CultureInfo.InvariantCulture, $"{Prefix}-{Sanitize(context.JobId)}-{context.Attempt}.{context.Generation}-{context.SubtaskIndex}-{counter}{Suffix}");

    /// <summary>
    /// The staging name: the final name hidden behind a leading '.' and marked <c>.inprogress</c>, so that tools
    /// reading the directory (and <c>FileSource</c> users globbing <c>part-*</c>) skip it.
    /// </summary>
    public string InProgress(SinkContext context, long counter) => "." + Final(context, counter) + InProgressExtension;

    /// <summary>The committed part files in <paramref name="directory"/>, none when it does not exist (staged ones start with '.', the prefix never).</summary>
    public IEnumerable<string> CommittedFiles(string directory)
        => System.IO.Directory.Exists(directory) ? System.IO.Directory.EnumerateFiles(directory, $"{Prefix}-*{Suffix}") : [];

    /// <summary>Job ids may hold any character but '/': keep file names portable and free of spaces.</summary>
    private static string Sanitize(string jobId)
    {
        var name = new StringBuilder(jobId.Length);
        foreach (char c in jobId)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }

        return name.ToString();
    }

    private static void ValidatePart(string value, string name, bool allowEmpty)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        if (!allowEmpty && value.Length == 0)
        {
            throw new ArgumentException($"The part {name} must not be empty.", name);
        }

        if (value.AsSpan().IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || value.Contains('/') || value.Contains('\\'))
        {
            throw new ArgumentException($"The part {name} '{value}' must be part of a file name, without path separators or invalid characters.", name);
        }
    }
}
