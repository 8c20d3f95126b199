using System.Text.Json;
using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Files;

/// <summary>
/// What a <see cref="RowFormatFileSink{T}"/> stores in a checkpoint for one staged part file: where it waits and
/// where it goes. Full paths, so that any subtask of a restored (possibly rescaled) job can commit it.
/// </summary>
internal sealed record PartFileCommittable(string InProgressPath, string FinalPath)
{
    public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(this);

    public static PartFileCommittable Decode(SinkCommittable committable)
    {
        PartFileCommittable? decoded;
        try
        {
            decoded = JsonSerializer.Deserialize<PartFileCommittable>(committable.Data);
        }
        catch (JsonException ex)
        {
            throw Invalid(committable, ex);
        }

        if (decoded is null || string.IsNullOrEmpty(decoded.InProgressPath) || string.IsNullOrEmpty(decoded.FinalPath))
        {
            throw Invalid(committable, null);
        }

        return decoded;
    }

    private static InvalidDataException Invalid(SinkCommittable committable, Exception? inner)
        => new($"The committable of checkpoint {committable.CheckpointId}, subtask {committable.Subtask}, attempt {committable.Attempt} is not a file sink's part file.", inner);
}
