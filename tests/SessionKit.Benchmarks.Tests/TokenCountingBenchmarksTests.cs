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

    [Test]
    public async Task PathologicalInputs_AreCountedNeverBelowTheirTokens_AndProseExactly()
    {
        var runner = BenchmarkClassRunner.For<TokenCountingBenchmarks>();
        var benchmarks = (TokenCountingBenchmarks)runner.Instance;
        await runner.GlobalSetupAsync();

        using (Assert.EnterMultipleScope())
        {
            // Single pre-tokens over the exact limit are charged their UTF-8 byte length, an upper bound.
            Assert.That(benchmarks.CountLongWord(), Is.EqualTo(TokenCountingBenchmarks.LongChars));
            Assert.That(benchmarks.CountRepeatedCharacter(), Is.EqualTo(TokenCountingBenchmarks.LongChars));
            Assert.That(benchmarks.CountUnpunctuatedChinese(), Is.EqualTo(System.Text.Encoding.UTF8.GetByteCount(benchmarks.UnpunctuatedChinese)));
            Assert.That(benchmarks.CountEmoji(), Is.EqualTo(System.Text.Encoding.UTF8.GetByteCount(benchmarks.Emoji)));
            // Words under the limit are merged exactly: about two letters per token, well under one token per byte.
            Assert.That(benchmarks.CountWordsUnderTheExactLimit(), Is.InRange(TokenCountingBenchmarks.LongChars / 4, TokenCountingBenchmarks.LongChars * 3 / 4));
            Assert.That(benchmarks.Prose.Length, Is.EqualTo(TokenCountingBenchmarks.LongChars));
            Assert.That(benchmarks.CountProse(), Is.InRange(TokenCountingBenchmarks.LongChars / 8, TokenCountingBenchmarks.LongChars / 3));
        }
    }
}
