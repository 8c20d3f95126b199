namespace OrleansStream.Connectors.Files;

/// <summary>Turns a file, directory or last-segment pattern into a deterministic list of files.</summary>
internal static class FilePathResolver
{
    private static readonly EnumerationOptions s_topLevel = new()
    {
        RecurseSubdirectories = false,
        // Simple matching avoids the Win32 quirks ("*.log" also matching ".logx"), so a pattern means the same everywhere.
        MatchType = MatchType.Simple,
        IgnoreInaccessible = false,
    };

    public static IReadOnlyList<string> Resolve(string path)
    {
        var files = Matching(path);
        if (files.Count == 0)
        {
            throw new FileNotFoundException($"No file matches the path '{path}'.", path);
        }

        return files;
    }

    /// <summary>The files that match <paramref name="path"/> now, sorted by full path; none when nothing matches (yet).</summary>
    public static IReadOnlyList<string> Matching(string path)
    {
        string[] files;
        if (File.Exists(path))
        {
            files = [path];
        }
        else if (Directory.Exists(path))
        {
            files = Directory.GetFiles(path, "*", s_topLevel);
        }
        else if (Path.GetFileName(path) is { Length: > 0 } pattern && pattern.AsSpan().IndexOfAny('*', '?') >= 0)
        {
            string directory = Path.GetDirectoryName(path) is { Length: > 0 } parent ? parent : ".";
            files = Directory.Exists(directory) ? Directory.GetFiles(directory, pattern, s_topLevel) : [];
        }
        else
        {
            files = [];
        }

        for (int i = 0; i < files.Length; i++)
        {
            files[i] = Path.GetFullPath(files[i]);
        }

        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }
}
