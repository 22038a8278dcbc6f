using System.Buffers;
using System.Text;

namespace SessionKit;

/// <summary>
/// Cuts the snippet of a search hit the way SQLite FTS5's <c>snippet(table, column, open, close, '…', 12)</c> does
/// (<c>fts5SnippetFunction</c> in <c>ext/fts5/fts5_aux.c</c>), so both stores show the same extract for the same hit.
/// </summary>
/// <remarks>
/// A window of <see cref="WindowTokens"/> words is chosen to hold the most distinct query terms (1000 points each, 1 per
/// repeat), centred on them, or starting at a sentence (a word after ". " or ": ") when that scores at least as well
/// (bonus 100, 120 for the first sentence). Matched words are wrapped in the markers, adjacent matches separately; a cut
/// end gets <see cref="Ellipsis"/>. Text before the first word is kept only when the window starts at the first word.
/// </remarks>
internal static class SearchSnippet
{
    [ThreadStatic]
    private static StringBuilder? t_builder;

    /// <summary>How many words a snippet shows at most.</summary>
    public const int WindowTokens = 12;

    /// <summary>Marks where the snippet cuts the text.</summary>
    public const char Ellipsis = '…';

    /// <summary>
    /// Builds the snippet of <paramref name="text"/> for a query, from the text alone: what a store runs on the page of
    /// hits it returns. ASCII text (the common case) is tokenized in place and a word is stemmed only when it could have
    /// a query stem (see <see cref="PorterStemmer.StemEquals"/>), so the cost is a scan of the text and a few stems, and
    /// the snippet string is the one allocation of note; other text takes the general path of <see cref="SearchTokenizer"/>.
    /// </summary>
    /// <param name="text">The message content.</param>
    /// <param name="phrases">The stems of the query terms, in query order (a stem may repeat).</param>
    /// <param name="open">Put before each matched word.</param>
    /// <param name="close">Put after each matched word.</param>
    /// <returns>The snippet, the same as <see cref="Build(string, List{SearchToken}, IReadOnlyList{string}, string, string)"/> gives.</returns>
    public static string Build(string text, IReadOnlyList<string> phrases, string open, string close)
    {
        if (!System.Text.Ascii.IsValid(text))
        {
            return Build(text, SearchTokenizer.Tokenize(text), phrases, open, close);
        }

        var bounds = ArrayPool<Range>.Shared.Rent(Math.Min(text.Length / 2 + 1, 4096));
        var instances = ArrayPool<(int Position, int Phrase)>.Shared.Rent(16);
        try
        {
            int tokens = 0;
            int found = 0;
            int i = 0;
            while (NextAsciiWord(text, ref i, out int start))
            {
                if (tokens == bounds.Length)
                {
                    Grow(ref bounds);
                }

                bounds[tokens] = new Range(start, i);
                var word = text.AsSpan(start, i - start);
                for (int phrase = 0; phrase < phrases.Count; phrase++)
                {
                    if (PorterStemmer.StemEquals(word, phrases[phrase]))
                    {
                        if (found == instances.Length)
                        {
                            Grow(ref instances);
                        }

                        instances[found++] = (tokens, phrase);
                    }
                }

                tokens++;
            }

            return Build(text, bounds.AsSpan(0, tokens), instances.AsSpan(0, found), phrases.Count, open, close);
        }
        finally
        {
            ArrayPool<Range>.Shared.Return(bounds);
            ArrayPool<(int Position, int Phrase)>.Shared.Return(instances);
        }
    }

    /// <summary>
    /// Finds the next word of ASCII <paramref name="text"/> at or after <paramref name="index"/>: ASCII word characters are
    /// letters and digits (the tokenizer's rule restricted to ASCII); anything else separates.
    /// </summary>
    /// <param name="text">ASCII text.</param>
    /// <param name="index">Where to look from; on return, just after the word found.</param>
    /// <param name="start">Where the word found starts; the word is <c>text[start..index]</c>.</param>
    /// <returns>Whether a word was found.</returns>
    internal static bool NextAsciiWord(string text, ref int index, out int start)
    {
        while (index < text.Length && !char.IsAsciiLetterOrDigit(text[index]))
        {
            index++;
        }

        start = index;
        while (index < text.Length && char.IsAsciiLetterOrDigit(text[index]))
        {
            index++;
        }

        return index > start;
    }

