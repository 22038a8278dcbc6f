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

    [Test]
    public async Task ContextBuild_FitsTheBudget_WithSummaries_AndSummarizesNothing()
    {
        PostgreSqlServer.RequireOrIgnore();
        var runner = SmokeSizes.Runner(typeof(PostgreSqlContextBuildBenchmarks));
        var benchmarks = (PostgreSqlContextBuildBenchmarks)runner.Instance;

        await runner.GlobalSetupAsync();
        try
        {
            int calls = benchmarks.Summarizer!.Calls;
            var window = await benchmarks.BuildContext();
            var naive = await benchmarks.NaiveLoadAllAndRecount();

            Assert.That(window.TotalTokens, Is.InRange(1, ContextBuildBenchmarks.TokenBudget));
            Assert.That(window.Items.Count(item => item.Kind == ContextItemKind.Summary), Is.GreaterThan(0));
            Assert.That(window.Items[^1].Sequences.To, Is.EqualTo(SmokeSizes.ContextMessageCount));
            Assert.That(benchmarks.Summarizer.Calls, Is.EqualTo(calls));
            Assert.That(naive.Messages[^1].Sequence, Is.EqualTo(SmokeSizes.ContextMessageCount));
        }
        finally
        {
            await runner.GlobalCleanupAsync();
        }
    }

    [Test]
    public async Task Search_StoreAndFloorFindTheUsersMessages_InTheSeededSchema()
    {
        PostgreSqlServer.RequireOrIgnore();
        var runner = SmokeSizes.Runner(typeof(PostgreSqlSearchBenchmarks));
        var benchmarks = (PostgreSqlSearchBenchmarks)runner.Instance;

        await runner.GlobalSetupAsync();
        try
        {
            Assert.That(benchmarks.StoredMessages, Is.EqualTo(SmokeSizes.SearchTotalMessages + (SmokeSizes.SearchTotalMessages / 10)), "the users' messages and the seeding template");
            int store = 0, floor = 0;
            for (int i = 0; i < 12; i++)
            {
                store += await benchmarks.StoreSearch();
                floor += await benchmarks.RawTsRank();
            }

            Assert.That(store, Is.GreaterThan(0), "the store finds the seeded words");
            Assert.That(floor, Is.GreaterThan(0), "the floor runs the same stems");
        }
        finally
        {
            await runner.GlobalCleanupAsync();
        }
    }
}
