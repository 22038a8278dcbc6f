using NUnit.Framework;

namespace SessionKit.Benchmarks.Tests;

public sealed class PostgreSqlBenchmarksTests
{
    [Test]
    public async Task EachBenchmarkOnce_StoresItsMessages_InTheStoreAndTheRawTable()
    {
        PostgreSqlServer.RequireOrIgnore();
        var runner = BenchmarkClassRunner.For<PostgreSqlBenchmarks>();
        var benchmarks = (PostgreSqlBenchmarks)runner.Instance;

        await runner.GlobalSetupAsync();
        try
        {
            await runner.InvokeEachBenchmarkOnceAsync();
            var (store, raw) = await benchmarks.CountMessagesAsync();

            Assert.That(store, Is.EqualTo(1 + PostgreSqlBenchmarks.BatchSize + (2 * PostgreSqlBenchmarks.ContendedAppends)));
            Assert.That(raw, Is.EqualTo(1 + PostgreSqlBenchmarks.BatchSize));
        }
        finally
        {
            await runner.GlobalCleanupAsync();
        }
    }
}
