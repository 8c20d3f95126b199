using Microsoft.Extensions.Hosting;
using OrleansStream.Runtime.Hosting;

namespace OrleansStream.Tests.Storage;

public sealed class StorageHostingTests
{
    [Fact]
    public void A_silo_gets_one_grain_storage()
    {
        var configured = false;
        using var host = Host.CreateDefaultBuilder().UseOrleans(silo =>
        {
            silo.UseLocalhostClustering();
            silo.AddOrleansStreamMemoryStorage();
            var exception = Assert.Throws<InvalidOperationException>(() => silo.AddOrleansStreamSqliteStorage("unused.db"));
            Assert.Contains("already configured", exception.Message);
            configured = true;
        }).Build();

        Assert.True(configured);
    }
}
