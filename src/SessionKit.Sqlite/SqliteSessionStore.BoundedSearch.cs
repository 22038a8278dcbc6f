using Microsoft.Data.Sqlite;
using SessionKit.Storage;

namespace SessionKit.Sqlite;

public sealed partial class SqliteSessionStore
{
    /// <summary>The default <see cref="BoundedSearchRows"/>: the newest messages in scope a bounded search ranks.</summary>
    internal const int DefaultBoundedSearchRows = 1_000;

    /// <summary>
    /// How many of the newest messages in scope (the user, or the one session) a bounded search ranks besides older rows
    /// holding a rare query word; also the store-wide message count up to which query words count as rare. Tests lower it.
    /// </summary>
    internal int BoundedSearchRows { get; set; } = DefaultBoundedSearchRows;

    // FTS5's averages record (id 1: row count and token totals) and structure record (id 10: its segments and a counter
    // of segments written, which every committed change to the index advances).
    private const string IndexStateSql = "SELECT (SELECT block FROM messages_fts_data WHERE id = 1), (SELECT block FROM messages_fts_data WHERE id = 10);";

    // The most words whose document counts are kept between searches.
    private const int MaxCountedTerms = 4_096;

    private TermCounts? _termCounts;
    private const string UserCutoffSql = "SELECT rowid FROM messages_fts WHERE messages_fts MATCH $user ORDER BY rowid DESC LIMIT 1 OFFSET $skip;";
    private const string SessionCutoffSql =
        "SELECT CASE WHEN count(*) < $bound THEN 0 ELSE min(row_id) END FROM (SELECT row_id FROM messages WHERE session_id = $session_id ORDER BY sequence DESC LIMIT $bound);";

    private const string TermCountSql = "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH $phrase;";
    private const string NewerCandidatesSql =
        "SELECT m.row_id, m.content, m.created_at, m.session_id, m.sequence FROM messages_fts JOIN messages m ON m.row_id = messages_fts.rowid " +
        "WHERE messages_fts MATCH $match AND messages_fts.rowid >= $from;";

    private const string OlderCandidatesSql =
        "SELECT m.row_id, m.content, m.created_at, m.session_id, m.sequence FROM messages_fts JOIN messages m ON m.row_id = messages_fts.rowid " +
        "WHERE messages_fts MATCH $match AND messages_fts.rowid < $from;";

    private const string NewerSessionCandidatesSql =
        "SELECT m.row_id, m.content, m.created_at, m.session_id, m.sequence FROM messages_fts JOIN messages m ON m.row_id = messages_fts.rowid " +
        "WHERE messages_fts MATCH $match AND messages_fts.rowid >= $from AND m.session_id = $session_id;";

    private const string OlderSessionCandidatesSql =
        "SELECT m.row_id, m.content, m.created_at, m.session_id, m.sequence FROM messages_fts JOIN messages m ON m.row_id = messages_fts.rowid " +
        "WHERE messages_fts MATCH $match AND messages_fts.rowid < $from AND m.session_id = $session_id;";

    // The page's rows in one statement: their ids as a JSON array, each looked up by primary key.
    private const string MessagesByRowSql = "SELECT " + SqliteRows.QualifiedMessageColumns + ", m.row_id FROM json_each($row_ids) r JOIN messages m ON m.row_id = r.value;";

