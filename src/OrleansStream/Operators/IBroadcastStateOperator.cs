namespace OrleansStream.Operators;

/// <summary>
/// An operator whose broadcast state every subtask holds whole: a subtask that a live rescale adds is given a copy of
/// another's, taken while the broadcast input is quiet.
/// </summary>
public interface IBroadcastStateOperator
{
    /// <summary>The broadcast state as it stands, in the form a checkpoint holds it.</summary>
    byte[] ExportBroadcastState();

    /// <summary>Takes <paramref name="state"/> (from <see cref="ExportBroadcastState"/>) as this subtask's broadcast state.</summary>
    void ImportBroadcastState(byte[] state);
}
