namespace OrleansStream.Connectors.Print;

/// <summary>One lock for every print sink, whatever its record type, since they usually share the console.</summary>
internal static class PrintSinkLock
{
    public static readonly Lock Instance = new();
}
