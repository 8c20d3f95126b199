using OrleansStream.Api;
using OrleansStream.Graph;

namespace OrleansStream.Runtime.Jobs;

/// <summary>Builds a job's graph from its submission, the same way on the client and on every silo.</summary>
public static class JobGraphFactory
{
    public static JobGraph Build(JobSubmission submission)
    {
        var type = Type.GetType(submission.JobType, throwOnError: false)
            ?? throw new JobSubmissionException($"Job type '{submission.JobType}' cannot be loaded on this silo: deploy its assembly with the silo.");
        if (!typeof(IStreamJob).IsAssignableFrom(type) || type.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new JobSubmissionException($"Job type '{type.FullName}' must implement {nameof(IStreamJob)} and have a public parameterless constructor.");
        }

        var builder = new StreamBuilder(new JobParameters(submission.Parameters), submission.Parallelism) { JobName = submission.JobName };
        try
        {
            ((IStreamJob)Activator.CreateInstance(type)!).Build(builder);
            return builder.BuildGraph();
        }
        catch (JobGraphException ex)
        {
            throw new JobSubmissionException($"Job '{submission.JobName}' is invalid: {ex.Message}", ex.OperatorName);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new JobSubmissionException($"Job '{submission.JobName}' could not be built: {ex.Message}");
        }
    }
}

/// <summary>A job was refused at submit: its type, parameters or graph are not valid.</summary>
[GenerateSerializer, Alias("orleansstream.job-submission-exception")]
public sealed class JobSubmissionException : OrleansException
{
    public JobSubmissionException(string message, string? operatorName = null) : base(message) => OperatorName = operatorName;

    /// <summary>The operator at fault, when the problem is in one.</summary>
    [Id(0)] public string? OperatorName { get; private set; }
}
