namespace OrleansStream.Client;

/// <summary>Something the client was asked to do cannot be done; the message says what to do about it.</summary>
public class StreamClientException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>No gateway of the cluster answered, or the connection to it was lost.</summary>
public sealed class ClusterUnavailableException(string message, Exception? innerException = null) : StreamClientException(message, innerException);

/// <summary>The cluster checks callers, and this one may not do it: no token or an unknown one, a role it lacks, another principal's job.</summary>
public sealed class NotAuthorizedException(string message, Exception? innerException = null) : StreamClientException(message, innerException);

/// <summary>The cluster knows no job with this id.</summary>
public sealed class JobNotFoundException(string jobId)
    : StreamClientException($"No job '{jobId}' on this cluster; 'list' shows the jobs it knows.")
{
    public string JobId { get; } = jobId;
}

/// <summary>The job cannot be built: its definition, parameters or graph are invalid.</summary>
public sealed class InvalidJobException(string message, string? operatorName, Exception? innerException = null, string? definitionFile = null)
    : StreamClientException(message, innerException)
{
    /// <summary>The operator (or topology step) at fault, when the problem is in one.</summary>
    public string? OperatorName { get; } = operatorName;

    /// <summary>The submitted document at fault (a topology file), when the message names its line and field.</summary>
    public string? DefinitionFile { get; } = definitionFile;
}

/// <summary>The cluster has fewer task slots than the job's largest parallelism.</summary>
public sealed class NotEnoughSlotsException(string message, int required, int available, Exception? innerException = null)
    : StreamClientException(message, innerException)
{
    public int Required { get; } = required;

    public int Available { get; } = available;
}

/// <summary>The cluster refused a rescale: a vertex that does not exist, or a parallelism a vertex cannot take.</summary>
public sealed class InvalidRescaleException(string message, string? vertex, Exception? innerException = null)
    : StreamClientException(message, innerException)
{
    /// <summary>The vertex the refusal is about, if one.</summary>
    public string? Vertex { get; } = vertex;
}
