using System.Text;
using SessionKit.Storage;

namespace SessionKit.PostgreSql;

// Full-text search, ranked by BM25 as SQLite FTS5 computes it (idf over every message of the store, k1 = 1.2, b = 0.75, the
// owner key counted as one word of every row), ties broken by recency, session id and sequence; snippets cut as FTS5 cuts them.
//
// The work of one search is bounded, whatever the query and however long the history. Candidates are (1) the matching rows
// among the newest CandidateWindow rows in scope (the user, or one session, with the role and time filters), read newest first
// through a B-tree index, and (2) every row holding one of the query's rare stems — those that, taken rarest first, occur in
// at most RareStemBudget messages of the whole store together, read through the GIN index over (owner key, words). So a
// search reads at most CandidateWindow + RareStemBudget rows, and the ranking is exact BM25 whenever every matching row is a
// candidate: always when the scope holds at most CandidateWindow rows, and in any case for every row with a rare query word
// (the words that carry a BM25 ranking). Only rows further back that match nothing but words found in more than
// RareStemBudget messages are not ranked. The database hands back each candidate's term frequencies for the query's stems
// alone (setweight + ts_filter, in C), and the scores are computed here.
public sealed partial class PostgreSqlSessionStore
{
    /// <summary>How many of the newest rows in scope a search ranks, whatever they match.</summary>
    internal const int CandidateWindow = 1_000;

    /// <summary>How many messages of the whole store the rare stems of a query may occur in together; their rows are all ranked.</summary>
    internal const int RareStemBudget = 1_000;

    /// <inheritdoc />
    protected override Task<SearchPage> SearchCoreAsync(string userId, SearchQuery query, IReadOnlyList<string> terms, int offset, CancellationToken cancellationToken)
    {
        var stems = new string[terms.Count];
        for (int i = 0; i < stems.Length; i++)
        {
            stems[i] = PorterStemmer.Stem(terms[i]);
        }

        return SnapshotAsync(
            async tx =>
            {
                // The store's totals and the query stems' message counts, in one round trip (one row even when no stem is known).
                var statistics = await tx.ListAsync(
                    tx.Cmd("SELECT s.documents, s.tokens, t.stem, t.messages FROM " +
                           "(SELECT coalesce(sum(doc_count), 0)::bigint AS documents, coalesce(sum(token_count), 0)::bigint AS tokens FROM §search_stats) s " +
                           "LEFT JOIN (SELECT stem, sum(doc_count)::bigint AS messages FROM §search_terms WHERE stem = ANY(@stems) GROUP BY stem) t ON true;")
                        .TextArray("stems", stems),
                    static reader => (Documents: reader.GetInt64(0), Tokens: reader.GetInt64(1), Stem: reader.IsDBNull(2) ? null : reader.GetString(2), Count: reader.IsDBNull(3) ? 0L : reader.GetInt64(3))).ConfigureAwait(false);
                long documents = statistics[0].Documents;
                if (documents <= 0)
                {
                    return SearchPageOf([], null);
                }

                var frequencies = statistics.Where(s => s.Stem is not null).ToDictionary(s => s.Stem!, s => s.Count, StringComparer.Ordinal);
                var idfs = new double[stems.Length];
                for (int i = 0; i < stems.Length; i++)
                {
                    idfs[i] = Bm25.Idf(documents, frequencies.GetValueOrDefault(stems[i]));
                }

                double averageLength = Bm25.AverageLength(statistics[0].Tokens, documents);
                string[] rare = RareStems(frequencies);
                var candidates = await CandidatesAsync(tx, userId, query, stems, rare).ConfigureAwait(false);
                if (candidates.Count == 0)
                {
                    return SearchPageOf([], null);
                }

                var ranked = Rank(candidates, stems, idfs, averageLength);
                int end = Math.Min(ranked.Count, offset + query.Limit + 1);
                if (offset >= end)
                {
                    return SearchPageOf([], null);
                }

                var page = ranked.GetRange(offset, end - offset);
                bool more = page.Count > query.Limit;
                if (more)
                {
                    page.RemoveAt(page.Count - 1);
                }

                var messages = (await tx.ListAsync(
                    tx.Cmd("SELECT " + PostgresRows.QualifiedMessageColumns + " FROM unnest(@session_ids, @sequences) AS k(session_id, sequence) " +
                           "JOIN §messages m ON m.session_id = k.session_id AND m.sequence = k.sequence;")
                        .UuidArray("session_ids", page.Select(c => c.SessionId).ToArray())
                        .LongArray("sequences", page.Select(c => c.Sequence).ToArray()),
                    PostgresRows.ReadMessage).ConfigureAwait(false))
                    .ToDictionary(m => (m.SessionId, m.Sequence));

                var hits = new List<SearchHit>(page.Count);
                foreach (var candidate in page)
                {
                    // Read in the same snapshot as the candidates, so every ranked row is there.
                    var message = messages[(candidate.SessionId, candidate.Sequence)];
                    string snippet = SearchSnippet.Build(message.Content, stems, query.HighlightStart, query.HighlightEnd);
                    hits.Add(new SearchHit(message, candidate.Score, snippet));
                }

                return SearchPageOf(hits, more ? offset + query.Limit : null);
            },
            cancellationToken);
    }

    /// <summary>The query's stems, rarest first, for as long as the messages holding them stay within <see cref="RareStemBudget"/>.</summary>
    private static string[] RareStems(Dictionary<string, long> frequencies)
    {
        var rare = new List<string>();
        long total = 0;
        foreach (var (stem, count) in frequencies.Where(f => f.Value > 0).OrderBy(f => f.Value).ThenBy(f => f.Key, StringComparer.Ordinal))
        {
            if (total + count > RareStemBudget)
            {
                break;
            }

            total += count;
            rare.Add(stem);
        }

        return [.. rare];
    }

