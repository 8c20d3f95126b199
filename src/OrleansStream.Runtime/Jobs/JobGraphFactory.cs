using OrleansStream.Api;
using OrleansStream.Contracts.Artifacts;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Graph;
using OrleansStream.Runtime.Jobs.Artifacts;
using OrleansStream.Runtime.Jobs.Definitions;

namespace OrleansStream.Runtime.Jobs;

/// <summary>
/// Builds a job's graph from its submission, the same way on every silo that runs part of the job:
/// asks the registered <see cref="IJobDefinitionResolver"/>s for the job its definition describes (a
/// deployed class, a class of an uploaded assembly, a topology) and runs its <see cref="IStreamJob.Build"/>.
/// Whatever goes wrong in the job's own code comes out as a <see cref="JobSubmissionException"/> that
/// carries only text.
/// </summary>
public sealed class JobGraphFactory
{
    private readonly JobAssemblyLoader _assemblies;
    private readonly IJobDefinitionResolver[] _resolvers;

    public JobGraphFactory(JobAssemblyLoader assemblies, IEnumerable<IJobDefinitionResolver> resolvers)
    {
        _assemblies = assemblies;
        _resolvers = resolvers.ToArray();
    }

    /// <summary>
    /// Keeps the code the job is built from loaded on this silo until the hold is disposed: take it
    /// before <see cref="BuildAsync"/> and dispose it when nothing here runs the job any more, so that an
    /// uploaded assembly can be unloaded. A no-op for deployed classes and topologies.
    /// </summary>
    public IDisposable Hold(string jobId) => _assemblies.Hold(jobId);

    /// <summary>
    /// Builds the job's graph and keeps the code it came from loaded until the returned hold is disposed
    /// (<see cref="Hold"/>); when building fails, nothing is held.
    /// </summary>
    public async ValueTask<(JobGraph Graph, IDisposable Code)> BuildAndHoldAsync(string jobId, JobSubmission submission, CancellationToken cancellationToken = default)
    {
        var code = Hold(jobId);
        try
        {
            return (await BuildAsync(jobId, submission, cancellationToken), code);
        }
        catch
        {
            code.Dispose();
            throw;
        }
    }

    public async ValueTask<JobGraph> BuildAsync(string jobId, JobSubmission submission, CancellationToken cancellationToken = default)
    {
        var definition = await ResolveAsync(jobId, submission, cancellationToken);
        string name = submission.JobName ?? definition.Name ?? submission.DefaultName;
        try
        {
            // As in Flink, the submit's parallelism is where the job starts: a job that sets its own default wins.
            var builder = new StreamBuilder(new JobParameters(submission.Parameters), submission.Parallelism > 0 ? submission.Parallelism : 1) { JobName = name };
            definition.Job.Build(builder);
            return builder.BuildGraph(submission.VertexParallelism);
        }
        catch (Exception ex) when (submission.Artifact is { } artifact && JobClasses.IsMissingCode(ex))
        {
            throw MissingCode(name, artifact, ex);
        }
        catch (JobDefinitionException ex)
        {
            // A value that needed a parameter is only checked once the parameters are known.
            throw new JobSubmissionException(ex.Message, definitionFile: ex.FileName);
        }
        catch (JobGraphException ex)
        {
            throw new JobSubmissionException($"Job '{name}' is invalid: {ex.Message}", ex.OperatorName);
        }
        catch (Exception ex) when (ex is not (JobSubmissionException or OperationCanceledException))
        {
            // Any failure of the job's own code is the job's: it would fail the same way on every silo and
            // every retry. Only text leaves the silo: an exception of an uploaded job's own type would make
            // Orleans serialize, and cache, a type of the job's load context, and a client may not know it.
            throw new JobSubmissionException($"Job '{name}' could not be built: {Describe(ex)}");
        }
    }

    /// <summary>
    /// The job the submission's definition describes. A wrong definition is a <see cref="JobSubmissionException"/>;
    /// anything else (checkpoint storage unreachable while an uploaded assembly loads, say) comes out as it is,
    /// so that whoever asked can try again later.
    /// </summary>
    private async ValueTask<JobDefinition> ResolveAsync(string jobId, JobSubmission submission, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var resolver in _resolvers)
            {
                if (await resolver.ResolveAsync(jobId, submission, cancellationToken) is { } definition)
                {
                    return definition;
                }
            }
        }
        catch (JobDefinitionException ex)
        {
            throw new JobSubmissionException(ex.Message, definitionFile: ex.FileName);
        }
        catch (Exception ex) when (submission.Artifact is { } artifact && JobClasses.IsMissingCode(ex))
        {
            throw MissingCode(submission.DefaultName, artifact, ex);
        }

        throw new JobSubmissionException(submission.Topology is { } topology
            ? $"This cluster does not run topology files ({topology.FileName}): its silos do not register topology support (siloBuilder.AddOrleansStreamTopologies())."
            : "The submission names no job: give a job type, an uploaded assembly or a topology.");
    }

    private static string Describe(Exception ex)
        => ex is ArgumentException or InvalidOperationException or FormatException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";

    private static JobSubmissionException MissingCode(string jobName, JobArtifact artifact, Exception ex)
        => new($"Job '{jobName}' from uploaded assembly '{artifact.FileName}' needs code this silo does not have ({ex.GetBaseException().Message}). " +
               "An uploaded job may use only what is deployed with the silos (OrleansStream, its connectors, Orleans, .NET) and must be built against the same or older versions of them; " +
               "merge other dependencies into the job assembly or deploy them with the silos.");
}
