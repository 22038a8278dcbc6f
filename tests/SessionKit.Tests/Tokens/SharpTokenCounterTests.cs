using System.Collections.Concurrent;
using NUnit.Framework;

namespace SessionKit.Tests.Tokens;

[TestFixture]
public sealed class SharpTokenCounterTests
{
    private static readonly string[] Encodings = ["o200k_base", "cl100k_base"];

    private static readonly string[] Corpus =
    [
        "Hello, world!",
        "a",
        " ",
        "   leading and trailing spaces   ",
        "The carbon cycle moves carbon between the atmosphere, oceans, land and living things.",
        "Atmospheric CO2 is about 420 ppm; the planet has warmed by roughly 1.1 °C since 1850.",
        "Line one\nLine two\r\nLine three\n\n\ttabbed",
        "🌍🔥🌊 emoji 👩‍👩‍👧‍👦 family and flags 🇺🇸🇯🇵",
        "Ünïcödé naïve café, Straße, Ελληνικά, русский текст, עברית, العربية",
        "日本語のテキストと中文文本以及한국어 텍스트",
        "{\"tool\":\"search\",\"arguments\":{\"q\":\"carbon cycle\",\"limit\":5}}",
        "public static int Add(int a, int b) => a + b; // C# code",
        "https://example.com/path?query=1&other=two#fragment",
        "1234567890 3.14159 -42 1e10 0x1F",
        "Special markers <|endoftext|> and <|im_start|> are just text here.",
        new string('x', 5000),
        string.Concat(Enumerable.Repeat("Repeated sentence with words. ", 200)),
    ];

    private static IEnumerable<TestCaseData> CorpusByEncoding() =>
        from encoding in Encodings
        from text in Corpus
        select new TestCaseData(encoding, text).SetArgDisplayNames(encoding, text.Length > 30 ? text[..30] + "…" : text);

