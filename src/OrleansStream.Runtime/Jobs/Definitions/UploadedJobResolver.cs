using OrleansStream.Api;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Runtime.Jobs.Artifacts;

namespace OrleansStream.Runtime.Jobs.Definitions;

/// <summary>A job class in an assembly uploaded with the job, loaded into a collectible context of the job's own.</summary>
internal sealed class UploadedJobResolver(JobAssemblyLoader assemblies) : IJobDefinitionResolver
{
    public async ValueTask<JobDefinition?> ResolveAsync(string jobId, JobSubmission submission, CancellationToken cancellationToken)
    {
        if (submission.Artifact is not { } artifact)
        {
            return null;
        }

        var typeName = submission.JobType ?? throw new JobSubmissionException(
            $"The submission names uploaded assembly '{artifact.FileName}' but no job type in it: give the full name (namespace and class) of its {nameof(IStreamJob)} class.");
        var assembly = await assemblies.LoadAsync(jobId, artifact, cancellationToken);
        var type = assembly.GetType(typeName, throwOnError: false)
            ?? throw new JobSubmissionException(
                $"Uploaded assembly '{artifact.FileName}' ({assembly.GetName().Name}) has no type '{typeName}': give the full name (namespace and class) of a public {nameof(IStreamJob)} class. " +
                $"Job classes it has: {JobClasses.JobTypesIn(assembly)}.");
        return new JobDefinition(JobClasses.Instantiate(type));
    }
}