    /// <summary>Builds the snippet of <paramref name="text"/> for a query from its stemmed tokens.</summary>
    /// <param name="text">The message content.</param>
    /// <param name="tokens">Its tokens, from <see cref="SearchTokenizer.Tokenize"/>.</param>
    /// <param name="phrases">The stems of the query terms, in query order (a stem may repeat).</param>
    /// <param name="open">Put before each matched word.</param>
    /// <param name="close">Put after each matched word.</param>
    /// <returns>The snippet.</returns>
    public static string Build(string text, List<SearchToken> tokens, IReadOnlyList<string> phrases, string open, string close)
    {
        // FTS5's "instances": one per (position, query term) that matches, by position then term.
        var instances = new List<(int Position, int Phrase)>();
        var bounds = new Range[tokens.Count];
        for (int position = 0; position < tokens.Count; position++)
        {
            bounds[position] = new Range(tokens[position].Start, tokens[position].End);
            for (int phrase = 0; phrase < phrases.Count; phrase++)
            {
                if (string.Equals(tokens[position].Stem, phrases[phrase], StringComparison.Ordinal))
                {
                    instances.Add((position, phrase));
                }
            }
        }

        return Build(text, bounds, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(instances), phrases.Count, open, close);
    }

    // The snippet from the tokens' [start, end) ranges in the text and the matches, as fts5SnippetFunction picks it.
    private static string Build(string text, ReadOnlySpan<Range> tokens, ReadOnlySpan<(int Position, int Phrase)> instances, int phraseCount, string open, string close)
    {
        int size = tokens.Length;
        Span<bool> seen = phraseCount <= 64 ? stackalloc bool[phraseCount] : new bool[phraseCount];
        int bestScore = 0;
        int bestStart = 0;
        int scanned = 0;
        int sentence = 0;
        foreach (var (position, _) in instances)
        {
            int score = Score(instances, seen, position, size, out int adjusted);
            if (score > bestScore)
            {
                bestScore = score;
                bestStart = adjusted;
            }

            if (size > WindowTokens)
            {
                // The start of the sentence holding this match (instances come in position order, so the scan goes on
                // from where the last one stopped); the first word starts a sentence.
                for (; scanned < position; scanned++)
                {
                    if (StartsSentence(text, tokens, scanned + 1))
                    {
                        sentence = scanned + 1;
                    }
                }

                if (sentence < position)
                {
                    score = Score(instances, seen, sentence, size, out _) + (sentence == 0 ? 120 : 100);
                    if (score > bestScore)
                    {
                        bestScore = score;
                        bestStart = sentence;
                    }
                }
            }
        }

        return Highlight(text, tokens, instances, bestStart, open, close);
    }

    // fts5SnippetScore: scores the window of WindowTokens words from `from`, and proposes a start that centres its matches.
    private static int Score(ReadOnlySpan<(int Position, int Phrase)> instances, Span<bool> seen, int from, int size, out int adjusted)
    {
        seen.Clear();
        int score = 0;
        int first = -1;
        int last = 0;
        long end = (long)from + WindowTokens;
        foreach (var (position, phrase) in instances)
        {
            if (position >= from && position < end)
            {
                score += seen[phrase] ? 1 : 1000;
                seen[phrase] = true;
                first = first < 0 ? position : first;
                last = position + 1;
            }
        }

        long start = first - ((WindowTokens - (last - first)) / 2);
        if (start + WindowTokens > size)
        {
            start = size - WindowTokens;
        }

        adjusted = (int)Math.Max(start, 0);
        return score;
    }

