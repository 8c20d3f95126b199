namespace OrleansStream.Api;

/// <summary>
/// A streaming job. <see cref="Build"/> describes the dataflow; it runs on the client (to validate)
/// and on every silo that hosts a part of the job (to execute), so it must build the same graph
/// from the same parameters every time and have no other side effects.
/// </summary>
public interface IStreamJob
{
    void Build(StreamBuilder builder);
}
