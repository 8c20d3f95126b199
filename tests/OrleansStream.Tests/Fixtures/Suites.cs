namespace OrleansStream.Tests.Fixtures;

/// <summary>
/// The suites a test belongs to, as an xUnit trait: the regular suite (<c>./test.sh</c>) leaves out the slow end-to-end
/// tests, which <c>./test.sh --end-to-end</c> runs (and CI runs both).
/// </summary>
public static class Suites
{
    public const string Trait = "Suite";

    /// <summary>Tests that start real silo and CLI processes: minutes, not seconds.</summary>
    public const string EndToEnd = "EndToEnd";

    /// <summary>The chaos soak (tests/soak/soak.sh): as long as it is told to run, in neither suite.</summary>
    public const string Soak = "Soak";
}
