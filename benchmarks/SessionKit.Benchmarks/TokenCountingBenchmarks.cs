using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using SharpToken;

namespace SessionKit.Benchmarks;

/// <summary>
/// Counting the tokens of one message of about <see cref="MessageTokens"/> tokens with <see cref="SharpTokenCounter"/>,
/// against SharpToken's own way: encode, then take the list's length.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class TokenCountingBenchmarks
{
    /// <summary>One message of about <see cref="MessageTokens"/> tokens.</summary>
    public const string CountCategory = "Count ~300 tokens";

    /// <summary>The approximate size of the message, in tokens.</summary>
    public const int MessageTokens = 300;

    private GptEncoding? _encoding;

    /// <summary>The message counted; empty before the set-up.</summary>
    public string Text { get; private set; } = string.Empty;

    /// <summary>Seeds the message and loads the encoding (which takes up to a second, once).</summary>
    [GlobalSetup]
    public void Setup()
    {
        Text = SeededConversation.Create(2, MessageTokens - 15, MessageTokens + 15)[1].Content;
        _encoding = GptEncoding.GetEncoding(SharpTokenCounter.Default.EncodingName);
        _ = SharpTokenCounter.Default.CountTokens(Text);
    }

    /// <summary>Baseline: <c>GptEncoding.Encode(text).Count</c>, as SharpToken's README counts.</summary>
    /// <returns>The number of tokens.</returns>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory(CountCategory)]
    public int EncodeAndCount() => (_encoding ?? throw new InvalidOperationException($"{nameof(Setup)} has not run.")).Encode(Text).Count;

    /// <summary><see cref="SharpTokenCounter.CountTokens"/> of <see cref="SharpTokenCounter.Default"/>.</summary>
    /// <returns>The number of tokens.</returns>
    [Benchmark]
    [BenchmarkCategory(CountCategory)]
    public int CounterCountTokens() => SharpTokenCounter.Default.CountTokens(Text);
}
