using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Tests.InMemory;

// Expected stems were read back from SQLite 3.40's FTS5 (tokenize='porter unicode61 remove_diacritics 2', through the
// fts5vocab 'instance' table), so these pin the in-memory store to the words the SQLite store matches.
[TestFixture]
public sealed class PorterStemmerTests
{
    [TestCase("caresses", "caress")]
    [TestCase("ponies", "poni")]
    [TestCase("ties", "ti")]
    [TestCase("caress", "caress")]
    [TestCase("cats", "cat")]
    [TestCase("feed", "feed")]
    [TestCase("agreed", "agre")]
    [TestCase("plastered", "plaster")]
    [TestCase("bled", "bled")]
    [TestCase("motoring", "motor")]
    [TestCase("sing", "sing")]
    [TestCase("conflated", "conflat")]
    [TestCase("troubled", "troubl")]
    [TestCase("sized", "size")]
    [TestCase("hopping", "hop")]
    [TestCase("tanned", "tan")]
    [TestCase("falling", "fall")]
    [TestCase("hissing", "hiss")]
    [TestCase("fizzed", "fizz")]
    [TestCase("failing", "fail")]
    [TestCase("filing", "file")]
    [TestCase("happy", "happi")]
    [TestCase("sky", "sky")]
    [TestCase("relational", "relat")]
    [TestCase("conditional", "condit")]
    [TestCase("rational", "ration")]
    [TestCase("valenci", "valenc")]
    [TestCase("hesitanci", "hesit")]
    [TestCase("digitizer", "digit")]
    [TestCase("conformabli", "conform")]
    [TestCase("radicalli", "radic")]
    [TestCase("differentli", "differ")]
    [TestCase("vileli", "vile")]
    [TestCase("analogousli", "analog")]
    [TestCase("vietnamization", "vietnam")]
    [TestCase("predication", "predic")]
    [TestCase("operator", "oper")]
    [TestCase("feudalism", "feudal")]
    [TestCase("decisiveness", "decis")]
    [TestCase("hopefulness", "hope")]
    [TestCase("callousness", "callous")]
    [TestCase("formaliti", "formal")]
    [TestCase("sensitiviti", "sensit")]
    [TestCase("sensibiliti", "sensibl")]
    [TestCase("triplicate", "triplic")]
    [TestCase("formative", "form")]
    [TestCase("formalize", "formal")]
    [TestCase("electriciti", "electr")]
    [TestCase("electrical", "electr")]
    [TestCase("hopeful", "hope")]
    [TestCase("goodness", "good")]
    [TestCase("revival", "reviv")]
    [TestCase("allowance", "allow")]
    [TestCase("inference", "infer")]
    [TestCase("airliner", "airlin")]
    [TestCase("gyroscopic", "gyroscop")]
    [TestCase("adjustable", "adjust")]
    [TestCase("defensible", "defens")]
    [TestCase("irritant", "irrit")]
    [TestCase("replacement", "replac")]
    [TestCase("adjustment", "adjust")]
    [TestCase("dependent", "depend")]
    [TestCase("adoption", "adopt")]
    [TestCase("homologou", "homolog")]
    [TestCase("communism", "commun")]
    [TestCase("activate", "activ")]
    [TestCase("angulariti", "angular")]
    [TestCase("homologous", "homolog")]
    [TestCase("effective", "effect")]
    [TestCase("bowdlerize", "bowdler")]
    [TestCase("probate", "probat")]
    [TestCase("rate", "rate")]
    [TestCase("cease", "ceas")]
    [TestCase("controll", "control")]
    [TestCase("roll", "roll")]
    [TestCase("cycle", "cycl")]
    [TestCase("cycles", "cycl")]
    [TestCase("cycling", "cycl")]
    [TestCase("cycled", "cycl")]
    [TestCase("carbonate", "carbon")]
    [TestCase("carbons", "carbon")]
    [TestCase("warming", "warm")]
    [TestCase("warmer", "warmer")]
    [TestCase("warms", "warm")]
    [TestCase("generalizations", "gener")]
    [TestCase("oscillators", "oscil")]
    [TestCase("2024s", "2024")]
    [TestCase("cafes", "cafe")]
    [TestCase("naïveté", "naivet")]
    public void Stem_MatchesSqliteFts5(string word, string expected)
    {
        // Words reach the stemmer normalized, as SearchText.Words leaves them.
        string normalized = SearchText.Words(word).Single();

        Assert.That(PorterStemmer.Stem(normalized), Is.EqualTo(expected));
    }

    // FTS5 quirks the 1980 paper does not have: exact three-letter words are still stemmed.
    [TestCase("eed", "e")]
    [TestCase("ies", "ie")]
    [TestCase("ied", "i")]
    [TestCase("yed", "yed")]
    [TestCase("ing", "ing")]
    [TestCase("sss", "sss")]
    [TestCase("aaa", "aaa")]
    public void Stem_OfThreeLetterWords_MatchesSqliteFts5(string word, string expected) =>
        Assert.That(PorterStemmer.Stem(word), Is.EqualTo(expected));