    /// <summary>
    /// The search behind hybrid search's word half and the context builder's recall: it ranks the matches among the newest
    /// <see cref="BoundedSearchRows"/> messages in scope, plus every older match holding one of the query's rare words (its
    /// words taken rarest first for as long as they occur in at most <see cref="BoundedSearchRows"/> messages of the whole
    /// store together), as the PostgreSQL store does. FTS5's bm25() cannot be used for that: it recomputes every query
    /// word's document frequency by walking the word's posting list through a full cursor on each statement, a fixed cost
    /// larger than ranking the bounded rows. So FTS5 only finds the candidates and counts each word's documents, and the
    /// score is <see cref="Bm25"/>, FTS5's formula operation for operation over the same counts (the row count and token
    /// totals from FTS5's own averages record, each row's length as FTS5 counts it: its words plus the one-token user key):
    /// whenever the scope holds at most the bound, the ranking and scores are exactly those of the unbounded search. A
    /// user-wide search takes the newest rows from the user's lexical window when it has one (see
    /// <see cref="LexicalWindowFor"/>): the same rows, counted from the same text once, so the same scores.
    /// </summary>
    private SearchPage BoundedSearch(StoreConnection connection, SqliteTransaction transaction, string userId, string userKey, SearchQuery query, IReadOnlyList<string> terms, string[] stems, int offset)
    {
        int bound = BoundedSearchRows;
        byte[]? averages;
        byte[]? structure;
        using (var state = connection.Command(IndexStateSql, transaction).ExecuteReader())
        {
            state.Read();
            averages = state.IsDBNull(0) ? null : (byte[])state.GetValue(0);
            structure = state.IsDBNull(1) ? null : (byte[])state.GetValue(1);
        }

        if (averages is null || structure is null || !TryReadAverages(averages, out long rows, out long tokens) || rows == 0)
        {
            return SearchPage.Empty;
        }

        // Document counts are exact for the index state they were counted in; any write changes the structure record.
        var counts = Volatile.Read(ref _termCounts);
        if (counts is null || !counts.Matches(averages, structure) || counts.Count > MaxCountedTerms)
        {
            counts = new TermCounts(averages, structure);
            Volatile.Write(ref _termCounts, counts);
        }

        // A user-wide search ranks the newest rows from the user's lexical window when there is one (no candidate to
        // match or read: the window holds each row's stems and length), and reads only older rare-word rows.
        var window = query.SessionId is null ? LexicalWindowFor(connection, transaction, userId, userKey, bound) : null;
        long from = window?.From ?? Cutoff(connection, transaction, userKey, query.SessionId, bound);
        double averageLength = (double)tokens / (double)rows;

        // FTS5 counts a phrase's documents with its column filter, as bm25() does through xQueryPhrase.
        var idf = new double[terms.Count];
        var frequencyOrder = new (long Documents, int Index)[terms.Count];
        SqliteCommand? count = null;
        SqliteParameter? phrase = null;
        for (int i = 0; i < terms.Count; i++)
        {
            if (!counts.TryGet(terms[i], out long documents))
            {
                if (count is null)
                {
                    count = connection.Command(TermCountSql, transaction);
                    phrase = count.Parameters.Add("$phrase", SqliteType.Text);
                }

                phrase!.Value = "content : " + SqliteSearchSyntax.Quote(terms[i]);
                documents = Convert.ToInt64(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
                counts.Add(terms[i], documents);
            }

            idf[i] = Bm25.Idf(rows, documents);
            frequencyOrder[i] = (documents, i);
        }

        var candidates = new List<Candidate>();
        if (window is not null)
        {
            RankWindow(window, stems, idf, averageLength, candidates);
        }
        else
        {
            ReadCandidates(connection, transaction, query.SessionId is null ? NewerCandidatesSql : NewerSessionCandidatesSql, SqliteSearchSyntax.Match(userKey, terms), from, query.SessionId, candidates);
        }

        int ranked = window is null ? 0 : candidates.Count;
        if (from > 0)
        {
            // Older rows only for the rare words: rarest first while their messages, store-wide, stay within the bound.
            var rare = Bm25.RareTerms(frequencyOrder, bound).ConvertAll(index => terms[index]);

            if (rare.Count > 0)
            {
                ReadCandidates(connection, transaction, query.SessionId is null ? OlderCandidatesSql : OlderSessionCandidatesSql, SqliteSearchSyntax.Match(userKey, rare), from, query.SessionId, candidates);
            }
        }

        var frequencies = new int[stems.Length];
        for (int c = ranked; c < candidates.Count; c++)
        {
            var candidate = candidates[c];
            int length = CountTerms(candidate.Content, stems, frequencies);
            double score = 0;
            for (int i = 0; i < stems.Length; i++)
            {
                if (frequencies[i] > 0)
                {
                    score += Bm25.Term(idf[i], frequencies[i], length, averageLength);
                }
            }

            candidates[c] = candidate with { Score = score, Content = string.Empty };
        }

        candidates.Sort(Candidate.BestFirst);
        int end = Math.Min(candidates.Count, offset + query.Limit + 1);
        var hits = new List<SearchHit>(Math.Max(0, end - offset));
        if (end > offset)
        {
            var ids = new System.Text.StringBuilder("[");
            for (int i = offset; i < end; i++)
            {
                ids.Append(i > offset ? "," : string.Empty).Append(candidates[i].RowId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            var read = connection.Command(MessagesByRowSql, transaction);
            read.Parameters.AddWithValue("$row_ids", ids.Append(']').ToString());
            var messages = new Dictionary<long, SessionMessage>(end - offset);
            using (var reader = read.ExecuteReader())
            {
                while (reader.Read())
                {
                    messages[reader.GetInt64(SqliteRows.MessageColumnCount)] = SqliteRows.ReadMessage(reader);
                }
            }

            // No snippets: the callers of a bounded search (hybrid search's word half, the context builder's recall) cut
            // them, if at all, only for the hits they return.
            for (int i = offset; i < end; i++)
            {
                if (messages.TryGetValue(candidates[i].RowId, out var message))
                {
                    hits.Add(new SearchHit(message, candidates[i].Score, string.Empty));
                }
            }
        }

        bool more = hits.Count > query.Limit;
        if (more)
        {
            hits.RemoveAt(hits.Count - 1);
        }

        return SearchPageOf(hits, more ? offset + query.Limit : null);
    }

    /// <summary>
    /// Scores the window's rows that hold a query stem into <paramref name="candidates"/>: the same terms, added in the
    /// same order, as <see cref="CountTerms"/> counts them from the text, so the scores are those of the rows read.
    /// </summary>
    private static void RankWindow(LexicalWindow window, string[] stems, double[] idf, double averageLength, List<Candidate> candidates)
    {
        Span<int> ids = stems.Length <= 64 ? stackalloc int[stems.Length] : new int[stems.Length];
        bool any = false;
        for (int i = 0; i < stems.Length; i++)
        {
            ids[i] = window.Vocabulary.Find(stems[i]);
            any |= ids[i] >= 0;
        }

        if (!any)
        {
            return;
        }

        foreach (var row in window.Rows)
        {
            double score = 0;
            bool matched = false;
            for (int i = 0; i < ids.Length; i++)
            {
                int frequency = ids[i] < 0 ? 0 : row.Frequency(ids[i]);
                if (frequency > 0)
                {
                    score += Bm25.Term(idf[i], frequency, row.Length, averageLength);
                    matched = true;
                }
            }

            if (matched)
            {
                candidates.Add(new Candidate(row.RowId, string.Empty, row.CreatedAt, row.SessionId, row.Sequence, score));
            }
        }
    }

    // The smallest row id among the newest `bound` messages in scope, or 0 when the scope holds fewer.
    private static long Cutoff(StoreConnection connection, SqliteTransaction transaction, string userKey, Guid? sessionId, int bound)
    {
        SqliteCommand command;
        if (sessionId is { } session)
        {
            command = connection.Command(SessionCutoffSql, transaction);
            command.Parameters.AddWithValue("$session_id", SqliteRows.Id(session));
            command.Parameters.AddWithValue("$bound", bound);
        }
        else
        {
            command = connection.Command(UserCutoffSql, transaction);
            command.Parameters.AddWithValue("$user", "user_key : \"" + userKey + "\"");
            command.Parameters.AddWithValue("$skip", bound - 1);
        }

        return command.ExecuteScalar() is long cutoff ? cutoff : 0;
    }

    private static void ReadCandidates(StoreConnection connection, SqliteTransaction transaction, string sql, string match, long from, Guid? sessionId, List<Candidate> candidates)
    {
        var command = connection.Command(sql, transaction);
        command.Parameters.AddWithValue("$match", match);
        command.Parameters.AddWithValue("$from", from);
        if (sessionId is { } session)
        {
            command.Parameters.AddWithValue("$session_id", SqliteRows.Id(session));
        }

        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            candidates.Add(new Candidate(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), (byte[])reader.GetValue(3), reader.GetInt64(4), 0));
        }
    }

    /// <summary>
    /// Counts, into <paramref name="frequencies"/>, the words of <paramref name="content"/> whose stem is each of
    /// <paramref name="stems"/> (a stem that repeats is counted for each, as FTS5 counts two phrases), and returns the
    /// number of words, tokenized as FTS5's porter unicode61 tokenizer does.
    /// </summary>
    private static int CountTerms(string content, string[] stems, int[] frequencies)
    {
        Array.Clear(frequencies);
        int words = 0;
        if (System.Text.Ascii.IsValid(content))
        {
            int i = 0;
            while (SearchSnippet.NextAsciiWord(content, ref i, out int start))
            {
                // Stemming keeps a word's first letter and never makes it longer, so most words are ruled out by two
                // comparisons before the stemmer runs.
                var word = content.AsSpan(start, i - start);
                char first = (char)(word[0] | 0x20);
                for (int s = 0; s < stems.Length; s++)
                {
                    string stem = stems[s];
                    if (stem.Length != 0 && stem[0] == first && stem.Length <= word.Length && PorterStemmer.StemEquals(word, stem))
                    {
                        frequencies[s]++;
                    }
                }

                words++;
            }

            return words;
        }

        foreach (var token in SearchText.Tokenize(content))
        {
            string stem = PorterStemmer.Stem(token.Word);
            for (int s = 0; s < stems.Length; s++)
            {
                if (string.Equals(stem, stems[s], StringComparison.Ordinal))
                {
                    frequencies[s]++;
                }
            }

            words++;
        }

        return words;
    }

    /// <summary>Reads FTS5's averages record: the row count, then one token total per column (SQLite varints).</summary>
    private static bool TryReadAverages(byte[] record, out long rows, out long tokens)
    {
        int position = 0;
        tokens = 0;
        if (!TryReadVarint(record, ref position, out rows))
        {
            return false;
        }

        while (position < record.Length)
        {
            if (!TryReadVarint(record, ref position, out long column))
            {
                return false;
            }

            tokens += column;
        }

        return true;
    }

    private static bool TryReadVarint(byte[] data, ref int position, out long value)
    {
        ulong result = 0;
        for (int i = 0; i < 9; i++)
        {
            if (position >= data.Length)
            {
                value = 0;
                return false;
            }

            byte b = data[position++];
            if (i == 8)
            {
                result = (result << 8) | b;
                break;
            }

            result = (result << 7) | (uint)(b & 0x7F);
            if ((b & 0x80) == 0)
            {
                break;
            }
        }

        value = (long)result;
        return true;
    }

    /// <summary>
    /// How many messages hold each query word (in the content column), counted for one state of the FTS5 index: each
    /// count walks the word's whole posting list, as bm25() does on every statement, so searches that find the index
    /// unchanged reuse them.
    /// </summary>
    private sealed class TermCounts(byte[] averages, byte[] structure)
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

        public int Count => _counts.Count;

        public bool Matches(byte[] currentAverages, byte[] currentStructure) =>
            averages.AsSpan().SequenceEqual(currentAverages) && structure.AsSpan().SequenceEqual(currentStructure);

        public bool TryGet(string term, out long documents) => _counts.TryGetValue(term, out documents);

        public void Add(string term, long documents) => _counts[term] = documents;
    }

    private readonly record struct Candidate(long RowId, string Content, long CreatedAt, byte[] SessionId, long Sequence, double Score)
    {
        // The unbounded search's order: score, then newest first, then session id (as SQLite compares blobs), then sequence.
        public static int BestFirst(Candidate x, Candidate y)
        {
            int order = y.Score.CompareTo(x.Score);
            if (order == 0)
            {
                order = y.CreatedAt.CompareTo(x.CreatedAt);
            }

            if (order == 0)
            {
                order = y.SessionId.AsSpan().SequenceCompareTo(x.SessionId);
            }

            return order != 0 ? order : y.Sequence.CompareTo(x.Sequence);
        }
    }
}
