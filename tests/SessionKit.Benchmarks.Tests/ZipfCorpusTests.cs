using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Benchmarks.Tests;

public sealed class ZipfCorpusTests
{
    [Test]
    public void Texts_HaveTheWordCountsAsked_FromAVocabularyOfDistinctTerms()
    {
        var corpus = new ZipfCorpus();

        var texts = corpus.Texts(300, 20, 60, seed: 4).ToList();

        var counts = texts.Select(text => SearchText.Words(text).Count).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(counts, Is.All.InRange(20, 60));
            Assert.That(corpus.DistinctWords, Is.EqualTo(32_000));
            Assert.That(Enumerable.Range(1, corpus.DistinctWords).Select(corpus.Word).Distinct().Count(), Is.EqualTo(32_000));
            Assert.That(texts, Is.EqualTo(corpus.Texts(300, 20, 60, seed: 4).ToList()), "seeded");
        });
    }

    [Test]
    public void Frequencies_FollowZipf_TheTopWordsAreCommonEnglish_AndMidRankedWordsAreQueryTerms()
    {
        var corpus = new ZipfCorpus(exponent: 1.05);
        var words = corpus.Texts(2_000, seed: 9).SelectMany(SearchText.Words).ToList();
        var frequency = words.GroupBy(w => w, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

        Assert.Multiple(() =>
        {
            // Rank 1 against rank 10: 10^1.05 ≈ 11.2 times as frequent; seeded, so the tolerance only absorbs sampling.
            double ratio = (double)frequency[corpus.Word(1)] / frequency[corpus.Word(10)];
            Assert.That(ratio, Is.InRange(8.0, 15.0));
            Assert.That(corpus.Probability(1) / corpus.Probability(10), Is.EqualTo(Math.Pow(10, 1.05)).Within(1e-9));
            Assert.That(SearchText.IsStopWord(corpus.Word(1)), Is.True);
            Assert.That(SearchText.QueryTerms($"{corpus.Word(200)} {corpus.Word(900)}"), Is.EqualTo(new[] { corpus.Word(200), corpus.Word(900) }));
        });
    }
}
