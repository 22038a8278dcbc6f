using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Tests.InMemory;

// Expected snippets are what SQLite 3.40's FTS5 returns for snippet(messages_fts, 0, '<b>', '</b>', '…', 12) on the same
// text and query, through the SQLite store's schema (content and user key columns, porter unicode61 remove_diacritics 2).
[TestFixture]
public sealed class SearchSnippetTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        yield return Case("adjacent matches", "the carbon cycle", "carbon cycle", "the <b>carbon</b> <b>cycle</b>");
        yield return Case("punctuation kept around a whole text", "  (Carbon) cycle.", "carbon cycle", "  (<b>Carbon</b>) <b>cycle</b>.");
        yield return Case(
            "centred in a long text",
            "one two three four five six seven eight nine ten eleven twelve thirteen fourteen carbon sixteen seventeen eighteen nineteen twenty twentyone twentytwo twentythree twentyfour",
            "carbon",
            "…ten eleven twelve thirteen fourteen <b>carbon</b> sixteen seventeen eighteen nineteen twenty twentyone…");
        yield return Case(
            "a match opening a sentence",
            "Intro words come first and then more words follow here. Carbon dioxide is a gas that warms the planet when it builds up in the air.",
            "carbon",
            "…then more words follow here. <b>Carbon</b> dioxide is a gas that warms…");
        yield return Case(
            "a match at the end",
            "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen carbon.",
            "carbon",
            "…five six seven eight nine ten eleven twelve thirteen fourteen fifteen <b>carbon</b>.");
        yield return Case(
            "the window with both terms",
            "carbon carbon carbon carbon carbon carbon carbon carbon carbon carbon carbon carbon carbon cycle x y z",
            "carbon cycle",
            "…<b>carbon</b> <b>carbon</b> <b>carbon</b> <b>carbon</b> <b>carbon</b> <b>carbon</b> <b>carbon</b> <b>carbon</b> <b>carbon</b> <b>carbon</b> <b>carbon</b> <b>cycle</b>…");
        yield return Case("two terms with one stem", "Cycles and cycling: the cycle of cycles.", "cycle cycles", "<b>Cycles</b> and <b>cycling</b>: the <b>cycle</b> of <b>cycles</b>.");
        yield return Case("line breaks", "line one\nline two with carbon\n\nline three", "carbon", "line one\nline two with <b>carbon</b>\n\nline three");
        yield return Case(
            "a sentence start after a colon",
            "a b c d e f g h i j k l m n o p carbon: q r s t u v w x y z. cycle a b c d e f g h i j k",
            "carbon cycle",
            "…<b>carbon</b>: q r s t u v w x y z. <b>cycle</b>…");
        yield return Case("diacritics", "Café au lait, café crème", "cafe", "<b>Café</b> au lait, <b>café</b> crème");
    }

    [TestCaseSource(nameof(Cases))]
    public void Build_CutsTheSnippetSqliteFts5Cuts(string text, string query, string expected)
    {
        var phrases = SearchText.QueryTerms(query).Select(PorterStemmer.Stem).ToList();

        string snippet = SearchSnippet.Build(text, SearchTokenizer.Tokenize(text), phrases, "<b>", "</b>");

        Assert.That(snippet, Is.EqualTo(expected));
    }

    [TestCaseSource(nameof(Cases))]
    public void BuildFromTheTextAlone_CutsTheSnippetSqliteFts5Cuts(string text, string query, string expected)
    {
        var phrases = SearchText.QueryTerms(query).Select(PorterStemmer.Stem).ToList();

        string snippet = SearchSnippet.Build(text, phrases, "<b>", "</b>");

        Assert.That(snippet, Is.EqualTo(expected));
    }

    // The text-only path tokenizes ASCII in place and stems a word only when it could carry a query stem; it must cut
    // exactly what the tokenized path cuts. Seeded texts mix every Porter suffix, case, punctuation, sentence breaks,
    // digits, over-long words and (now and then) non-ASCII text, with queries drawn from the same words.
    [Test]
    public void BuildFromTheTextAlone_AgreesWithTheTokenizedPath_OnSeededTexts()
    {
        var random = new Random(5);
        int matched = 0;
        for (int i = 0; i < 3_000; i++)
        {
            string text = SeededText(random, random.Next(1, 45));
            var phrases = SearchText.QueryTerms(SeededText(random, random.Next(1, 4))).Select(PorterStemmer.Stem).ToList();
            if (random.Next(3) == 0)
            {
                // A query word that surely occurs in the text, in another form.
                var words = SearchText.Words(text);
                phrases.Add(PorterStemmer.Stem(words[random.Next(words.Count)]));
            }

            string expected = SearchSnippet.Build(text, SearchTokenizer.Tokenize(text), phrases, "[", "]");
            string snippet = SearchSnippet.Build(text, phrases, "[", "]");

            Assert.That(snippet, Is.EqualTo(expected), $"text: {text}; stems: {string.Join(", ", phrases)}");
            matched += expected.Contains('[', StringComparison.Ordinal) ? 1 : 0;
        }

        Assert.That(matched, Is.GreaterThan(1_000), "most cases highlight something");
    }

    private static readonly string[] Roots =
    [
        "carbon", "cycl", "relat", "condit", "sensib", "probab", "hop", "fil", "tann", "fall", "gener", "oscill", "valen",
        "happ", "pon", "caress", "agre", "conflat", "troubl", "siz", "motor", "formal", "electr", "digit", "activ", "hope",
        "rational", "organ", "opera", "hesit", "decis", "respons", "sensit", "possib", "analog", "ecolog", "effect", "bl",
        "a", "ab", "sky", "by", "eed", "ies", "feed", "bled", "sing", "y", "yy", "allo", "fully", "xyz",
    ];

    private static readonly string[] Suffixes =
    [
        "", "", "", "s", "es", "ed", "ing", "ly", "y", "ies", "ied", "ation", "ational", "ations", "ness", "ful", "fulness",
        "ity", "ities", "bility", "ible", "able", "ably", "ize", "izer", "ization", "izations", "ate", "ated", "ating",
        "ator", "er", "ers", "ment", "ement", "ent", "ently", "ence", "ency", "ance", "ancy", "anci", "enci", "ous",
        "ously", "ousness", "ive", "ively", "iveness", "ivity", "ble", "bly", "bli", "al", "ally", "alli", "alism", "ality",
        "alize", "ism", "ic", "ical", "icate", "icity", "iciti", "logy", "logi", "eed", "ll", "ll", "ion", "sion", "tion",
        "tional", "ant", "ou", "iti", "at", "bl", "iz", "sses", "ss", "e", "eli", "entli", "ousli", "aliti", "iviti", "biliti",
    ];

    private static readonly string[] Separators = [" ", " ", " ", " ", ", ", ". ", ": ", "; ", " - ", "\n", ".\n\n", "  ", "(", ") ", "'", "...", ":"];

    private static string SeededText(Random random, int words)
    {
        var text = new System.Text.StringBuilder();
        for (int w = 0; w < words; w++)
        {
            if (w > 0 || random.Next(4) == 0)
            {
                text.Append(Separators[random.Next(Separators.Length)]);
            }

            // Non-ASCII words are rare, so most texts take the ASCII path and some the general one.
            string word = random.Next(500) switch
            {
                < 12 => random.Next(100_000).ToString(System.Globalization.CultureInfo.InvariantCulture),
                < 24 => new string('k', random.Next(60, 70)) + Suffixes[random.Next(Suffixes.Length)],
                24 => "Café",
                25 => "naïveté",
                _ => Roots[random.Next(Roots.Length)] + Suffixes[random.Next(Suffixes.Length)],
            };
            text.Append(random.Next(5) switch
            {
                0 => word.ToUpperInvariant(),
                1 => char.ToUpperInvariant(word[0]) + word[1..],
                _ => word,
            });
        }

        return text.ToString();
    }

    private static TestCaseData Case(string name, string text, string query, string expected) =>
        new TestCaseData(text, query, expected).SetArgDisplayNames(name);
}
