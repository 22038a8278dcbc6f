using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace SessionKit.Tests.Tokens;

[TestFixture]
public sealed class BytePairCounterTests
{
    private static readonly string[] Encodings = ["o200k_base", "cl100k_base"];

    private static IEnumerable<TestCaseData> PathologicalPreTokens()
    {
        // Each is one pre-token longer than the exact limit: counted as its UTF-8 byte length.
        yield return new TestCaseData("one character repeated", new string('a', 9_000));
        yield return new TestCaseData("random lowercase letters", Letters(new Random(7), 9_000));
        yield return new TestCaseData("unpunctuated Chinese", Cjk(new Random(8), 3_100));
        yield return new TestCaseData("emoji without spaces", string.Concat(Enumerable.Repeat("😀", 2_300)));
        yield return new TestCaseData("spaces", new string(' ', 9_000));
        yield return new TestCaseData("punctuation", string.Concat(Enumerable.Repeat("!?", 4_500)));
    }

    private static IEnumerable<TestCaseData> LongButExactPreTokens()
    {
        yield return new TestCaseData("one character repeated", new string('a', 3_000));
        yield return new TestCaseData("random lowercase letters", Letters(new Random(9), 2_500));
        yield return new TestCaseData("unpunctuated Chinese", Cjk(new Random(10), 900));
        yield return new TestCaseData("emoji without spaces", string.Concat(Enumerable.Repeat("👍🏽", 300)));
        yield return new TestCaseData("spaces", new string(' ', 3_000));
        yield return new TestCaseData("capitalised run", new string('A', 1_000) + new string('b', 1_000));
    }

    [Test]
    public void CountTokens_OfSeededOrdinaryAndMixedText_EqualsSharpTokensEncodedLength([ValueSource(nameof(Encodings))] string encoding)
    {
        var counter = SharpTokenCounter.ForEncoding(encoding);
        var random = new Random(20261201);
        var mismatches = new List<string>();

        for (int i = 0; i < 300; i++)
        {
            string text = MixedText(random, random.Next(1, 400));
            int expected = ReferenceEncodings.EncodedLength(encoding, text);
            int actual = counter.CountTokens(text);
            if (actual != expected)
            {
                mismatches.Add($"case {i}: {actual} != {expected}");
            }
        }

        Assert.That(mismatches, Is.Empty);
    }

    [Test]
    public void CountTokens_OfLongPreTokensUnderTheLimit_IsExact(
        [ValueSource(nameof(Encodings))] string encoding,
        [ValueSource(nameof(LongButExactPreTokens))] TestCaseData input)
    {
        string text = (string)input.Arguments[1]!;
        Assert.That(Encoding.UTF8.GetByteCount(text), Is.LessThanOrEqualTo(BytePairCounter.MaxExactPieceBytes), "the input is meant to be counted exactly");

        Assert.That(SharpTokenCounter.ForEncoding(encoding).CountTokens(text), Is.EqualTo(ReferenceEncodings.EncodedLength(encoding, text)));
    }

