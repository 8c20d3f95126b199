namespace OrleansStream.Tests.Fixtures;

/// <summary>Files of the repository the tests were built from (samples, manifests), found above the test assembly.</summary>
internal static class Repository
{
    private static readonly Lazy<string> s_root = new(() =>
    {
        var directory = AppContext.BaseDirectory;
        while (!File.Exists(System.IO.Path.Combine(directory, "OrleansStream.sln")))
        {
            directory = System.IO.Path.GetDirectoryName(directory) ?? throw new InvalidOperationException("The repository root was not found above the test assembly.");
        }

        return directory;
    });

    /// <summary>The path of <paramref name="parts"/> under the repository's root.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([s_root.Value, .. parts]);
}