    /// <summary>
    /// The candidate rows (see the file's opening comment) with, for each, its word count and the text of its search document
    /// cut down to the query's stems.
    /// </summary>
    private Task<List<Candidate>> CandidatesAsync(Tx tx, string userId, SearchQuery query, string[] stems, string[] rare)
    {
        const string Columns = "session_id, sequence, created_at, search_length, ts_filter(setweight(search_vector, 'A', @stems), '{a}')::text";
        var command = tx.Cmd(string.Empty);
        // The newest rows in scope, read newest first through (session, time) or (owner key, time): the LIMIT comes before
        // the word match, so this part reads at most CandidateWindow rows however many match.
        var sql = new StringBuilder("WITH w AS MATERIALIZED (SELECT c.session_id, c.sequence, c.created_at, c.search_length, c.search_vector FROM §messages c WHERE c.user_key = @user_key");
        PostgresRows.AppendMessageFilters(sql, command, "c.", query.SessionId, query.Role, query.Since, query.Until);
        sql.Append(" ORDER BY c.created_at DESC, c.session_id DESC, c.sequence DESC LIMIT @window) SELECT " + Columns + " FROM w WHERE search_vector @@ @query::tsquery");
        if (rare.Length > 0)
        {
            // Older rows with a rare stem, through the GIN index over (owner key, words): at most RareStemBudget of them. When
            // the window holds the whole scope, the row-valued subquery is empty (NULL) and this part reads nothing.
            sql.Append(" UNION ALL SELECT " + Columns + " FROM §messages c WHERE c.user_key = @user_key AND c.search_vector @@ @rare::tsquery");
            PostgresRows.AppendMessageFilters(sql, null, "c.", query.SessionId, query.Role, query.Since, query.Until);
            sql.Append(" AND (c.created_at, c.session_id, c.sequence) < (SELECT w.created_at, w.session_id, w.sequence FROM w ORDER BY w.created_at DESC, w.session_id DESC, w.sequence DESC OFFSET @window - 1 LIMIT 1)");
            command.Text("rare", SearchVector.Query(rare));
        }

        command.CommandText = SqlTextOf(sql.Append(';').ToString());
        command.Text("user_key", UserKey.For(PgText.Encode(userId)))
            .Text("query", SearchVector.Query(stems))
            .TextArray("stems", stems)
            .Int("window", CandidateWindow);
        return tx.ListAsync(command, static reader => new Candidate(reader.GetGuid(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt32(3), reader.GetString(4)));
    }

    /// <summary>Scores each candidate (summed term by term in query order) and sorts them as the page is ordered.</summary>
    /// <remarks>The candidates are distinct: the rare-word part reads only rows older than the window's last one.</remarks>
    private static List<Candidate> Rank(List<Candidate> candidates, string[] stems, double[] idfs, double averageLength)
    {
        var ranked = new List<Candidate>(candidates.Count);
        var frequencies = new int[stems.Length];
        foreach (var candidate in candidates)
        {
            Array.Clear(frequencies);
            TermFrequencies(candidate.Terms, stems, frequencies);
            double score = 0.0;
            for (int i = 0; i < stems.Length; i++)
            {
                if (frequencies[i] > 0)
                {
                    score += Bm25.Term(idfs[i], frequencies[i], candidate.Length, averageLength);
                }
            }

            ranked.Add(candidate with { Score = score });
        }

        ranked.Sort(static (a, b) =>
        {
            int order = b.Score.CompareTo(a.Score);
            if (order == 0)
            {
                order = b.CreatedAt.CompareTo(a.CreatedAt);
            }

            if (order == 0)
            {
                order = b.SessionId.CompareTo(a.SessionId);
            }

            return order != 0 ? order : b.Sequence.CompareTo(a.Sequence);
        });
        return ranked;
    }

    /// <summary>
    /// Reads a <c>tsvector</c>'s text form (<c>'lexeme':1A,2A 'other':1A</c>; quotes doubled, backslashes escaped) and sets,
    /// for every query stem it holds, the number of its positions.
    /// </summary>
    internal static void TermFrequencies(string vector, string[] stems, int[] frequencies)
    {
        var lexeme = new StringBuilder();
        int i = 0;
        while (i < vector.Length)
        {
            if (vector[i] != '\'')
            {
                i++;
                continue;
            }

            lexeme.Clear();
            i++;
            while (i < vector.Length)
            {
                char c = vector[i];
                if (c == '\'' && i + 1 < vector.Length && vector[i + 1] == '\'')
                {
                    lexeme.Append('\'');
                    i += 2;
                }
                else if (c == '\'')
                {
                    i++;
                    break;
                }
                else if (c == '\\' && i + 1 < vector.Length)
                {
                    lexeme.Append(vector[i + 1]);
                    i += 2;
                }
                else
                {
                    lexeme.Append(c);
                    i++;
                }
            }

            int positions = 0;
            if (i < vector.Length && vector[i] == ':')
            {
                positions = 1;
                for (i++; i < vector.Length && vector[i] != ' '; i++)
                {
                    if (vector[i] == ',')
                    {
                        positions++;
                    }
                }
            }

            string text = lexeme.ToString();
            for (int s = 0; s < stems.Length; s++)
            {
                if (string.Equals(stems[s], text, StringComparison.Ordinal))
                {
                    frequencies[s] = positions;
                }
            }
        }
    }

    private string SqlTextOf(string text) => _sql[text];

    private sealed record Candidate(Guid SessionId, long Sequence, long CreatedAt, int Length, string Terms, double Score = 0.0);
}
