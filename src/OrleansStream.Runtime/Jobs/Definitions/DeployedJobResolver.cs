using OrleansStream.Contracts.Jobs;

namespace OrleansStream.Runtime.Jobs.Definitions;

/// <summary>
/// A job class deployed with the silos, by its assembly-qualified name: in an assembly the silo host
/// references, or in one named in <see cref="Hosting.OrleansStreamOptions.JobAssemblies"/>.
/// </summary>
internal sealed class DeployedJobResolver(DeployedJobAssemblies assemblies) : IJobDefinitionResolver
{
    public ValueTask<JobDefinition?> ResolveAsync(string jobId, JobSubmission submission, CancellationToken cancellationToken)
    {
        if (submission.Artifact is not null || submission.Topology is not null || submission.JobType is not { } typeName)
        {
            return ValueTask.FromResult<JobDefinition?>(null);
        }

        var type = assemblies.FindType(typeName)
            ?? throw new JobSubmissionException($"Job type '{typeName}' cannot be loaded on this silo: deploy its assembly with the silos (OrleansStream:JobAssemblies), or upload it with the job.");
        return ValueTask.FromResult<JobDefinition?>(new JobDefinition(JobClasses.Instantiate(type)));
    }
}
