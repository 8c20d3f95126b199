using OrleansStream.Runtime.Storage;

namespace OrleansStream.Tests.Storage;

/// <summary>A grain whose only job is to keep a payload in the OrleansStream grain storage.</summary>
public interface IStateHolderGrain : IGrainWithStringKey
{
    Task<HeldStateView> GetAsync();

    Task WriteAsync(byte[] payload);

    Task ClearAsync();

    Task DeactivateAsync();
}

[GenerateSerializer]
public sealed class HeldState
{
    [Id(0)]
    public byte[] Payload { get; set; } = [];

    [Id(1)]
    public int Writes { get; set; }
}

/// <summary>What a test sees of the grain: its state, the storage's view of it, and which activation answered.</summary>
[GenerateSerializer, Immutable]
public sealed record HeldStateView(
    [property: Id(0)] byte[] Payload,
    [property: Id(1)] int Writes,
    [property: Id(2)] string? ETag,
    [property: Id(3)] bool RecordExists,
    [property: Id(4)] Guid Activation);

public sealed class StateHolderGrain(
    [PersistentState(StateHolderGrain.StateName, OrleansStreamStorage.ProviderName)] IPersistentState<HeldState> state)
    : Grain, IStateHolderGrain
{
    public const string StateName = "held";

    private readonly Guid _activation = Guid.NewGuid();

    public Task<HeldStateView> GetAsync()
        => Task.FromResult(new HeldStateView(state.State.Payload, state.State.Writes, state.Etag, state.RecordExists, _activation));

    public Task WriteAsync(byte[] payload)
    {
        state.State.Payload = payload;
        state.State.Writes++;
        return state.WriteStateAsync();
    }

    public Task ClearAsync() => state.ClearStateAsync();

    public Task DeactivateAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}
