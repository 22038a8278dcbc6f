using NUnit.Framework;

namespace SessionKit.Benchmarks.Tests;

public sealed class ContentionBenchmarksTests
{
    [TestCase(StoreBackend.InMemory)]
    [TestCase(StoreBackend.Sqlite)]
    public async Task EachBenchmarkOnce_StoresItsAppendsOnce(StoreBackend backend)
    {
        var runner = BenchmarkClassRunner.For<ContentionBenchmarks>().SetParam(nameof(ContentionBenchmarks.Backend), backend);
        var benchmarks = (ContentionBenchmarks)runner.Instance;

        await runner.GlobalSetupAsync();
        try
        {
            await runner.InvokeEachBenchmarkOnceAsync();
            Assert.That(await benchmarks.CountMessagesAsync(), Is.EqualTo(3L * ContentionBenchmarks.Appends));
        }
        finally
        {
            await runner.GlobalCleanupAsync();
        }
    }
}