    [Test]
    public void CountTokens_OfPreTokensOverTheLimit_IsTheirByteLength_AndNeverBelowTheTrueCount(
        [ValueSource(nameof(Encodings))] string encoding,
        [ValueSource(nameof(PathologicalPreTokens))] TestCaseData input)
    {
        string text = (string)input.Arguments[1]!;
        int bytes = Encoding.UTF8.GetByteCount(text);
        Assert.That(bytes, Is.GreaterThan(BytePairCounter.MaxExactPieceBytes), "the input is meant to be over the limit");

        int counted = SharpTokenCounter.ForEncoding(encoding).CountTokens(text);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(counted, Is.EqualTo(bytes));
            Assert.That(counted, Is.GreaterThanOrEqualTo(ReferenceEncodings.EncodedLength(encoding, text)));
        }
    }

    [Test]
    public void CountTokens_OfALongPreTokenAmongOrdinaryText_IsExactForTheRestAndAnUpperBoundOverall()
    {
        var counter = SharpTokenCounter.Default;
        const string Before = "The carbon cycle, in brief: ";
        const string After = " — that was a hash, not a word.";
        string word = new('z', 10_000);

        int counted = counter.CountTokens(Before + word + After);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(counted, Is.EqualTo(counter.CountTokens(Before) + Encoding.UTF8.GetByteCount(word) + counter.CountTokens(After)));
            Assert.That(counted, Is.GreaterThanOrEqualTo(ReferenceEncodings.EncodedLength("o200k_base", Before + word + After)));
        }
    }

    [Test]
    public void TheHeap_MergesExactlyAsTheReferenceLoop_OnSeededPieces([ValueSource(nameof(Encodings))] string encoding)
    {
        var counter = SharpTokenCounter.ForEncoding(encoding).Counter;
        var random = new Random(42);
        var mismatches = new List<string>();

        for (int i = 0; i < 3_000; i++)
        {
            string text = (i % 3) switch
            {
                0 => Letters(random, random.Next(2, 48)),
                1 => Cjk(random, random.Next(1, 16)),
                _ => MixedText(random, random.Next(1, 24)),
            };
            byte[] piece = Encoding.UTF8.GetBytes(text);
            if (piece.Length is < 2 or > 48)
            {
                continue;
            }

            int loop = counter.CountSmall(piece);
            int heap = counter.CountLarge(piece);
            if (loop != heap)
            {
                mismatches.Add($"'{text}': loop {loop}, heap {heap}");
            }
        }

        Assert.That(mismatches, Is.Empty);
    }

    [Test]
    public async Task Append_OfAOneMegabyteSingleWordMessage_TakesWellUnderASecond()
    {
        // The issue's own bound: SharpToken's merge loop took 5.3 s for a 128 KB word and minutes for 1 MB.
        using var store = new InMemorySessionStore(timeProvider: new FakeTimeProvider());
        var session = await store.CreateSessionAsync("alice");
        _ = SharpTokenCounter.Default.CountTokens("load the encoding before timing");
        var words = new[] { new string('a', 1024 * 1024), Letters(new Random(3), 1024 * 1024), Cjk(new Random(4), 512 * 1024) };

        foreach (string word in words)
        {
            var stopwatch = Stopwatch.StartNew();
            var appended = await store.AppendMessageAsync(session.Id, NewMessage.User(word));
            stopwatch.Stop();

            using (Assert.EnterMultipleScope())
            {
                Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)), $"a {word.Length:N0}-char word");
                Assert.That(appended.TokenCount, Is.GreaterThanOrEqualTo(Encoding.UTF8.GetByteCount(word)), "charged its byte length");
            }
        }
    }

    private static string Letters(Random random, int length)
    {
        var chars = new char[length];
        for (int i = 0; i < length; i++)
        {
            chars[i] = (char)('a' + random.Next(26));
        }

        return new string(chars);
    }

    private static string Cjk(Random random, int length)
    {
        var chars = new char[length];
        for (int i = 0; i < length; i++)
        {
            chars[i] = (char)(0x4E00 + random.Next(0x5000));
        }

        return new string(chars);
    }

    private static string MixedText(Random random, int parts)
    {
        string[] fragments =
        [
            "the", " carbon", " cycle", " moves", "Carbon", "CO2", " 420", "ppm", ".", ",", "; ", " ", "  ", "\n", "\r\n", "\t",
            "don't", "I'll", "'S", " 1850", "3.14159", "0x1F", "https://example.com/a?b=1", "{\"q\":\"x\"}", "<|endoftext|>",
            "日本語", "中文文本", "한국어", "русский", "Ελληνικά", "العربية", "🌍", "👩‍👩‍👧‍👦", "🇯🇵", "é", "e\u0301", "Straße",
            "!!!", "...", "—", "/", "\n/\n", "ABCdef", "camelCaseWord", "SHOUT", "x", "\u00A0", "\u3000", "\uD800",
        ];
        var builder = new StringBuilder();
        for (int i = 0; i < parts; i++)
        {
            builder.Append(random.Next(8) == 0 ? Letters(random, random.Next(1, 30)) : fragments[random.Next(fragments.Length)]);
        }

        return builder.ToString();
    }
}
