using Orleans.Placement;

namespace OrleansStream.Runtime.Placement;

/// <summary>
/// Places a grain on the silo that holds the task slot chosen for it. The job grain decides the slot
/// and passes the silo as the placement hint of the call that activates the grain.
/// </summary>
[Serializable, GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class TaskSlotPlacement : PlacementStrategy
{
    internal static readonly TaskSlotPlacement Instance = new();
}

/// <summary>Marks a grain class as placed by <see cref="TaskSlotPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class TaskSlotPlacementAttribute() : PlacementAttribute(TaskSlotPlacement.Instance);
