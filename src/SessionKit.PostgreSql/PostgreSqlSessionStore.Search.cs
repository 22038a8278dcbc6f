using System.Text;

namespace SessionKit.PostgreSql;

// Full-text search: candidates from the GIN index over (owner key, words) — only the searching user's postings are read —
// ranked by BM25 as SQLite FTS5 computes it (idf over every message of the store, k1 = 1.2, b = 0.75, the owner key counted
// as one word of every row), ties broken by recency, session id and sequence; snippets cut as FTS5 cuts them.
public sealed partial class PostgreSqlSessionStore
{
    private const double K1 = 1.2;
    private const double B = 0.75;
    private const double MinimumIdf = 1e-6;

    // The one-token owner key FTS5 counts in every SQLite row's length; kept here so both backends rank alike.
    private const int ScopeTokens = 1;

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
                var totals = await tx.FirstAsync(
                    tx.Cmd("SELECT coalesce(sum(doc_count), 0)::bigint, coalesce(sum(token_count), 0)::bigint FROM §search_stats;"),
                    static reader => new[] { reader.GetInt64(0), reader.GetInt64(1) }).ConfigureAwait(false);
                long documents = totals![0];
                if (documents <= 0)
                {
                    return SearchPageOf([], null);
                }

                var frequencies = (await tx.ListAsync(
                    tx.Cmd("SELECT stem, sum(doc_count)::bigint FROM §search_terms WHERE stem = ANY(@stems) GROUP BY stem;").TextArray("stems", stems),
                    static reader => (Stem: reader.GetString(0), Count: reader.GetInt64(1))).ConfigureAwait(false))
                    .ToDictionary(f => f.Stem, f => f.Count, StringComparer.Ordinal);
                var idfs = new double[stems.Length];
                for (int i = 0; i < stems.Length; i++)
                {
                    long matching = frequencies.GetValueOrDefault(stems[i]);
                    double idf = Math.Log((documents - matching + 0.5) / (matching + 0.5));
                    idfs[i] = idf <= 0.0 ? MinimumIdf : idf;
                }

                double averageLength = (totals[1] + ((double)documents * ScopeTokens)) / documents;

                // The score sums, term by term in query order, fts5Bm25Function's expression.
                var sql = new StringBuilder(
                    "SELECT " + PostgresRows.QualifiedMessageColumns + ", r.score FROM (" +
                    "SELECT c.session_id, c.sequence, c.created_at, (SELECT sum(q.idf * ((cardinality(v.positions)::float8 * (@k1 + 1.0::float8)) / (cardinality(v.positions)::float8 + (@k1 * ((1.0::float8 - @b) + (@b * (c.search_length + @scope)::float8 / @avg)))))) " +
                    "FROM unnest(@stems, @idfs) WITH ORDINALITY AS q(stem, idf, ord) JOIN unnest(c.search_vector) AS v ON v.lexeme = q.stem) AS score " +
                    "FROM §messages c WHERE c.user_key = @user_key AND c.search_vector @@ @query::tsquery");
                var command = tx.Cmd(string.Empty);
                PostgresRows.AppendMessageFilters(sql, command, "c.", query.SessionId, query.Role, query.Since, query.Until);

                sql.Append(" ORDER BY score DESC, c.created_at DESC, c.session_id DESC, c.sequence DESC LIMIT @limit OFFSET @offset) r ")
                    .Append("JOIN §messages m ON m.session_id = r.session_id AND m.sequence = r.sequence ")
                    .Append("ORDER BY r.score DESC, r.created_at DESC, r.session_id DESC, r.sequence DESC;");
                command.CommandText = SqlTextOf(sql.ToString());
                command.Text("user_key", UserKey.For(PgText.Encode(userId)))
                    .Text("query", SearchVector.Query(stems))
                    .TextArray("stems", stems)
                    .DoubleArray("idfs", idfs)
                    .Double("k1", K1)
                    .Double("b", B)
                    .Double("avg", averageLength)
                    .Int("scope", ScopeTokens)
                    .Int("limit", query.Limit + 1)
                    .Int("offset", offset);
                var rows = await tx.ListAsync(command, static reader => (Message: PostgresRows.ReadMessage(reader), Score: reader.GetDouble(PostgresRows.MessageColumnCount))).ConfigureAwait(false);

                bool more = rows.Count > query.Limit;
                if (more)
                {
                    rows.RemoveAt(rows.Count - 1);
                }

                var hits = new List<SearchHit>(rows.Count);
                foreach (var (message, score) in rows)
                {
                    string snippet = SearchSnippet.Build(message.Content, stems, query.HighlightStart, query.HighlightEnd);
                    hits.Add(new SearchHit(message, score, snippet));
                }

                return SearchPageOf(hits, more ? offset + query.Limit : null);
            },
            cancellationToken);
    }

    private string SqlTextOf(string text) => _sql[text];
}
