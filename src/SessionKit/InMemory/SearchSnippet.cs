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
    /// <summary>How many words a snippet shows at most.</summary>
    public const int WindowTokens = 12;

    /// <summary>Marks where the snippet cuts the text.</summary>
    public const char Ellipsis = '…';

    /// <summary>Builds the snippet of <paramref name="text"/> for a query.</summary>
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
        for (int position = 0; position < tokens.Count; position++)
        {
            for (int phrase = 0; phrase < phrases.Count; phrase++)
            {
                if (string.Equals(tokens[position].Stem, phrases[phrase], StringComparison.Ordinal))
                {
                    instances.Add((position, phrase));
                }
            }
        }

        int size = tokens.Count;
        var sentences = SentenceStarts(text, tokens);
        var seen = new bool[phrases.Count];
        int bestScore = 0;
        int bestStart = 0;
        foreach (var (position, _) in instances)
        {
            int score = Score(instances, seen, position, size, out int adjusted);
            if (score > bestScore)
            {
                bestScore = score;
                bestStart = adjusted;
            }

            if (sentences.Count > 0 && size > WindowTokens)
            {
                int sentence = 0;
                while (sentence < sentences.Count - 1 && sentences[sentence + 1] <= position)
                {
                    sentence++;
                }

                if (sentences[sentence] < position)
                {
                    int first = sentences[sentence];
                    score = Score(instances, seen, first, size, out _) + (first == 0 ? 120 : 100);
                    if (score > bestScore)
                    {
                        bestScore = score;
                        bestStart = first;
                    }
                }
            }
        }

        return Highlight(text, tokens, instances, bestStart, open, close);
    }

    // fts5SnippetScore: scores the window of WindowTokens words from `from`, and proposes a start that centres its matches.
    private static int Score(List<(int Position, int Phrase)> instances, bool[] seen, int from, int size, out int adjusted)
    {
        Array.Clear(seen);
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
    private static List<int> SentenceStarts(string text, List<SearchToken> tokens)
    {
        var starts = new List<int>();
        for (int position = 0; position < tokens.Count; position++)
        {
            if (position == 0)
            {
                starts.Add(0);
                continue;
            }

            int i = tokens[position].Start - 1;
            while (i >= 0 && text[i] is ' ' or '\t' or '\n' or '\r')
            {
                i--;
            }

            if (i != tokens[position].Start - 1 && i >= 0 && text[i] is '.' or ':')
            {
                starts.Add(position);
            }
        }

        return starts;
    }

    // fts5HighlightCb over the window [start, start + WindowTokens - 1], with FTS5's coalesced instance iterator.
    private static string Highlight(string text, List<SearchToken> tokens, List<(int Position, int Phrase)> instances, int start, string open, string close)
    {
        var output = new StringBuilder();
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
        for (int position = start; position <= rangeEnd && position < tokens.Count; position++)
        {
            var token = tokens[position];
            if (start != 0 && position == start)
            {
                copied = token.Start;
            }

            if (isOpen && (position <= match.Start || match.Start < 0) && token.Start > copied)
            {
                output.Append(close);
                isOpen = false;
            }

            if (position == match.Start && !isOpen)
            {
                output.Append(text, copied, token.Start - copied).Append(open);
                copied = token.Start;
                isOpen = true;
            }

            if (position == match.End)
            {
                if (!isOpen)
                {
                    output.Append(open);
                    isOpen = true;
                }

                output.Append(text, copied, token.End - copied);
                copied = token.End;
                match.Next();
            }

            if (position == rangeEnd)
            {
                if (isOpen)
                {
                    if (match.Start >= 0 && position >= match.Start)
                    {
                        output.Append(text, copied, token.End - copied);
                        copied = token.End;
                    }

                    output.Append(close);
                    isOpen = false;
                }

                output.Append(text, copied, token.End - copied);
                copied = token.End;
            }
        }

        if (isOpen)
        {
            output.Append(close);
        }

        if (rangeEnd >= tokens.Count - 1)
        {
            output.Append(text, copied, text.Length - copied);
        }
        else
        {
            output.Append(Ellipsis);
        }

        return output.ToString();
    }

    // fts5CInstIterNext: walks the matches in position order, merging matches that share a word into one.
    private sealed class MatchIterator
    {
        private readonly List<(int Position, int Phrase)> _instances;
        private int _next;

        public MatchIterator(List<(int Position, int Phrase)> instances)
        {
            _instances = instances;
            Next();
        }

        public int Start { get; private set; } = -1;

        public int End { get; private set; } = -1;

        public void Next()
        {
            Start = -1;
            End = -1;
            while (_next < _instances.Count)
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
}
