using System.Text;

namespace SessionKit.PostgreSql;

/// <summary>
/// The search document of a message: its words tokenized and stemmed exactly as the SQLite (FTS5 porter unicode61
/// remove_diacritics 2) and in-memory stores do, written as a <c>tsvector</c> literal. Each stem's positions are 1..n for its n
/// occurrences (PostgreSQL keeps at most 256 per lexeme), so the vector carries every stem's term frequency for BM25; the
/// word count is stored beside it. PostgreSQL's own parser and stemmer are not used, so every backend ranks and snippets alike.
/// </summary>
internal static class SearchVector
{
    // PostgreSQL limits: a lexeme is under 2 KB, a position list at most 256 entries, the whole vector under 1 MB.
    private const int MaxLexemeBytes = 2046;
    private const int MaxPositions = 256;
    private const int MaxVectorChars = 700_000;

    /// <summary>The <c>tsvector</c> literal and word count of <paramref name="content"/>.</summary>
    public static (string Vector, int Length) Build(string content)
    {
        var tokens = SearchTokenizer.Tokenize(content);
        if (tokens.Count == 0)
        {
            return (string.Empty, 0);
        }

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in tokens)
        {
            counts[token.Stem] = counts.GetValueOrDefault(token.Stem) + 1;
        }

        var vector = new StringBuilder();
        foreach (var (stem, count) in counts)
        {
            // A stem this long can never equal a query term (terms are cut to 64 characters), and PostgreSQL refuses it.
            if (Encoding.UTF8.GetByteCount(stem) > MaxLexemeBytes)
            {
                continue;
            }

            if (vector.Length + stem.Length > MaxVectorChars)
            {
                break;
            }

            if (vector.Length > 0)
            {
                vector.Append(' ');
            }

            AppendQuoted(vector, stem);
            vector.Append(':');
            int positions = Math.Min(count, MaxPositions);
            for (int p = 1; p <= positions; p++)
            {
                if (p > 1)
                {
                    vector.Append(',');
                }

                vector.Append(p);
            }
        }

        return (vector.ToString(), tokens.Count);
    }

    /// <summary>A <c>tsquery</c> literal matching any of <paramref name="stems"/>.</summary>
    public static string Query(IReadOnlyList<string> stems)
    {
        var query = new StringBuilder();
        foreach (string stem in stems.Distinct(StringComparer.Ordinal))
        {
            if (query.Length > 0)
            {
                query.Append(" | ");
            }

            AppendQuoted(query, stem);
        }

        return query.ToString();
    }

    // Quoted lexeme syntax: the text in single quotes, with quotes doubled and backslashes escaped, so no input is syntax.
    private static void AppendQuoted(StringBuilder builder, string lexeme)
    {
        builder.Append('\'');
        foreach (char c in lexeme)
        {
            if (c is '\'' or '\\')
            {
                builder.Append(c);
            }

            builder.Append(c);
        }

        builder.Append('\'');
    }
}
