using System.Globalization;

namespace OrleansStream.Runtime.Tasks;

/// <summary>
/// Identifies one subtask of one attempt of a job: <c>{job}/{attempt}/{vertex}/{subtask}</c>, the key of
/// its task grain and of its input stream. A new attempt means new grains and new streams, so
/// nothing of an older attempt can reach it.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansstream.task-id")]
public readonly record struct TaskId(
    [property: Id(0)] string JobId,
    [property: Id(1)] int Attempt,
    [property: Id(2)] int VertexId,
    [property: Id(3)] int Subtask)
{
    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture, $"{JobId}/{Attempt}/{VertexId}/{Subtask}");

    public static TaskId Parse(string key)
    {
        var parts = key.Split('/');
        if (parts.Length != 4)
        {
            throw new FormatException($"'{key}' is not a task id of the form job/attempt/vertex/subtask.");
        }

        return new TaskId(parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture), int.Parse(parts[3], CultureInfo.InvariantCulture));
    }
}
