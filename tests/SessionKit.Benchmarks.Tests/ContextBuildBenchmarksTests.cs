using NUnit.Framework;

namespace SessionKit.Benchmarks.Tests;

public sealed class ContextBuildBenchmarksTests
{
    [TestCase(StoreBackend.InMemory)]
    [TestCase(StoreBackend.Sqlite)]
    public async Task Setup_StoresEveryMessageAndRollsSummariesUp(StoreBackend backend)
    {
        var (runner, benchmarks) = Create(backend);
        await runner.GlobalSetupAsync();
        try
        {
            var setup = benchmarks.Setup!;
            Assert.Multiple(() =>
            {
                Assert.That(setup.MessageCount, Is.EqualTo(SmokeSizes.ContextMessageCount));
                Assert.That(setup.SummariesByLevel, Has.Count.GreaterThanOrEqualTo(2), "level-1 summaries and at least one roll-up");
                Assert.That(setup.SummarizerCalls, Is.EqualTo(setup.SummariesByLevel.Sum()));
                Assert.That(benchmarks.Summarizer!.Calls, Is.EqualTo(setup.SummarizerCalls), "the set-up's check builds made no call");
            });
        }
        finally
        {
            await runner.GlobalCleanupAsync();
        }
    }

    [TestCase(StoreBackend.InMemory)]
    [TestCase(StoreBackend.Sqlite)]
    public async Task BuildContext_FitsTheBudgetWithSummariesAndTheNewestMessage_WithoutCallingTheSummarizer(StoreBackend backend)
    {
        var (runner, benchmarks) = Create(backend);
        await runner.GlobalSetupAsync();
        try
        {
            await runner.InvokeEachBenchmarkOnceAsync();
            int calls = benchmarks.Summarizer!.Calls;

            var window = await benchmarks.BuildContext();

            Assert.Multiple(() =>
            {
                Assert.That(window.TotalTokens, Is.InRange(1, ContextBuildBenchmarks.TokenBudget));
                Assert.That(window.Items.Count(item => item.Kind == ContextItemKind.Summary), Is.GreaterThan(0));
                Assert.That(window.Items[^1].Sequences.To, Is.EqualTo(SmokeSizes.ContextMessageCount));
                Assert.That((window.SummariesCreated, window.UsedFallback), Is.EqualTo((0, false)));
                Assert.That(benchmarks.Summarizer.Calls, Is.EqualTo(calls));
            });
        }
        finally
        {
            await runner.GlobalCleanupAsync();
        }
    }

    [TestCase(StoreBackend.InMemory)]
    [TestCase(StoreBackend.Sqlite)]
    public async Task NaiveLoadAllAndRecount_KeepsTheNewestMessagesThatFit(StoreBackend backend)
    {
        var (runner, benchmarks) = Create(backend);
        await runner.GlobalSetupAsync();
        try
        {
            var naive = await benchmarks.NaiveLoadAllAndRecount();

            var counter = SharpTokenCounter.Default;
            Assert.Multiple(() =>
            {
                Assert.That(naive.Messages, Is.Not.Empty);
                Assert.That(naive.Messages[^1].Sequence, Is.EqualTo(SmokeSizes.ContextMessageCount));
                Assert.That(naive.Messages.Select(message => message.Sequence), Is.Ordered.Ascending);
                Assert.That(naive.TotalTokens, Is.EqualTo(counter.RequestOverhead + naive.Messages.Sum(m => counter.CountMessageTokens(m.Role, m.Content))));
                Assert.That(naive.TotalTokens, Is.InRange(ContextBuildBenchmarks.TokenBudget - ContextBuildBenchmarks.MaxMessageTokens - 10, ContextBuildBenchmarks.TokenBudget));
            });
        }
        finally
        {
            await runner.GlobalCleanupAsync();
        }
    }

