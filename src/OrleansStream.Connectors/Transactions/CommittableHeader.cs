using OrleansStream.Api.Connectors;
using OrleansStream.Codecs;

namespace OrleansStream.Connectors.Transactions;

/// <summary>
/// How the committables of this assembly's transactional sinks begin: a format version, then the writer's job
/// and operator, so that a commit names the transaction's origin even when a later job commits it.
/// </summary>
/// <param name="JobId">The job whose writer staged the transaction.</param>
/// <param name="OperatorId">The sink operator's uid.</param>
internal readonly record struct CommittableHeader(string JobId, string OperatorId)
{
    private const byte Version = 1;

    /// <summary>A payload with the header of <paramref name="writer"/> written, room for <paramref name="bodyBytes"/> more.</summary>
    public static PayloadWriter Begin(SinkContext writer, int bodyBytes)
    {
        var payload = new PayloadWriter(bodyBytes + 64);
        payload.WriteByte(Version);
        payload.WriteString(writer.JobId);
        payload.WriteString(writer.OperatorId);
        return payload;
    }

    /// <summary>Reads the header of a committable of <paramref name="sink"/> (such as "a Redis stream sink's"); throws <see cref="InvalidDataException"/> when it is not one.</summary>
    public static CommittableHeader Read(ref PayloadReader reader, SinkCommittable committable, string sink)
    {
        if (reader.ReadByte() != Version)
        {
            throw Invalid(committable, sink);
        }

        string jobId = reader.ReadString() ?? throw Invalid(committable, sink);
        string operatorId = reader.ReadString() ?? throw Invalid(committable, sink);
        return new CommittableHeader(jobId, operatorId);
    }

    public static InvalidDataException Invalid(SinkCommittable committable, string sink, Exception? inner = null)
        => new($"The committable of checkpoint {committable.CheckpointId}, subtask {committable.Subtask}, attempt {committable.Attempt} is not {sink}.", inner);
}
