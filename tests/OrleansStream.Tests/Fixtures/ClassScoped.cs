namespace OrleansStream.Tests.Fixtures;

/// <summary>
/// Something expensive the tests of one class share (a test cluster), created by the first test that
/// asks for it and disposed after the class's last test. Unlike a class fixture's constructor, the
/// factory can use a collection fixture such as <see cref="PostgresServer"/>, which xunit 2 hands only
/// to test classes.
/// </summary>
public sealed class ClassScoped<T> : IAsyncLifetime where T : class, IAsyncDisposable
{
    private readonly object _gate = new();
    private Task<T>? _value;

    public Task<T> GetAsync(Func<Task<T>> create)
    {
        lock (_gate)
        {
            return _value ??= create();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        Task<T>? value;
        lock (_gate)
        {
            value = _value;
            _value = null;
        }

        if (value is null)
        {
            return;
        }

        T created;
        try
        {
            created = await value;
        }
        catch (Exception)
        {
            // It failed to start; the test that asked for it has reported why.
            return;
        }

        await created.DisposeAsync();
    }
}
