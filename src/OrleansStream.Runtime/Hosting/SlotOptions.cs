namespace OrleansStream.Runtime.Hosting;

/// <summary>The task slots a silo offers (Flink's taskmanager.numberOfTaskSlots).</summary>
public sealed class SlotOptions
{
    public int Slots { get; set; } = Environment.ProcessorCount;
}