    [TestCase("go")]
    [TestCase("is")]
    [TestCase("a")]
    [TestCase("")]
    public void Stem_OfWordsShorterThanThreeBytes_LeavesThemAlone(string word) =>
        Assert.That(PorterStemmer.Stem(word), Is.EqualTo(word));

    [Test]
    public void Stem_OfWordsLongerThan64Bytes_LeavesThemAlone_AndStemsThoseOf64()
    {
        string longest = "a" + new string('b', 60) + "ing";
        string tooLong = "a" + new string('b', 61) + "ing";

        Assert.That(PorterStemmer.Stem(longest), Is.EqualTo("a" + new string('b', 59)), "64 bytes: stemmed (and the double b undone)");
        Assert.That(PorterStemmer.Stem(tooLong), Is.EqualTo(tooLong));
    }

    [Test]
    public void Stem_CountsBytesNotCharacters()
    {
        // 31 two-byte letters and an s: 63 bytes, so FTS5 stems it; one letter more and it is left alone.
        string stemmed = new string('ß', 31) + "s";
        string untouched = new string('ß', 32) + "s";

        Assert.That(Latin1ToUtf16(PorterStemmer.Stem(stemmed)), Is.EqualTo(new string('ß', 31)));
        Assert.That(Latin1ToUtf16(PorterStemmer.Stem(untouched)), Is.EqualTo(untouched));
    }

    [TestCase("straßes", "straß")]
    [TestCase("größe", "groß")]
    [TestCase("москвы", "москвы")]
    [TestCase("ελληνικα", "ελληνικα")]
    [TestCase("東京", "東京")]
    public void Stem_OfNonAsciiWords_StemsTheirAsciiSuffixesAsSqliteDoes(string word, string expected) =>
        Assert.That(Latin1ToUtf16(PorterStemmer.Stem(SearchText.Words(word).Single())), Is.EqualTo(expected));

    // Stems are index keys with one char per UTF-8 byte; turn one back into text to compare.
    private static string Latin1ToUtf16(string key) => System.Text.Encoding.UTF8.GetString(System.Text.Encoding.Latin1.GetBytes(key));

    // StemEquals rejects most words before stemming them, on the rule that a stem is never longer than its word and
    // agrees with it on all but its last two characters; if that rule were wrong, a word would silently lose its match.
    [Test]
    public void StemEquals_AgreesWithStem_ForEveryFormOfSeededWords()
    {
        string[] roots = ["carbon", "cycl", "relat", "condit", "sensib", "probab", "hop", "fil", "tann", "gener", "valen", "happ", "pon", "agre", "conflat", "troubl", "siz", "motor", "formal", "activ", "organ", "opera", "hesit", "respons", "analog", "effect", "bl", "a", "ab", "sky", "b", "x", "ee", "ie"];
        string[] suffixes = ["", "s", "es", "ed", "ing", "ly", "y", "ies", "ied", "ation", "ational", "tional", "ness", "ful", "fulness", "ity", "bility", "ible", "able", "ably", "ize", "izer", "ization", "ate", "ated", "ating", "ator", "er", "ment", "ement", "ent", "ently", "ence", "ency", "ance", "ancy", "ous", "ously", "ousness", "ive", "ively", "iveness", "ivity", "ble", "bly", "bling", "al", "ally", "alism", "ality", "alize", "ism", "ic", "ical", "icate", "icity", "logy", "eed", "ll", "ion", "sion", "tion", "ant", "ou", "at", "bl", "iz", "sses", "ss", "e", "eli", "entli", "ousli", "aliti", "iviti", "biliti", "ement", "ements", "ousli", "iveness"];
        var words = roots.SelectMany(root => suffixes.SelectMany(suffix => new[] { root + suffix, root + suffix + suffix, root + "e" + suffix }))
            .Append(new string('q', 70)).Append(new string('q', 64) + "ing").Append("12345").Append("2024s")
            .Distinct().ToList();
        var stems = words.Select(PorterStemmer.Stem).Distinct().ToList();

        foreach (string word in words)
        {
            string stem = PorterStemmer.Stem(word);
            Assert.That(PorterStemmer.StemEquals(word, stem), Is.True, $"{word} -> {stem}");
            Assert.That(PorterStemmer.StemEquals(word.ToUpperInvariant(), stem), Is.True, $"{word} (upper case) -> {stem}");
            foreach (string other in stems.Where(other => other.Length > 0 && other[0] == word[0] && other != stem).Take(40))
            {
                Assert.That(PorterStemmer.StemEquals(word, other), Is.False, $"{word} is not {other}");
            }
        }
    }
}
