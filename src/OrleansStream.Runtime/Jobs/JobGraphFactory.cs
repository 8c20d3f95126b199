using OrleansStream.Api;
using OrleansStream.Graph;
using OrleansStream.Runtime.Jobs.Artifacts;
using OrleansStream.Topology;

namespace OrleansStream.Runtime.Jobs;

/// <summary>
/// Builds a job's graph from its submission, the same way on every silo that runs part of the job:
/// finds the job's definition (a deployed class, a class of an uploaded assembly, or a topology) and
/// runs its <see cref="IStreamJob.Build"/>. Whatever goes wrong in the job's own code comes out as a
/// <see cref="JobSubmissionException"/> that carries only text.
/// </summary>
public sealed class JobGraphFactory(JobAssemblyLoader assemblies)
{
    /// <summary>
    /// Keeps the code the job is built from loaded on this silo until the hold is disposed: take it
    /// before <see cref="BuildAsync"/> and dispose it when nothing here runs the job any more, so that an
    /// uploaded assembly can be unloaded. A no-op for deployed classes and topologies.
    /// </summary>
    public IDisposable Hold(string jobId) => assemblies.Hold(jobId);

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
        catch (Exception ex) when (submission.Artifact is { } artifact && IsMissingCode(ex))
        {
            throw MissingCode(submission, artifact, ex);
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
        catch (Exception ex) when (ex is not (JobSubmissionException or OperationCanceledException))
        {
            // Any failure of the job's own code is the job's: it would fail the same way on every silo and
            // every retry. Only text leaves the silo: an exception of an uploaded job's own type would make
            // Orleans serialize, and cache, a type of the job's load context, and a client may not know it.
            throw new JobSubmissionException($"Job '{submission.JobName}' could not be built: {Describe(ex)}");
        }
    }

    private static string Describe(Exception ex)
        => ex is ArgumentException or InvalidOperationException or FormatException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";

    private async ValueTask<IStreamJob> CreateJobAsync(string jobId, JobSubmission submission, CancellationToken cancellationToken)
    {
        if (submission.Topology is { } topology)
        {
            try
            {
                return new TopologyJob(TopologyDocument.Parse(topology.Text, topology.FileName));
            }
            catch (TopologyException ex)
            {
                throw new JobSubmissionException(ex.Message);
            }
        }

        if (submission.Artifact is { } artifact)
        {
            return await CreateUploadedJobAsync(jobId, submission, artifact, cancellationToken);
        }

        var typeName = submission.JobType ?? throw new JobSubmissionException("The submission names no job: give a job type, an uploaded assembly or a topology.");
        var type = Type.GetType(typeName, throwOnError: false)
            ?? throw new JobSubmissionException($"Job type '{typeName}' cannot be loaded on this silo: deploy its assembly with the silo, or upload it with the job.");
        return Instantiate(type);
    }

    private async ValueTask<IStreamJob> CreateUploadedJobAsync(string jobId, JobSubmission submission, JobArtifact artifact, CancellationToken cancellationToken)
    {
        var typeName = submission.JobType ?? throw new JobSubmissionException(
            $"The submission names uploaded assembly '{artifact.FileName}' but no job type in it: give the full name (namespace and class) of its {nameof(IStreamJob)} class.");
        var assembly = await assemblies.LoadAsync(jobId, artifact, cancellationToken);
        try
        {
            var type = assembly.GetType(typeName, throwOnError: false)
                ?? throw new JobSubmissionException(
                    $"Uploaded assembly '{artifact.FileName}' ({assembly.GetName().Name}) has no type '{typeName}': give the full name (namespace and class) of a public {nameof(IStreamJob)} class. " +
                    $"Job classes it has: {JobTypesIn(assembly)}.");
            return Instantiate(type);
        }
        catch (Exception ex) when (IsMissingCode(ex))
        {
            throw MissingCode(submission, artifact, ex);
        }
    }

    private static string JobTypesIn(System.Reflection.Assembly assembly)
    {
        try
        {
            var names = assembly.GetExportedTypes()
                .Where(t => typeof(IStreamJob).IsAssignableFrom(t) && !t.IsAbstract)
                .Select(t => t.FullName)
                .Order(StringComparer.Ordinal)
                .ToList();
            return names.Count == 0 ? "none" : string.Join(", ", names);
        }
        catch (Exception ex) when (IsMissingCode(ex))
        {
            return $"unknown ({ex.GetBaseException().Message})";
        }
    }

    /// <summary>The ways the runtime reports code the job needs but the silo does not have.</summary>
    private static bool IsMissingCode(Exception ex)
        => ex is FileNotFoundException or FileLoadException or TypeLoadException or MissingMemberException or System.Reflection.ReflectionTypeLoadException or BadImageFormatException;

    private static JobSubmissionException MissingCode(JobSubmission submission, JobArtifact artifact, Exception ex)
        => new($"Job '{submission.JobName}' from uploaded assembly '{artifact.FileName}' needs code this silo does not have ({ex.GetBaseException().Message}). " +
               "An uploaded job may use only what is deployed with the silos (OrleansStream, its connectors, Orleans, .NET) and must be built against the same or older versions of them; " +
               "merge other dependencies into the job assembly or deploy them with the silos.");

    private static IStreamJob Instantiate(Type type)
    {
        if (!typeof(IStreamJob).IsAssignableFrom(type) || type.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new JobSubmissionException($"Job type '{type.FullName}' must implement {nameof(IStreamJob)} and have a public parameterless constructor.");
        }

        try
        {
            return (IStreamJob)Activator.CreateInstance(type)!;
        }
        catch (System.Reflection.TargetInvocationException ex)
        {
            var cause = ex.InnerException ?? ex;
            throw new JobSubmissionException($"The constructor of job type '{type.FullName}' threw {cause.GetType().Name}: {cause.Message}");
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
