using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using SharpToken;

namespace SessionKit.Benchmarks;

/// <summary>
/// Counting the tokens of one message of about <see cref="MessageTokens"/> tokens with <see cref="SharpTokenCounter"/>,
/// against SharpToken's own way: encode, then take the list's length; and counting 128 KB of text shaped to defeat
/// byte-pair encoding (one long word, unpunctuated Chinese, one repeated character, emoji, words just under the exact
/// limit) against 128 KB of ordinary prose. SharpToken's own loop is quadratic in a pre-token's length (5.3 s for a
/// 128 KB word), so it is not run on those.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class TokenCountingBenchmarks
{
    /// <summary>One message of about <see cref="MessageTokens"/> tokens.</summary>
    public const string CountCategory = "Count ~300 tokens";

    /// <summary>128 KB of text: ordinary prose (the baseline) and shapes that are pathological for byte-pair encoding.</summary>
    public const string PathologicalCategory = "Count 128 KB";

    /// <summary>The approximate size of the message, in tokens.</summary>
    public const int MessageTokens = 300;

    /// <summary>The length of each 128 KB input, in characters.</summary>
    public const int LongChars = 128 * 1024;

    private GptEncoding? _encoding;

    /// <summary>The message counted; empty before the set-up.</summary>
    public string Text { get; private set; } = string.Empty;

    /// <summary>128 KB of seeded prose.</summary>
    public string Prose { get; private set; } = string.Empty;

    /// <summary>One word of 128 K random lowercase letters.</summary>
    public string LongWord { get; private set; } = string.Empty;

    /// <summary>One character repeated 128 K times.</summary>
    public string RepeatedCharacter { get; private set; } = string.Empty;

    /// <summary>64 K CJK ideographs without punctuation (192 KB of UTF-8).</summary>
    public string UnpunctuatedChinese { get; private set; } = string.Empty;

    /// <summary>64 K emoji without spaces (128 K chars).</summary>
    public string Emoji { get; private set; } = string.Empty;

    /// <summary>Random-letter words of 8,000 chars, just under the exact limit, so every one is merged exactly (the heap's worst case).</summary>
    public string WordsUnderTheExactLimit { get; private set; } = string.Empty;

    /// <summary>Seeds the messages and loads the encoding (which takes up to a second, once).</summary>
    [GlobalSetup]
    public void Setup()
    {
        Text = SeededConversation.Create(2, MessageTokens - 15, MessageTokens + 15)[1].Content;
        var random = new Random(20261201);
        var prose = new System.Text.StringBuilder(LongChars + 4096);
        foreach (var message in SeededConversation.Create(400, 200, 400))
        {
            if (prose.Length >= LongChars)
            {
                break;
            }

            prose.Append(message.Content).Append('\n');
        }

        Prose = prose.ToString(0, Math.Min(prose.Length, LongChars));
        LongWord = string.Create(LongChars, random, static (span, r) => Fill(span, r, 'a', 26));
        RepeatedCharacter = new string('a', LongChars);
        UnpunctuatedChinese = string.Create(LongChars / 2, random, static (span, r) => Fill(span, r, '\u4E00', 0x5000));
        Emoji = string.Concat(Enumerable.Repeat("😀", LongChars / 2));
        WordsUnderTheExactLimit = string.Join(' ', Enumerable.Range(0, LongChars / 8_001).Select(_ => string.Create(8_000, random, static (span, r) => Fill(span, r, 'a', 26))));
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

    /// <summary>Baseline: 128 KB of ordinary prose.</summary>
    /// <returns>The number of tokens.</returns>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory(PathologicalCategory)]
    public int CountProse() => SharpTokenCounter.Default.CountTokens(Prose);

    /// <summary>One 128 KB word (charged its byte length: over the exact limit).</summary>
    /// <returns>The number of tokens.</returns>
    [Benchmark]
    [BenchmarkCategory(PathologicalCategory)]
    public int CountLongWord() => SharpTokenCounter.Default.CountTokens(LongWord);

    /// <summary>One character repeated 128 K times.</summary>
    /// <returns>The number of tokens.</returns>
    [Benchmark]
    [BenchmarkCategory(PathologicalCategory)]
    public int CountRepeatedCharacter() => SharpTokenCounter.Default.CountTokens(RepeatedCharacter);

    /// <summary>64 K ideographs without punctuation.</summary>
    /// <returns>The number of tokens.</returns>
    [Benchmark]
    [BenchmarkCategory(PathologicalCategory)]
    public int CountUnpunctuatedChinese() => SharpTokenCounter.Default.CountTokens(UnpunctuatedChinese);

    /// <summary>64 K emoji without spaces.</summary>
    /// <returns>The number of tokens.</returns>
    [Benchmark]
    [BenchmarkCategory(PathologicalCategory)]
    public int CountEmoji() => SharpTokenCounter.Default.CountTokens(Emoji);

    /// <summary>Words of 8,000 random letters, each merged exactly.</summary>
    /// <returns>The number of tokens.</returns>
    [Benchmark]
    [BenchmarkCategory(PathologicalCategory)]
    public int CountWordsUnderTheExactLimit() => SharpTokenCounter.Default.CountTokens(WordsUnderTheExactLimit);

    private static void Fill(Span<char> span, Random random, char first, int range)
    {
        for (int i = 0; i < span.Length; i++)
        {
            span[i] = (char)(first + random.Next(range));
        }
    }
}
