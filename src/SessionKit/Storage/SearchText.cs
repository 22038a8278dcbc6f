using System.Globalization;
using System.Text;

namespace SessionKit.Storage;

/// <summary>
/// The one tokenization every backend searches with, modelled on SQLite FTS5's <c>unicode61 remove_diacritics 2</c>
/// tokenizer: case folded, diacritics removed, words are runs of letters, digits and private-use characters. Query terms
/// are such words minus common English words; backends then apply the Porter stemmer ("cycles" finds "cycle").
/// </summary>
public static class SearchText
{
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at", "be",
        "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does",
        "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her",
        "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself",
        "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or",
        "other", "our", "ours", "ourselves", "out", "over", "own", "said", "same", "say", "she", "should", "so", "some",
        "such", "tell", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they",
        "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when",
        "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself",
        "yourselves",
    };

    /// <summary>Splits text into normalized words (case folded, accents removed from Latin letters), in order, duplicates kept.</summary>
    /// <param name="text">Any text.</param>
    /// <returns>The words.</returns>
    public static IReadOnlyList<string> Words(string text) => Tokenize(text).Select(t => t.Word).ToList();

    /// <summary>
    /// The words of <paramref name="text"/> with where each lies in it, following SQLite FTS5's
    /// <c>unicode61 remove_diacritics 2</c>: word characters are letters, digits and private-use characters; Latin letters
    /// lose their accents (é → e, ß stays); combining accents U+0300–U+036F are dropped without splitting the word; other
    /// combining marks (Hebrew points, for example) and everything else separate words; all is lower-cased.
    /// </summary>
    /// <param name="text">Any text.</param>
    /// <returns>The words and their [start, end) ranges in the original text.</returns>
    internal static List<(int Start, int End, string Word)> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<(int Start, int End, string Word)>();
        var word = new StringBuilder();
        int start = -1;
        int end = 0;
        int index = 0;
        while (index < text.Length)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(index), out var rune, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                rune = Rune.ReplacementChar;
            }

            if (IsCombiningAccent(rune))
            {
                // Dropped: it neither starts, continues visibly, nor ends a word ("cafe\u0301" is "cafe").
            }
            else if (IsLatinWithAccent(rune))
            {
                foreach (var part in rune.ToString().Normalize(NormalizationForm.FormD).EnumerateRunes())
                {
                    if (!IsCombiningAccent(part) && Rune.GetUnicodeCategory(part) != UnicodeCategory.NonSpacingMark)
                    {
                        word.Append(Rune.ToLowerInvariant(part).ToString());
                    }
                }

                start = start < 0 ? index : start;
                end = index + consumed;
            }
            else if (IsWordRune(rune))
            {
                word.Append(Rune.ToLowerInvariant(rune).ToString());
                start = start < 0 ? index : start;
                end = index + consumed;
            }
            else if (start >= 0)
            {
                words.Add((start, end, word.ToString()));
                word.Clear();
                start = -1;
            }

            index += consumed;
        }

        if (start >= 0)
        {
            words.Add((start, end, word.ToString()));
        }

        return words;
    }

    /// <summary>
    /// The distinct words of a query worth searching for, in order of appearance: common English words are dropped unless
    /// nothing else is left; at most <see cref="SearchQuery.MaxTerms"/> words of at most 64 characters each.
    /// </summary>
    /// <param name="text">The user's query text.</param>
    /// <returns>The terms; empty when the text has no words.</returns>
    public static IReadOnlyList<string> QueryTerms(string text)
    {
        var words = Words(text).Select(w => w.Length > 64 ? w[..64] : w).Distinct(StringComparer.Ordinal).ToList();
        var meaningful = words.Where(w => !StopWords.Contains(w)).ToList();
        return (meaningful.Count > 0 ? meaningful : words).Take(SearchQuery.MaxTerms).ToList();
    }

    /// <summary>Whether a word is a common English word that queries ignore.</summary>
    /// <param name="word">A normalized word.</param>
    /// <returns><see langword="true"/> for a stop word.</returns>
    public static bool IsStopWord(string word) => StopWords.Contains(word);

    // The accents U+0300–U+036F, which FTS5 treats as diacritics to drop.
    private static bool IsCombiningAccent(Rune rune) => rune.Value is >= 0x0300 and <= 0x036F;

    // Precomposed Latin letters (Latin-1 Supplement, Latin Extended-A/B, Latin Extended Additional) that carry an accent.
    private static bool IsLatinWithAccent(Rune rune) =>
        rune.Value is (>= 0x00C0 and <= 0x024F) or (>= 0x1E00 and <= 0x1EFF)
        && rune.ToString().Normalize(NormalizationForm.FormD).Length > rune.Utf16SequenceLength;

    private static bool IsWordRune(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
            or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
            or UnicodeCategory.PrivateUse => true,
        _ => false,
    };
}
