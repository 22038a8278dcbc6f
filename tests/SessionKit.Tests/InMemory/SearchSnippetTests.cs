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

    private static TestCaseData Case(string name, string text, string query, string expected) =>
        new TestCaseData(text, query, expected).SetArgDisplayNames(name);
}
