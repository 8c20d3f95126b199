using OrleansStream.Api;
using OrleansStream.Contracts.Artifacts;

namespace OrleansStream.Contracts.Jobs;

/// <summary>
/// What a client sends to start a job: what defines the job (a job class, a class in an uploaded
/// assembly, or a topology document) and the parameters it is built from. The graph itself never
/// travels: every silo rebuilds it from this (it holds user lambdas).
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansstream.job-submission")]
public sealed record JobSubmission
{
    /// <summary>
    /// The <see cref="IStreamJob"/> class, with a public parameterless constructor: assembly-qualified
    /// when its assembly is deployed with the silos, or its full name within <see cref="Artifact"/>.
    /// Null for a <see cref="Topology"/>.
    /// </summary>
    [Id(0)] public string? JobType { get; init; }

    /// <summary>
    /// The job's name; null takes the definition's own (a topology's <c>name</c>), else <see cref="DefaultName"/>.
    /// The cluster fills it in when it accepts the job.
    /// </summary>
    [Id(1)] public string? JobName { get; init; }

    /// <summary>The job's default parallelism; 0 leaves it to the job (1 unless it sets <see cref="StreamBuilder.DefaultParallelism"/>).</summary>
    [Id(2)] public int Parallelism { get; init; } = 1;

    [Id(3)] public Dictionary<string, string> Parameters { get; init; } = new();

    /// <summary>A savepoint or retained checkpoint to start from, as <c>{job id}/{checkpoint id}</c>; null for a fresh start.</summary>
    [Id(4)] public string? FromSavepoint { get; init; }

    /// <summary>Start from the savepoint even if some of its state belongs to no operator of this job (that state is dropped).</summary>
    [Id(5)] public bool AllowNonRestoredState { get; init; }

    /// <summary>A topology document (YAML or JSON) that defines the job instead of a class.</summary>
    [Id(6)] public JobTopology? Topology { get; init; }

    /// <summary>An uploaded job assembly that holds <see cref="JobType"/>; the silos load it into a collectible context of the job's own.</summary>
    [Id(7)] public JobArtifact? Artifact { get; init; }

    /// <summary>
    /// Parallelism per vertex, named by one of its operators, that replaces what the job sets: how a rescaled
    /// job is rebuilt on every silo. Empty at submit unless set; a rescale writes it.
    /// </summary>
    [Id(8)] public Dictionary<string, int> VertexParallelism { get; init; } = new();

    /// <summary>
    /// Set, the job is adaptive (Flink's reactive mode): it runs at as many subtasks as the cluster's free task slots
    /// allow, up to this, and follows them: it scales up when slots free up or silos join (after a stabilization
    /// window), and restarts at what the remaining slots allow when a silo is lost. <see cref="Parallelism"/> is then
    /// the parallelism it runs at now.
    /// </summary>
    [Id(9)] public int? AdaptiveMaxParallelism { get; init; }

    /// <summary>
    /// Start fresh even where sinks hold committed output of an earlier run, adding to it (<c>submit --append</c>). Without
    /// it such a submission is refused, as a second run would add a second copy; a start from a savepoint goes on anyway.
    /// </summary>
    [Id(10)] public bool Append { get; init; }

    /// <summary>
    /// The principal that submitted the job, on a cluster that checks callers: only it, and admins, see and act on the
    /// job. The cluster sets it from the caller's token; what a client sends is overwritten.
    /// </summary>
    [Id(11)] public string? Owner { get; init; }

    /// <summary>The job's parallelism as asked: fixed, or adaptive with its maximum.</summary>
    public Parallelism AskedParallelism => AdaptiveMaxParallelism is { } max ? Jobs.Parallelism.Adaptive(max) : Jobs.Parallelism.Fixed(Math.Max(1, Parallelism));

    /// <summary>This submission with <paramref name="parallelism"/>: fixed, or adaptive (<see cref="Jobs.Parallelism.Adaptive"/>).</summary>
    public JobSubmission WithParallelism(Parallelism parallelism)
        => this with { Parallelism = parallelism.Value, AdaptiveMaxParallelism = parallelism.IsAdaptive ? parallelism.Value : null };

    public static JobSubmission For<TJob>(int parallelism = 1, IReadOnlyDictionary<string, string>? parameters = null, string? jobName = null)
        where TJob : IStreamJob, new()
        => new()
        {
            JobType = typeof(TJob).AssemblyQualifiedName!,
            JobName = jobName ?? typeof(TJob).Name,
            Parallelism = parallelism,
            Parameters = parameters is null ? new() : new Dictionary<string, string>(parameters),
        };

    /// <summary>A job of class <typeparamref name="TJob"/> at <paramref name="parallelism"/>: fixed, or <see cref="Jobs.Parallelism.Adaptive"/>.</summary>
    public static JobSubmission For<TJob>(Parallelism parallelism, IReadOnlyDictionary<string, string>? parameters = null, string? jobName = null)
        where TJob : IStreamJob, new()
        => For<TJob>(parallelism.Value, parameters, jobName).WithParallelism(parallelism);

    /// <summary>
    /// A job defined by class <paramref name="jobType"/> (its full name: namespace and class) in an
    /// assembly uploaded with <see cref="StreamJobClient.UploadArtifactAsync"/>.
    /// </summary>
    public static JobSubmission ForArtifact(
        JobArtifact artifact, string jobType, int parallelism = 1, IReadOnlyDictionary<string, string>? parameters = null, string? jobName = null)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentException.ThrowIfNullOrWhiteSpace(jobType);
        return new()
        {
            Artifact = artifact,
            JobType = jobType,
            JobName = jobName ?? ShortTypeName(jobType),
            Parallelism = parallelism,
            Parameters = parameters is null ? new() : new Dictionary<string, string>(parameters),
        };
    }

    /// <summary>
    /// A job defined by a topology document (YAML or JSON). The cluster checks it when the job is submitted
    /// (silos that register topology support); its errors name the file's line and field
    /// (<see cref="JobSubmissionException.DefinitionFile"/>).
    /// </summary>
    public static JobSubmission ForTopology(string text, string fileName, int parallelism = 0, IReadOnlyDictionary<string, string>? parameters = null, string? jobName = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        return new()
        {
            Topology = new JobTopology(text, Path.GetFileName(fileName)),
            JobName = jobName,
            Parallelism = parallelism,
            Parameters = parameters is null ? new() : new Dictionary<string, string>(parameters),
        };
    }

    /// <summary>The kind of definition, for messages: the job type, the artifact's type, or the topology file.</summary>
    public string Definition => Topology is { } topology
        ? $"topology {topology.FileName}"
        : Artifact is { } artifact ? $"{JobType} in uploaded {artifact.FileName}" : JobType ?? "(nothing)";

    /// <summary>
    /// <see cref="JobName"/>, or before the cluster has read the definition a name made from it: the
    /// topology file's name up to its first dot, the job class's name.
    /// </summary>
    public string DefaultName => JobName
        ?? (Topology is { } topology ? Path.GetFileNameWithoutExtension(topology.FileName).Split('.')[0] : null)
        ?? (JobType is { } type ? ShortTypeName(type.Split(',', 2)[0].Trim()) : "job");

    // "Namespace.Outer+IpCountJob" is named "IpCountJob".
    private static string ShortTypeName(string typeName) => typeName[(typeName.LastIndexOfAny(['.', '+']) + 1)..];
}
