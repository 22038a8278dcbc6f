using NUnit.Framework;

namespace SessionKit.Benchmarks.Tests;

public sealed class AppendBenchmarksTests
{
    [Test]
    public async Task EachBenchmarkOnce_StoresOneMessageOrOneBatchInItsTarget()
    {
        var runner = BenchmarkClassRunner.For<AppendBenchmarks>();
        var benchmarks = (AppendBenchmarks)runner.Instance;

        await runner.GlobalSetupAsync();
        try
        {
            await runner.InvokeEachBenchmarkOnceAsync();
            var counts = await benchmarks.CountMessagesAsync();

            Assert.That(counts, Is.EqualTo(new AppendedMessageCounts(
                SqliteStoreSingle: 1,
                SqliteStoreBatch: benchmarks.BatchSize,
                RawSingle: 1,
                RawBatch: benchmarks.BatchSize,
                InMemoryStore: 1,
                LockedList: 1,
                SqliteStoreSameWrites: 1,
                RawSameWrites: 1)));
        }
        finally
        {
            await runner.GlobalCleanupAsync();
        }
    }

    [Test]
    public async Task LockedListAdd_CountsTheMessageAsTheStoreDoes()
    {
        var runner = BenchmarkClassRunner.For<AppendBenchmarks>();
        var benchmarks = (AppendBenchmarks)runner.Instance;

        await runner.GlobalSetupAsync();
        try
        {
            var floor = benchmarks.LockedListAdd();
            var stored = (await benchmarks.InMemoryStoreAppendOne()).Messages.Single();

            Assert.That(floor.TokenCount, Is.GreaterThan(0));
            Assert.That((floor.TokenCount, floor.TokenEncoding), Is.EqualTo((stored.TokenCount, stored.TokenEncoding)), "the floor counts what the store counts");
        }
        finally
        {
            await runner.GlobalCleanupAsync();
        }
    }

    [Test]
    public async Task Cleanup_DeletesTheTemporaryDatabases()
    {
        var runner = BenchmarkClassRunner.For<AppendBenchmarks>();
        var benchmarks = (AppendBenchmarks)runner.Instance;

        await runner.GlobalSetupAsync();
        string directory = benchmarks.DatabaseDirectory!;
        await runner.InvokeEachBenchmarkOnceAsync();
        Assert.That(Directory.GetFiles(directory, "*.db"), Has.Length.EqualTo(3), "the store, the raw floor and the same-writes floor");
        await runner.GlobalCleanupAsync();

        Assert.That(Directory.Exists(directory), Is.False);
    }

    [Test]
    public async Task InMemoryBenchmarks_StartANewSessionWhenTheCurrentOneIsFull()
    {
        var runner = BenchmarkClassRunner.For<AppendBenchmarks>();
        var benchmarks = (AppendBenchmarks)runner.Instance;

        await runner.GlobalSetupAsync();
        try
        {
            for (int i = 0; i < AppendBenchmarks.MessagesPerInMemorySession + 1; i++)
            {
                await benchmarks.InMemoryStoreAppendOne();
                benchmarks.LockedListAdd();
            }

            var counts = await benchmarks.CountMessagesAsync();
            Assert.That((counts.InMemoryStore, counts.LockedList), Is.EqualTo((1L, 1L)));
        }
        finally
        {
            await runner.GlobalCleanupAsync();
        }
    }
}