    // fts5SentenceFinderCb: the first word, and every word after whitespace that follows a '.' or ':'.
    private static bool StartsSentence(string text, ReadOnlySpan<Range> tokens, int position)
    {
        if (position == 0)
        {
            return true;
        }

        int start = tokens[position].Start.Value;
        int i = start - 1;
        while (i >= 0 && text[i] is ' ' or '\t' or '\n' or '\r')
        {
            i--;
        }

        return i != start - 1 && i >= 0 && text[i] is '.' or ':';
    }

    // fts5HighlightCb over the window [start, start + WindowTokens - 1], with FTS5's coalesced instance iterator.
    private static string Highlight(string text, ReadOnlySpan<Range> tokens, ReadOnlySpan<(int Position, int Phrase)> instances, int start, string open, string close)
    {
        // One builder per thread, reused: the snippet string is then the only allocation.
        var output = t_builder ?? new StringBuilder(256);
        t_builder = null;
        output.Clear();
        int rangeEnd = start + WindowTokens - 1;
        var match = new MatchIterator(instances);
        if (start > 0)
        {
            output.Append(Ellipsis);
        }

        while (match.Start >= 0 && match.Start < start)
        {
            match.Next();
        }

        int copied = 0;
        bool isOpen = false;
        for (int position = start; position <= rangeEnd && position < tokens.Length; position++)
        {
            int tokenStart = tokens[position].Start.Value;
            int tokenEnd = tokens[position].End.Value;
            if (start != 0 && position == start)
            {
                copied = tokenStart;
            }

            if (isOpen && (position <= match.Start || match.Start < 0) && tokenStart > copied)
            {
                output.Append(close);
                isOpen = false;
            }

            if (position == match.Start && !isOpen)
            {
                output.Append(text, copied, tokenStart - copied).Append(open);
                copied = tokenStart;
                isOpen = true;
            }

            if (position == match.End)
            {
                if (!isOpen)
                {
                    output.Append(open);
                    isOpen = true;
                }

                output.Append(text, copied, tokenEnd - copied);
                copied = tokenEnd;
                match.Next();
            }

            if (position == rangeEnd)
            {
                if (isOpen)
                {
                    if (match.Start >= 0 && position >= match.Start)
                    {
                        output.Append(text, copied, tokenEnd - copied);
                        copied = tokenEnd;
                    }

                    output.Append(close);
                    isOpen = false;
                }

                output.Append(text, copied, tokenEnd - copied);
                copied = tokenEnd;
            }
        }

        if (isOpen)
        {
            output.Append(close);
        }

        if (rangeEnd >= tokens.Length - 1)
        {
            output.Append(text, copied, text.Length - copied);
        }
        else
        {
            output.Append(Ellipsis);
        }

        string snippet = output.ToString();
        if (output.Capacity <= 4096)
        {
            t_builder = output;
        }

        return snippet;
    }

    // fts5CInstIterNext: walks the matches in position order, merging matches that share a word into one.
    private ref struct MatchIterator
    {
        private readonly ReadOnlySpan<(int Position, int Phrase)> _instances;
        private int _next;

        public MatchIterator(ReadOnlySpan<(int Position, int Phrase)> instances)
        {
            _instances = instances;
            Start = -1;
            End = -1;
            Next();
        }

        public int Start { get; private set; }

        public int End { get; private set; }

        public void Next()
        {
            Start = -1;
            End = -1;
            while (_next < _instances.Length)
            {
                int position = _instances[_next].Position;
                if (Start < 0)
                {
                    Start = position;
                    End = position;
                }
                else if (position <= End)
                {
                    End = Math.Max(End, position);
                }
                else
                {
                    break;
                }

                _next++;
            }
        }
    }

    private static void Grow<T>(ref T[] array)
    {
        var larger = ArrayPool<T>.Shared.Rent(array.Length * 2);
        array.AsSpan().CopyTo(larger);
        ArrayPool<T>.Shared.Return(array);
        array = larger;
    }
}
