using NUnit.Framework;

namespace SessionKit.Benchmarks.Tests;

public sealed class SummarizerBenchmarksTests
{
    [Test]
    public async Task Summarize_GivesANonEmptySummaryWithinTheTarget_OfABlockOfAboutThreeThousandTokens()
    {
        var runner = BenchmarkClassRunner.For<SummarizerBenchmarks>();
        var benchmarks = (SummarizerBenchmarks)runner.Instance;
        await runner.GlobalSetupAsync();

        var summary = await benchmarks.Summarize();

        Assert.Multiple(() =>
        {
            Assert.That(benchmarks.Block, Has.Count.EqualTo(SummarizerBenchmarks.BlockSize));
            Assert.That(benchmarks.CountBlockTokens(), Is.InRange(2_700, 3_400));
            Assert.That(summary.Text, Is.Not.Empty.And.Not.Contains("message(s) without text"));
            Assert.That(SharpTokenCounter.Default.CountTokens(summary.Text), Is.InRange(1, SummarizerBenchmarks.TargetTokens));
        });
    }
}
