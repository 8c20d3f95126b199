namespace OrleansStream.Api.Connectors;

/// <summary>Where a source reader puts its records.</summary>
public interface ISourceOutput<in T>
{
    void Collect(T value);

    void Collect(T value, long timestamp);
}
