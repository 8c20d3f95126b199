using OrleansStream.Api;
using OrleansStream.Graph;
using OrleansStream.Topology;

namespace OrleansStream.Runtime.Jobs;

/// <summary>
/// Builds a job's graph from its submission, the same way on the client and on every silo: finds
/// the job's definition (a deployed class, a class of an uploaded assembly, or a topology) and runs
/// its <see cref="IStreamJob.Build"/>.
/// </summary>
public sealed class JobGraphFactory
{
    /// <summary>A factory for jobs whose definitions need nothing from the cluster (deployed classes and topologies), as a client has it.</summary>
    public static JobGraphFactory Local { get; } = new();

    public async ValueTask<JobGraph> BuildAsync(string jobId, JobSubmission submission, CancellationToken cancellationToken = default)
    {
        var job = await CreateJobAsync(jobId, submission, cancellationToken);
        // As in Flink, the submit's parallelism is where the job starts: a job that sets its own default wins.
        var builder = new StreamBuilder(new JobParameters(submission.Parameters), submission.Parallelism > 0 ? submission.Parallelism : 1) { JobName = submission.JobName };
        try
        {
            job.Build(builder);
            return builder.BuildGraph();
        }
        catch (TopologyException ex)
        {
            // A value that needed a parameter is only checked once the parameters are known.
            throw new JobSubmissionException(ex.Message);
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

    private ValueTask<IStreamJob> CreateJobAsync(string jobId, JobSubmission submission, CancellationToken cancellationToken)
    {
        if (submission.Topology is { } topology)
        {
            try
            {
                return ValueTask.FromResult<IStreamJob>(new TopologyJob(TopologyDocument.Parse(topology.Text, topology.FileName)));
            }
            catch (TopologyException ex)
            {
                throw new JobSubmissionException(ex.Message);
            }
        }

        if (submission.Artifact is not null)
        {
            throw new JobSubmissionException("Uploaded job assemblies are not supported yet.");
        }

        var typeName = submission.JobType ?? throw new JobSubmissionException("The submission names no job: give a job type, an uploaded assembly or a topology.");
        var type = Type.GetType(typeName, throwOnError: false)
            ?? throw new JobSubmissionException($"Job type '{typeName}' cannot be loaded on this silo: deploy its assembly with the silo, or upload it with the job.");
        return ValueTask.FromResult(Instantiate(type));
    }

    private static IStreamJob Instantiate(Type type)
    {
        if (!typeof(IStreamJob).IsAssignableFrom(type) || type.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new JobSubmissionException($"Job type '{type.FullName}' must implement {nameof(IStreamJob)} and have a public parameterless constructor.");
        }

        return (IStreamJob)Activator.CreateInstance(type)!;
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
