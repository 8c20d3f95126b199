namespace OrleansStream.Contracts.Jobs;

/// <summary>A job was refused at submit: its definition, parameters or graph are not valid.</summary>
[GenerateSerializer, Alias("orleansstream.job-submission-exception")]
public sealed class JobSubmissionException : OrleansException
{
    public JobSubmissionException(string message, string? operatorName = null, string? definitionFile = null)
        : base(message)
    {
        OperatorName = operatorName;
        DefinitionFile = definitionFile;
    }

    /// <summary>The operator at fault, when the problem is in one.</summary>
    [Id(0)] public string? OperatorName { get; private set; }

    /// <summary>
    /// The submitted document at fault (a topology file's name), when the job's definition itself is
    /// wrong and the message names its line and field: the submitter's file to fix.
    /// </summary>
    [Id(1)] public string? DefinitionFile { get; private set; }
}
