using System.Text;

namespace SessionKit.Benchmarks;

/// <summary>
/// Seeded message text with a realistic vocabulary: word frequencies follow Zipf's law (the word of rank r occurs with
/// probability proportional to 1 / r^<see cref="Exponent"/>), the most frequent ranks are common English words and the
/// rest are synthetic, pronounceable words ("kavorub", "mitelog"), so a two-term query for mid-ranked words matches a
/// small share of a user's messages, as in real chat history, instead of half of them.
/// </summary>
/// <remarks>
/// Synthetic words are built so the Porter stemmer leaves them alone (consonant-vowel syllables ending in a vowel and
/// one of b, d, g, k, p, v, which no suffix rule removes), so every synthetic word is its own distinct index term.
/// </remarks>
public sealed class ZipfCorpus
{
    // The most frequent English words, by rank; they fill the top of the distribution as function words do in real text.
    private static readonly string[] CommonWords =
    [
        "the", "of", "and", "to", "a", "in", "is", "that", "it", "for", "was", "on", "are", "as", "with", "be", "at",
        "this", "have", "from", "or", "by", "not", "but", "what", "all", "were", "we", "when", "there", "can", "an",
        "your", "which", "their", "if", "do", "will", "each", "about", "how", "up", "out", "them", "then", "she",
        "many", "some", "so", "these", "would", "other", "into", "has", "more", "two", "like", "time", "could", "no",
    ];

    private static readonly char[] Onsets = ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z'];
    private static readonly char[] Vowels = ['a', 'e', 'i', 'o', 'u'];
    private static readonly char[] FinalVowels = ['a', 'i', 'o', 'u'];
    private static readonly char[] Codas = ['b', 'd', 'g', 'k', 'p', 'v'];

    private readonly string[] _words;
    private readonly double[] _cumulative;

    /// <summary>Creates the vocabulary and its frequency table.</summary>
    /// <param name="distinctWords">How many distinct words (at least 1,000; the common English words included).</param>
    /// <param name="exponent">Zipf's exponent (real text: about 1.0–1.1).</param>
    /// <param name="seed">The seed of the vocabulary; the same arguments give the same words in the same ranks.</param>
    public ZipfCorpus(int distinctWords = 32_000, double exponent = 1.05, int seed = 17)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(distinctWords, 1_000);
        ArgumentOutOfRangeException.ThrowIfLessThan(exponent, 0.5);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(exponent, 2.0);
        DistinctWords = distinctWords;
        Exponent = exponent;
        _words = CreateVocabulary(distinctWords, seed);
        _cumulative = new double[distinctWords];
        double sum = 0;
        for (int rank = 1; rank <= distinctWords; rank++)
        {
            sum += 1.0 / Math.Pow(rank, exponent);
            _cumulative[rank - 1] = sum;
        }

        for (int i = 0; i < distinctWords; i++)
        {
            _cumulative[i] /= sum;
        }
    }

    /// <summary>How many distinct words the vocabulary has.</summary>
    public int DistinctWords { get; }

    /// <summary>Zipf's exponent.</summary>
    public double Exponent { get; }

    /// <summary>How many of the top ranks are common English words (stop words a query ignores).</summary>
    public static int CommonWordCount => CommonWords.Length;

    /// <summary>The word of a rank (1 is the most frequent).</summary>
    /// <param name="rank">1 to <see cref="DistinctWords"/>.</param>
    /// <returns>The word.</returns>
    public string Word(int rank) => _words[rank - 1];

    /// <summary>The probability that one drawn word is the word of <paramref name="rank"/>.</summary>
    /// <param name="rank">1 to <see cref="DistinctWords"/>.</param>
    /// <returns>The probability.</returns>
    public double Probability(int rank) => _cumulative[rank - 1] - (rank == 1 ? 0 : _cumulative[rank - 2]);

    /// <summary>
    /// Message texts of <paramref name="minWords"/> to <paramref name="maxWords"/> words drawn from the distribution, in
    /// sentences of 5 to 14 words (capitalised, ending in a full stop, an occasional comma).
    /// </summary>
    /// <param name="count">How many texts.</param>
    /// <param name="minWords">The fewest words of a text.</param>
    /// <param name="maxWords">The most words of a text.</param>
    /// <param name="seed">The seed of the texts.</param>
    /// <returns>The texts, lazily; the same arguments give the same sequence.</returns>
    public IEnumerable<string> Texts(int count, int minWords = 20, int maxWords = 60, int seed = 23)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(minWords, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWords, minWords);
        return Generate(count, minWords, maxWords, seed);
    }

    // A non-cryptographic generator on purpose: the data must be reproducible, not unpredictable.
#pragma warning disable CA5394
    private IEnumerable<string> Generate(int count, int minWords, int maxWords, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder(maxWords * 9);
        for (int i = 0; i < count; i++)
        {
            text.Clear();
            int words = random.Next(minWords, maxWords + 1);
            int sentenceLeft = 0;
            for (int w = 0; w < words; w++)
            {
                string word = _words[Draw(random)];
                if (sentenceLeft == 0)
                {
                    if (w > 0)
                    {
                        text.Append(". ");
                    }

                    sentenceLeft = random.Next(5, 15);
                    text.Append(char.ToUpperInvariant(word[0])).Append(word, 1, word.Length - 1);
                }
                else
                {
                    text.Append(random.Next(12) == 0 ? ", " : " ").Append(word);
                }

                sentenceLeft--;
            }

            yield return text.Append('.').ToString();
        }
    }

    private int Draw(Random random)
    {
        int index = Array.BinarySearch(_cumulative, random.NextDouble());
        return Math.Min(index < 0 ? ~index : index, _cumulative.Length - 1);
    }

    private static string[] CreateVocabulary(int distinctWords, int seed)
    {
        var random = new Random(seed);
        var words = new string[distinctWords];
        var seen = new HashSet<string>(CommonWords, StringComparer.Ordinal);
        Array.Copy(CommonWords, words, CommonWords.Length);
        var word = new StringBuilder(12);
        for (int i = CommonWords.Length; i < distinctWords;)
        {
            word.Clear();
            int syllables = random.Next(1, 4);
            for (int s = 0; s < syllables; s++)
            {
                word.Append(Onsets[random.Next(Onsets.Length)]).Append(Vowels[random.Next(Vowels.Length)]);
            }

            word.Append(Onsets[random.Next(Onsets.Length)]).Append(FinalVowels[random.Next(FinalVowels.Length)]).Append(Codas[random.Next(Codas.Length)]);
            if (seen.Add(word.ToString()))
            {
                words[i++] = word.ToString();
            }
        }

        return words;
    }
#pragma warning restore CA5394
}
