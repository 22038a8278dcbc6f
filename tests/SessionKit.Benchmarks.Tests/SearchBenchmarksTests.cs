using NUnit.Framework;

namespace SessionKit.Benchmarks.Tests;

/// <summary>The search benchmarks find hits with both the baseline and the store, on smoke-sized data.</summary>
public sealed class SearchBenchmarksTests
{
    [Test]
    public async Task BothSearches_FindTheSeededTerms()
    {
        var benchmarks = new SearchBenchmarks { TotalMessages = SmokeSizes.SearchTotalMessages };
        await benchmarks.SetupAsync();
        try
        {
            Assert.That(benchmarks.JoinFilteredFts(), Is.GreaterThan(0));
            Assert.That(await benchmarks.StoreSearch(), Is.GreaterThan(0));
            Assert.That(benchmarks.SetupReport, Does.Contain("3000 messages"));
        }
        finally
        {
            await benchmarks.CleanupAsync();
        }
    }
}
