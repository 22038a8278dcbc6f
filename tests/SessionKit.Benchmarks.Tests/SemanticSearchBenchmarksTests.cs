using NUnit.Framework;

namespace SessionKit.Benchmarks.Tests;

/// <summary>The semantic search benchmark embeds everything and all the searches find hits, on smoke-sized data.</summary>
public sealed class SemanticSearchBenchmarksTests
{
    [TestCase(StoreBackend.Sqlite)]
    [TestCase(StoreBackend.InMemory)]
    public async Task FloorSemanticAndHybrid_AllFindHits(StoreBackend backend)
    {
        var benchmarks = new SemanticSearchBenchmarks { Messages = 500, Backend = backend };
        await benchmarks.SetupAsync();
        try
        {
            Assert.That(benchmarks.SetupReport, Does.Contain("embedded 500 of 500 messages"));
            Assert.That(benchmarks.BruteForceFloor(), Is.GreaterThanOrEqualTo(0));
            Assert.That(await benchmarks.SemanticSearch(), Is.EqualTo(20));
            Assert.That(await benchmarks.HybridSearch(), Is.EqualTo(20));
            Assert.That(await benchmarks.AppendThenHybridSearch(), Is.EqualTo(20));
        }
        finally
        {
            await benchmarks.CleanupAsync();
        }
    }
}
