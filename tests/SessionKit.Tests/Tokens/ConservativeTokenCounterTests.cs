using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace SessionKit.Tests.Tokens;

[TestFixture]
public sealed class ConservativeTokenCounterTests
{
    private static readonly string[] Corpus =
    [
        "Hello, world!",
        " ",
        "The carbon cycle moves carbon between the atmosphere, oceans, land and living things.",
        "Line one\nLine two\r\nLine three\n\n\ttabbed",
        "🌍🔥🌊 emoji 👩‍👩‍👧‍👦 family and flags 🇺🇸🇯🇵",
        "日本語のテキストと中文文本以及한국어 텍스트",
        "{\"tool\":\"search\",\"arguments\":{\"q\":\"carbon cycle\",\"limit\":5}}",
        "Special markers <|endoftext|> are just text here.",
        new string('x', 5000),
        "lone surrogate \uD800 here",
    ];

    [Test]
    public void CountTokens_IsTheUtf8ByteLength_AndNeverBelowAPublicTokenizersCount([Values("o200k_base", "cl100k_base")] string encoding)
    {
        var counter = ConservativeTokenCounter.Instance;

        using (Assert.EnterMultipleScope())
        {
            foreach (string text in Corpus)
            {
                Assert.That(counter.CountTokens(text), Is.EqualTo(Encoding.UTF8.GetByteCount(text)));
                Assert.That(counter.CountTokens(text), Is.GreaterThanOrEqualTo(ReferenceEncodings.EncodedLength(encoding, text)));
            }
        }
    }

    [Test]
    public void CountMessageTokens_IsNeverBelowTheOpenAiFormulasCount()
    {
        var conservative = ConservativeTokenCounter.Instance;
        var exact = SharpTokenCounter.Default;

        using (Assert.EnterMultipleScope())
        {
            foreach (string text in Corpus)
            {
                foreach (var role in new[] { MessageRole.System, MessageRole.User, MessageRole.Assistant, MessageRole.Tool })
                {
                    Assert.That(conservative.CountMessageTokens(role, text), Is.GreaterThanOrEqualTo(exact.CountMessageTokens(role, text)));
                    Assert.That(conservative.CountMessageTokens(role, text, "agent_7"), Is.GreaterThanOrEqualTo(exact.CountMessageTokens(role, text, "agent_7")));
                }
            }

            Assert.That(conservative.CountMessageTokens(MessageRole.User, string.Empty), Is.EqualTo(ConservativeTokenCounter.MessageOverhead));
            Assert.That(conservative.RequestOverhead, Is.GreaterThanOrEqualTo(exact.RequestOverhead));
            Assert.That(conservative.EncodingName, Is.EqualTo("utf8-bytes"));
        }
    }

    [Test]
    public void BadArguments_Throw()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => ConservativeTokenCounter.Instance.CountTokens(null!), Throws.ArgumentNullException);
            Assert.That(() => ConservativeTokenCounter.Instance.CountMessageTokens(MessageRole.User, null!), Throws.ArgumentNullException);
            Assert.That(() => ConservativeTokenCounter.Instance.CountMessageTokens((MessageRole)42, "x"), Throws.InstanceOf<ArgumentOutOfRangeException>());
        }
    }

    [Test]
    public async Task TokenEncodingUtf8Bytes_SelectsTheConservativeCounter_ForStoredCounts()
    {
        var services = new ServiceCollection();
        services.AddSessionKit(o => o.TokenEncoding = ConservativeTokenCounter.Utf8Bytes).UseInMemory();
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<ISessionStore>();
        var session = await store.CreateSessionAsync("alice");

        var message = await store.AppendMessageAsync(session.Id, NewMessage.User("Grüße aus Zürich"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(provider.GetRequiredService<ITokenCounter>(), Is.SameAs(ConservativeTokenCounter.Instance));
            Assert.That(message.TokenEncoding, Is.EqualTo("utf8-bytes"));
            Assert.That(message.TokenCount, Is.EqualTo(ConservativeTokenCounter.MessageOverhead + Encoding.UTF8.GetByteCount("Grüße aus Zürich")));
        }
    }

    [TestCase("claude-sonnet-4-5")]
    [TestCase("claude-3-opus")]
    [TestCase("gemini-2.5-pro")]
    [TestCase("llama-3-70b")]
    public async Task AModelWithoutAKnownTokenizer_FailsValidation_NamingTheOptionToSetAndTheChoices(string model)
    {
        var services = new ServiceCollection();
        services.AddSessionKit(o => o.Model = model).UseInMemory();
        await using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<ISessionStore>());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex?.Message, Does.Contain("SessionKitOptions.Model"));
            Assert.That(ex?.Message, Does.Contain(model));
            Assert.That(ex?.Message, Does.Contain("SessionKitOptions.TokenEncoding = \"utf8-bytes\""));
            Assert.That(ex?.Message, Does.Contain("o200k_base").And.Contain("cl100k_base"));
        }
    }

    [Test]
    public void ForModel_OfAModelWithoutAKnownTokenizer_SaysWhatToUseInstead()
    {
        Assert.That(
            () => SharpTokenCounter.ForModel("claude-sonnet-4-5"),
            Throws.ArgumentException.With.Message.Contains("ConservativeTokenCounter.Instance").And.Message.Contains("utf8-bytes"));
    }

    [Test]
    public async Task AnUnknownTokenEncoding_FailsValidation_ListingEveryChoice()
    {
        var services = new ServiceCollection();
        services.AddSessionKit(o => o.TokenEncoding = "claude").UseInMemory();
        await using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<ISessionStore>());

        Assert.That(ex?.Message, Does.Contain("SessionKitOptions.TokenEncoding").And.Contain("o200k_base, cl100k_base, utf8-bytes"));
    }
}
