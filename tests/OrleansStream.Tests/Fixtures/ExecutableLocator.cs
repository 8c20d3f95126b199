namespace OrleansStream.Tests.Fixtures;

/// <summary>Finds the server programs the fixtures start, and says how to get them when they are missing.</summary>
internal static class ExecutableLocator
{
    public static string Require(string name, string howToInstall)
        => Find(name) ?? throw new InvalidOperationException(
            $"The test fixture needs '{name}', which is not on PATH ({Environment.GetEnvironmentVariable("PATH")}). {howToInstall}");

    public static string? Find(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
