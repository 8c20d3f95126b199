namespace OrleansStream.Functions;

/// <summary>An <see cref="IAsyncFunction{TIn, TOut}"/> from a delegate that returns one record per input.</summary>
internal sealed class DelegateAsyncFunction<TIn, TOut>(Func<TIn, CancellationToken, Task<TOut>> call) : IAsyncFunction<TIn, TOut>
{
    public async ValueTask<IReadOnlyCollection<TOut>> InvokeAsync(TIn input, CancellationToken cancellationToken)
        => new[] { await call(input, cancellationToken) };
}
