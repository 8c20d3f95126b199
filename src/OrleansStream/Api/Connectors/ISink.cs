namespace OrleansStream.Api.Connectors;

/// <summary>A destination for records. Each sink subtask writes through its own writer.</summary>
public interface ISink<in T>
{
    /// <summary>A parallelism the sink requires (1 for a single merged file), or null for any.</summary>
    int? RequiredParallelism { get; }

    ISinkWriter<T> CreateWriter(SinkContext context);
}
