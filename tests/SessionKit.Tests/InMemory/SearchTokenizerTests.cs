using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Tests.InMemory;

[TestFixture]
public sealed class SearchTokenizerTests
{
    private static readonly string[] Texts =
    [
        "",
        "   ",
        "The carbon cycle moves carbon between the atmosphere, oceans, soil and living things.",
        "Café crème, naïve résumé — CAFÉ!",
        "e\u0301te\u0301 (decomposed accents) and \u0301leading mark",
        "snake_case, kebab-case, dotted.name, user@example.com, C#, 3.14, 1,000,000",
        "Straße GROSSE größe İstanbul ǅemal",
        "москва, Москвы; ελληνικά γλώσσα",
        "炭素循環 について. 東京タワー",
        "مَرْحَبًا بالعالم — שָׁלוֹם עולם",
        "한국어 텍스트, 한글",
        "emoji 🌍🔥 between 👩🏽‍🔬 words",
        "tabs\tand\nnew\r\nlines",
        "½ ² ⅷ 𝟙𝟚 ①",
        "\u200Fcarbon\u200E zero\u200Bwidth",
        "\uE000private\uE001use",
        "हिन्दी भाषा",
        "'; DROP TABLE messages; --",
        "non\uFFFEcharacters\uFFFF and \uFDD0 more\U0010FFFF",
    ];

    [TestCaseSource(nameof(Texts))]
    public void Tokenize_FindsTheWordsOfSearchText_Stemmed(string text)
    {
        var expected = SearchText.Words(text).Select(PorterStemmer.Stem).ToArray();

        var tokens = SearchTokenizer.Tokenize(text);

        Assert.That(tokens.Select(t => t.Stem).ToArray(), Is.EqualTo(expected));
    }

    [TestCaseSource(nameof(Texts))]
    public void Tokenize_PlacesEachWordOnTheOriginalTextThatSearchTextNormalizes(string text)
    {
        var tokens = SearchTokenizer.Tokenize(text);

        int previousEnd = 0;
        foreach (var token in tokens)
        {
            Assert.That(token.Start, Is.GreaterThanOrEqualTo(previousEnd));
            Assert.That(token.End, Is.GreaterThan(token.Start).And.LessThanOrEqualTo(text.Length));
            string original = text[token.Start..token.End];
            Assert.That(SearchText.Words(original).Select(PorterStemmer.Stem), Is.EqualTo(new[] { token.Stem }), original);
            previousEnd = token.End;
        }
    }

    [Test]
    public void Tokenize_KeepsTheOriginalSpellingsPositions()
    {
        const string Text = "  Café, CRÈME brûlée!";

        var tokens = SearchTokenizer.Tokenize(Text);

        Assert.That(tokens.Select(t => Text[t.Start..t.End]), Is.EqualTo(new[] { "Café", "CRÈME", "brûlée" }));
        Assert.That(tokens.Select(t => t.Stem), Is.EqualTo(new[] { "cafe", "creme", "brule" }));
    }
}
