namespace OrleansStream.Runtime.Jobs.Artifacts;

/// <summary>Caches outside OrleansStream that may keep an unloaded job's types alive.</summary>
internal static class JobCodeCaches
{
    public static void Clear()
    {
    }
}