    [TestCase("o200k_base")]
    [TestCase("cl100k_base")]
    public void CountTokens_HelloWorld_IsFourTokens(string encoding)
    {
        var counter = SharpTokenCounter.ForEncoding(encoding);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(counter.CountTokens("Hello, world!"), Is.EqualTo(4));
            Assert.That(ReferenceEncodings.EncodedLength(encoding, "Hello, world!"), Is.EqualTo(4));
        }
    }

    [TestCase("o200k_base")]
    [TestCase("cl100k_base")]
    public void CountTokens_EmptyString_IsZero(string encoding)
    {
        Assert.That(SharpTokenCounter.ForEncoding(encoding).CountTokens(string.Empty), Is.Zero);
    }

    [TestCaseSource(nameof(CorpusByEncoding))]
    public void CountTokens_EqualsTheLengthOfTheEncodedTokenList(string encoding, string text)
    {
        Assert.That(SharpTokenCounter.ForEncoding(encoding).CountTokens(text), Is.EqualTo(ReferenceEncodings.EncodedLength(encoding, text)));
    }

    [Test]
    public void CountTokens_KnownDifferenceBetweenEncodings_IsReflected()
    {
        // o200k_base has far more non-English tokens than cl100k_base.
        const string Text = "日本語のテキストと中文文本以及한국어 텍스트";

        Assert.That(
            SharpTokenCounter.ForEncoding("o200k_base").CountTokens(Text),
            Is.LessThan(SharpTokenCounter.ForEncoding("cl100k_base").CountTokens(Text)));
    }

    [Test]
    public void CountTokens_SpecialTokenMarkersInText_AreCountedAsTextInsteadOfThrowing()
    {
        var count = SharpTokenCounter.Default.CountTokens("<|endoftext|>");

        Assert.That(count, Is.GreaterThan(1));
    }

    [Test]
    public void CountTokens_Null_Throws()
    {
        Assert.That(() => SharpTokenCounter.Default.CountTokens(null!), Throws.ArgumentNullException);
    }

    [TestCase("o200k_base")]
    [TestCase("cl100k_base")]
    public void CountMessageTokens_FollowsTheCookbookFormula(string encoding)
    {
        var counter = SharpTokenCounter.ForEncoding(encoding);
        const string Content = "The carbon cycle moves carbon between the atmosphere and the oceans.";
        var content = ReferenceEncodings.EncodedLength(encoding, Content);
        var name = ReferenceEncodings.EncodedLength(encoding, "researcher_agent");

        using (Assert.EnterMultipleScope())
        {
            // 3 per message + role ("user": 1 token) + content.
            Assert.That(counter.CountMessageTokens(MessageRole.User, Content), Is.EqualTo(3 + 1 + content));
            // + name + 1 when a name is given.
            Assert.That(counter.CountMessageTokens(MessageRole.Assistant, Content, "researcher_agent"), Is.EqualTo(3 + 1 + content + name + 1));
            Assert.That(counter.CountMessageTokens(MessageRole.User, "Hello, world!"), Is.EqualTo(8));
            Assert.That(counter.RequestOverhead, Is.EqualTo(3));
        }
    }

    [TestCase(MessageRole.System)]
    [TestCase(MessageRole.User)]
    [TestCase(MessageRole.Assistant)]
    [TestCase(MessageRole.Tool)]
    public void CountMessageTokens_EmptyMessage_CostsFrameAndRole(MessageRole role)
    {
        Assert.That(SharpTokenCounter.Default.CountMessageTokens(role, string.Empty), Is.EqualTo(4));
    }

    [Test]
    public void CountMessageTokens_EmptyName_IsTreatedAsNoName()
    {
        var counter = SharpTokenCounter.Default;

        Assert.That(counter.CountMessageTokens(MessageRole.Tool, "42", string.Empty), Is.EqualTo(counter.CountMessageTokens(MessageRole.Tool, "42")));
    }

    [Test]
    public void CountMessageTokens_ToolCall_CountsArgumentsAsContentAndToolNameAsName()
    {
        var counter = SharpTokenCounter.Default;
        const string Arguments = "{\"q\":\"carbon cycle\"}";

        Assert.That(
            counter.CountMessageTokens(MessageRole.Assistant, Arguments, "search"),
            Is.EqualTo(3 + 1 + counter.CountTokens(Arguments) + counter.CountTokens("search") + 1));
    }

    [Test]
    public void CountMessageTokens_UndefinedRole_Throws()
    {
        Assert.That(() => SharpTokenCounter.Default.CountMessageTokens((MessageRole)42, "x"), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void CountMessageTokens_NullContent_Throws()
    {
        Assert.That(() => SharpTokenCounter.Default.CountMessageTokens(MessageRole.User, null!), Throws.ArgumentNullException);
    }

    [TestCase("gpt-4o", "o200k_base")]
    [TestCase("gpt-4o-mini", "o200k_base")]
    [TestCase("gpt-4o-2024-08-06", "o200k_base")]
    [TestCase("chatgpt-4o-latest", "o200k_base")]
    [TestCase("gpt-4.1", "o200k_base")]
    [TestCase("gpt-4.1-mini", "o200k_base")]
    [TestCase("gpt-4.1-nano", "o200k_base")]
    [TestCase("o1", "o200k_base")]
    [TestCase("o1-mini", "o200k_base")]
    [TestCase("o3", "o200k_base")]
    [TestCase("o3-mini", "o200k_base")]
    [TestCase("o4-mini", "o200k_base")]
    [TestCase("GPT-4o", "o200k_base")]
    [TestCase("gpt-4", "cl100k_base")]
    [TestCase("gpt-4-turbo", "cl100k_base")]
    [TestCase("gpt-4-0613", "cl100k_base")]
    [TestCase("gpt-3.5-turbo", "cl100k_base")]
    [TestCase("gpt-3.5-turbo-0125", "cl100k_base")]
    [TestCase("gpt-35-turbo", "cl100k_base")]
    [TestCase("text-embedding-3-small", "cl100k_base")]
    [TestCase("text-embedding-3-large", "cl100k_base")]
    [TestCase("text-embedding-ada-002", "cl100k_base")]
    public void ForModel_MapsTheModelToItsEncoding(string model, string encoding)
    {
        var counter = SharpTokenCounter.ForModel(model);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(counter.EncodingName, Is.EqualTo(encoding));
            Assert.That(counter, Is.SameAs(SharpTokenCounter.ForEncoding(encoding)));
        }
    }

    [TestCase("llama-3-70b")]
    [TestCase("o10-preview")]
    [TestCase("claude-3-opus")]
    [TestCase("text-davinci-003")] // known to SharpToken, but p50k_base is not supported
    public void ForModel_UnknownOrUnsupportedModel_ThrowsArgumentException(string model)
    {
        Assert.That(() => SharpTokenCounter.ForModel(model), Throws.ArgumentException.With.Message.Contains(model));
    }

    [TestCase("p50k_base")]
    [TestCase("O200K_BASE")]
    [TestCase("gpt2")]
    public void ForEncoding_UnknownEncoding_ThrowsArgumentExceptionListingTheSupportedOnes(string encoding)
    {
        Assert.That(
            () => SharpTokenCounter.ForEncoding(encoding),
            Throws.ArgumentException.With.Message.Contains("o200k_base").And.Message.Contains("cl100k_base").And.Property(nameof(ArgumentException.ParamName)).EqualTo("encodingName"));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("  ")]
    public void ForEncodingAndForModel_MissingName_Throw(string? name)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => SharpTokenCounter.ForEncoding(name!), Throws.InstanceOf<ArgumentException>());
            Assert.That(() => SharpTokenCounter.ForModel(name!), Throws.InstanceOf<ArgumentException>());
        }
    }

    [Test]
    public void Default_IsTheCachedO200kCounter()
    {
        var first = SharpTokenCounter.Default;
        var second = SharpTokenCounter.Default;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(second, Is.SameAs(first));
            Assert.That(SharpTokenCounter.Default.EncodingName, Is.EqualTo("o200k_base"));
            Assert.That(SharpTokenCounter.ForEncoding("o200k_base"), Is.SameAs(SharpTokenCounter.Default));
            Assert.That(SharpTokenCounter.ForModel("gpt-4o"), Is.SameAs(SharpTokenCounter.Default));
        }
    }

    [Test]
    public void Instances_ForTheSameEncoding_ShareOneLoadedEncoding()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(SharpTokenCounter.ForModel("gpt-4").Counter, Is.SameAs(SharpTokenCounter.ForEncoding("cl100k_base").Counter));
            Assert.That(SharpTokenCounter.ForModel("o3-mini").Counter, Is.SameAs(SharpTokenCounter.Default.Counter));
            Assert.That(SharpTokenCounter.Default.Counter, Is.Not.SameAs(SharpTokenCounter.ForEncoding("cl100k_base").Counter));
        }
    }

    [TestCase("o200k_base")]
    [TestCase("cl100k_base")]
    public void CountTokens_FromManyThreadsAtOnce_GivesTheSameCountsAsOneThread(string encoding)
    {
        var counter = SharpTokenCounter.ForEncoding(encoding);
        var expected = Corpus.Select(text => ReferenceEncodings.EncodedLength(encoding, text)).ToArray();
        var mismatches = new ConcurrentBag<string>();

        Parallel.For(0, Corpus.Length * 20, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var index = i % Corpus.Length;
            var actual = i % 2 == 0
                ? counter.CountTokens(Corpus[index])
                : counter.CountMessageTokens(MessageRole.User, Corpus[index]) - 4;
            if (actual != expected[index])
            {
                mismatches.Add($"{index}: {actual} != {expected[index]}");
            }
        });

        Assert.That(mismatches, Is.Empty);
    }

    [Test]
    public void ToString_NamesTheEncoding()
    {
        Assert.That(SharpTokenCounter.ForEncoding("cl100k_base").ToString(), Does.Contain("cl100k_base"));
    }
}
