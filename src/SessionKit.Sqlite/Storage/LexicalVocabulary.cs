using System.Collections.Concurrent;
using SessionKit.Storage;

namespace SessionKit.Sqlite;

/// <summary>
/// Numbers for stems, and the stem of every word seen, for the lexical windows of one cache generation: a window's rows
/// hold stem numbers, so ranking compares integers and each distinct word is stemmed once. Thread-safe; append-only
/// until the cache drops the whole generation (after a deletion, or when it holds <see cref="MaxWords"/> words).
/// </summary>
internal sealed class LexicalVocabulary
{
    /// <summary>The most distinct words a vocabulary holds before the cache starts a new generation.</summary>
    public const int MaxWords = 262_144;

    // Longer words are looked up through a string instead of a stack buffer.
    private const int MaxStackWord = 128;

    private readonly ConcurrentDictionary<string, int> _stems = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _words = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _wordsBySpan;
    private int _next;

    public LexicalVocabulary() => _wordsBySpan = _words.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>How many distinct words were stemmed.</summary>
    public int WordCount => _words.Count;

    /// <summary>The number of <paramref name="stem"/>, or -1 when no word seen has it (then no row holds it).</summary>
    public int Find(string stem) => stem.Length != 0 && _stems.TryGetValue(stem, out int id) ? id : -1;

    /// <summary>
    /// Adds the stem numbers of <paramref name="content"/>'s words to <paramref name="stems"/> and returns how many words
    /// it has, tokenized and stemmed as the bounded search counts them (FTS5's porter unicode61 tokenizer).
    /// </summary>
    public int Tokenize(string content, List<int> stems)
    {
        int words = 0;
        if (System.Text.Ascii.IsValid(content))
        {
            Span<char> lower = stackalloc char[MaxStackWord];
            int i = 0;
            while (SearchSnippet.NextAsciiWord(content, ref i, out int start))
            {
                var word = content.AsSpan(start, i - start);
                if (word.Length <= MaxStackWord)
                {
                    var key = lower[..word.Length];
                    System.Text.Ascii.ToLower(word, key, out _);
                    stems.Add(_wordsBySpan.TryGetValue(key, out int id) ? id : Learn(new string(key)));
                }
                else
                {
                    string key = word.ToString().ToLowerInvariant();
                    stems.Add(_words.TryGetValue(key, out int id) ? id : Learn(key));
                }

                words++;
            }

            return words;
        }

        foreach (var token in SearchText.Tokenize(content))
        {
            stems.Add(_words.TryGetValue(token.Word, out int id) ? id : Learn(token.Word));
            words++;
        }

        return words;
    }

    private int Learn(string word)
    {
        int id = _stems.GetOrAdd(PorterStemmer.Stem(word), static (_, vocabulary) => Interlocked.Increment(ref vocabulary._next), this);
        _words.TryAdd(word, id);
        return id;
    }
}