    [TestCase(StoreBackend.InMemory)]
    [TestCase(StoreBackend.Sqlite)]
    public async Task RawWindowRead_ReadsTheNewestMessagesPastTheBudgetAndTheSummaries(StoreBackend backend)
    {
        var (runner, benchmarks) = Create(backend);
        await runner.GlobalSetupAsync();
        try
        {
            var (rows, tokens) = benchmarks.RawWindowRead();
            var setup = benchmarks.Setup!;

            // The newest messages until their counts pass the budget (~45 of 60-120 tokens), at least the newest summary
            // of each level, and the session row on SQLite.
            Assert.That(tokens, Is.GreaterThan(ContextBuildBenchmarks.TokenBudget));
            Assert.That(rows, Is.InRange(ContextBuildBenchmarks.TokenBudget / ContextBuildBenchmarks.MaxMessageTokens + setup.SummariesByLevel.Count, SmokeSizes.ContextMessageCount));
        }
        finally
        {
            await runner.GlobalCleanupAsync();
        }
    }

    [TestCase(StoreBackend.InMemory)]
    [TestCase(StoreBackend.Sqlite)]
    public async Task BuildContextWithRecall_FitsTheBudgetAndEndsWithTheNewestMessage(StoreBackend backend)
    {
        var (runner, benchmarks) = Create(backend);
        await runner.GlobalSetupAsync();
        try
        {
            var window = await benchmarks.BuildContextWithRecall();

            Assert.That(window.TotalTokens, Is.InRange(1, ContextBuildBenchmarks.TokenBudget));
            Assert.That(window.Items[^1].Sequences.To, Is.EqualTo(SmokeSizes.ContextMessageCount));
        }
        finally
        {
            await runner.GlobalCleanupAsync();
        }
    }

    [Test]
    public async Task Cleanup_DeletesTheTemporaryDatabase()
    {
        var (runner, benchmarks) = Create(StoreBackend.Sqlite);
        await runner.GlobalSetupAsync();
        string directory = benchmarks.DatabaseDirectory!;
        Assert.That(Directory.GetFiles(directory, "*.db"), Has.Length.EqualTo(1));

        await runner.GlobalCleanupAsync();

        Assert.That(Directory.Exists(directory), Is.False);
    }

    [Test]
    public void MessageCounts_Include100000_UnlessTheLargeVariableIsZero()
    {
        string? saved = Environment.GetEnvironmentVariable(ContextBuildBenchmarks.LargeVariable);
        try
        {
            Environment.SetEnvironmentVariable(ContextBuildBenchmarks.LargeVariable, null);
            Assert.That(ContextBuildBenchmarks.MessageCounts(), Is.EqualTo(new[] { 1_000, 10_000, 100_000 }));

            Environment.SetEnvironmentVariable(ContextBuildBenchmarks.LargeVariable, "0");
            Assert.That(ContextBuildBenchmarks.MessageCounts(), Is.EqualTo(new[] { 1_000, 10_000 }));
        }
        finally
        {
            Environment.SetEnvironmentVariable(ContextBuildBenchmarks.LargeVariable, saved);
        }
    }

    [Test]
    public void Backends_AreBoth_UnlessTheBackendVariableNamesOne()
    {
        string? saved = Environment.GetEnvironmentVariable(ContextBuildBenchmarks.BackendVariable);
        try
        {
            Environment.SetEnvironmentVariable(ContextBuildBenchmarks.BackendVariable, null);
            Assert.That(ContextBuildBenchmarks.Backends(), Is.EqualTo(new[] { StoreBackend.InMemory, StoreBackend.Sqlite }));

            Environment.SetEnvironmentVariable(ContextBuildBenchmarks.BackendVariable, "sqlite");
            Assert.That(ContextBuildBenchmarks.Backends(), Is.EqualTo(new[] { StoreBackend.Sqlite }));
        }
        finally
        {
            Environment.SetEnvironmentVariable(ContextBuildBenchmarks.BackendVariable, saved);
        }
    }

    private static (BenchmarkClassRunner Runner, ContextBuildBenchmarks Benchmarks) Create(StoreBackend backend)
    {
        var runner = SmokeSizes.Runner(typeof(ContextBuildBenchmarks)).SetParam(nameof(ContextBuildBenchmarks.Backend), backend);
        return (runner, (ContextBuildBenchmarks)runner.Instance);
    }
}
