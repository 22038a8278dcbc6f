using NUnit.Framework;

namespace SessionKit.Benchmarks.Tests;

/// <summary>The search benchmarks find hits with the floor, with FTS5 snippets and with the store, on smoke-sized data.</summary>
public sealed class SearchBenchmarksTests
{
    [Test]
    public async Task EveryVariant_FindsTheSeededTerms_AndSetupChecksTheStoreRanksLikeTheFloor()
    {
        // Set-up throws when the store's scores or order differ from the FTS5 floor's, so completing it is the check.
        var benchmarks = new SearchBenchmarks { TotalMessages = SmokeSizes.SearchTotalMessages };
        await benchmarks.SetupAsync();
        try
        {
            // A smoke-sized user has few messages, so most (user, query) pairs match nothing; each variant runs through
            // the whole rotation of 200 pairs, so all three see the same pairs.
            int floor = 0, snippets = 0, store = 0;
            for (int i = 0; i < 200; i++)
            {
                floor += benchmarks.FtsFloor();
            }

            for (int i = 0; i < 200; i++)
            {
                snippets += benchmarks.FtsWithSnippets();
            }

            for (int i = 0; i < 200; i++)
            {
                store += await benchmarks.StoreSearch();
            }

            Assert.That(floor, Is.GreaterThan(0));
            Assert.That(snippets, Is.EqualTo(floor));
            Assert.That(store, Is.EqualTo(floor));
            Assert.That(benchmarks.MatchCounts.Sum(), Is.GreaterThan(0));
            Assert.That(benchmarks.SetupReport, Does.Contain("Seeded 3000 messages").And.Contain("32000 distinct words"));
        }
        finally
        {
            await benchmarks.CleanupAsync();
        }
    }
}
