using NUnit.Framework;

namespace SessionKit.Benchmarks.Tests;

public sealed class StopwatchP50Tests
{
    [Test]
    public async Task Append_ReportsEveryCaseWithItsOperationCount()
    {
        using var output = new StringWriter();
        await StopwatchP50.RunAsync("append", rounds: 2, output, block: 3);

        var lines = Cases(output);
        Assert.That(lines, Has.Length.EqualTo(3));
        Assert.That(lines[0], Does.StartWith("RawInsertOne").And.Contain("n=6"));
        Assert.That(lines[1], Does.StartWith("RawSameWritesInsertOne").And.Contain("n=6"));
        Assert.That(lines[2], Does.StartWith("SqliteStoreAppendOne").And.Contain("n=6").And.Contain("ratio to floor"));
    }

    [Test]
    public async Task AppendWrites_ReportsTheFloorsEachVariantAndTheStore()
    {
        using var output = new StringWriter();
        await StopwatchP50.RunAsync("append-writes", rounds: 1, output, block: 2);

        var lines = Cases(output);
        Assert.That(lines, Has.Length.EqualTo(10));
        Assert.That(lines, Has.All.Contain("n=2"));
        Assert.That(lines[^1], Does.StartWith("SqliteStoreAppendOne"));
    }

    [TestCase("build", "BuildContext", "Sqlite")]
    [TestCase("build-memory", "BuildContext", "InMemory")]
    [TestCase("build-memory-recall", "BuildContextWithRecall", "InMemory")]
    public async Task BuildReports_ReportTheFloorAndTheBuildPerSize_OnTheirBackend(string report, string build, string backend)
    {
        using var output = new StringWriter();
        await StopwatchP50.RunAsync(report, rounds: 1, output, block: 2, messageCounts: [SmokeSizes.ContextMessageCount]);

        string text = output.ToString();
        var lines = Cases(output);
        Assert.That(lines, Has.Length.EqualTo(2));
        Assert.That(lines[0], Does.StartWith($"RawWindowRead {SmokeSizes.ContextMessageCount}"));
        Assert.That(lines[1], Does.StartWith($"{build} {SmokeSizes.ContextMessageCount} ").And.Contain("n=2"));
        Assert.That(text, Does.Contain($"on {backend}"), "the set-up line names the backend");
        if (report == "build" && File.Exists("/proc/thread-self/schedstat"))
        {
            // The SQLite build completes on its calling thread, so its CPU time is its own (a block that hops has none).
            Assert.That(lines, Has.All.Contain("cpu ").And.All.Contain("µs/op"), "each case's CPU time, where Linux reports it");
        }
    }

    // The report's case lines; lines starting with "//" are notes (set-up, ratios between sizes, how long the thread waited).
    private static string[] Cases(StringWriter output) =>
        [.. output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => !line.StartsWith("//", StringComparison.Ordinal))];

    [Test]
    public void UnknownReport_IsRejected()
    {
        var error = Assert.ThrowsAsync<ArgumentException>(() => StopwatchP50.RunAsync("nope", 1, TextWriter.Null));
        Assert.That(error!.Message, Does.Contain("Unknown report 'nope'"));
    }
}
