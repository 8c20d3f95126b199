namespace OrleansStream.Api;

/// <summary>
/// A job's definition is wrong where a document defines it (a topology file): the message names the
/// file, line and field. Thrown while reading the definition or while building the job from it.
/// </summary>
public class JobDefinitionException : Exception
{
    public JobDefinitionException(string fileName, string message, Exception? inner = null)
        : base(message, inner) => FileName = fileName;

    /// <summary>The name of the document at fault.</summary>
    public string FileName { get; }
}
