namespace OrleansStream.Runtime.Storage;

/// <summary>One of the embedded SQL scripts, named by its file.</summary>
internal sealed record SqlScript(string Name, string Text);
