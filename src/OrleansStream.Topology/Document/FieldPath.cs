namespace OrleansStream.Topology.Document;

/// <summary>
/// Where a value sits in the document: the plain path (<c>steps[3].expression</c>) reported as
/// <see cref="TopologyException.Field"/>, and a display form that names the step
/// (<c>steps[3] (filter 'well-formed').expression</c>) for the message.
/// </summary>
internal sealed record FieldPath(string Path, string Display)
{
    public static readonly FieldPath Root = new(string.Empty, string.Empty);

    public FieldPath Key(string key) => new(Join(Path, key), Join(Display, key));

    public FieldPath Index(int index) => new($"{Path}[{index}]", $"{Display}[{index}]");

    /// <summary>The same path, displayed with what the step is, e.g. <c>(filter 'well-formed')</c>.</summary>
    public FieldPath Described(string description) => this with { Display = $"{Display} ({description})" };

    public override string ToString() => Path;

    private static string Join(string parent, string key) => parent.Length == 0 ? key : $"{parent}.{key}";
}
