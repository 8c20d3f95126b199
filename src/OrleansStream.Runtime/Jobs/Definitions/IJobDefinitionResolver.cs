using OrleansStream.Contracts.Jobs;

namespace OrleansStream.Runtime.Jobs.Definitions;

/// <summary>
/// Turns the definition a submission carries into the job to build. The runtime resolves job classes
/// (deployed with the silos or uploaded); other kinds of definition come from plug-ins that register a
/// resolver (topology files: <c>siloBuilder.AddOrleansStreamTopologies()</c>). Resolvers are asked in
/// registration order; the first that knows the submission's kind answers.
/// </summary>
public interface IJobDefinitionResolver
{
    /// <summary>
    /// The job <paramref name="submission"/> defines, or null when it carries no definition of this
    /// resolver's kind. Throws <see cref="JobSubmissionException"/> (or <see cref="Api.JobDefinitionException"/>
    /// for a document at fault) when the definition is of its kind but wrong.
    /// </summary>
    ValueTask<JobDefinition?> ResolveAsync(string jobId, JobSubmission submission, CancellationToken cancellationToken);
}
