namespace OrleansStream.Functions;

/// <summary>Receives the records a flat-map function emits.</summary>
public interface ICollector<in T>
{
    void Collect(T value);
}
