using NUnit.Framework;

namespace SessionKit.Benchmarks.Tests;

public sealed class TokenCountingBenchmarksTests
{
    [Test]
    public async Task BothWays_CountTheSameTokens_OfAboutThreeHundred()
    {
        var runner = BenchmarkClassRunner.For<TokenCountingBenchmarks>();
        var benchmarks = (TokenCountingBenchmarks)runner.Instance;
        await runner.GlobalSetupAsync();

        int counted = benchmarks.CounterCountTokens();

        Assert.Multiple(() =>
        {
            Assert.That(benchmarks.EncodeAndCount(), Is.EqualTo(counted));
            Assert.That(counted, Is.InRange(TokenCountingBenchmarks.MessageTokens - 15, TokenCountingBenchmarks.MessageTokens + 15));
        });
    }
}
