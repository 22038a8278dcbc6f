using Microsoft.Data.Sqlite;

namespace SessionKit.Sqlite;

// The lexical window cache behind bounded user-wide searches: a user's newest messages, tokenized once, kept current by
// reading what changed since (the sessions whose version moved) instead of matching and reading every candidate again.
public sealed partial class SqliteSessionStore
{
    // A user with more sessions than this is searched without a window: checking them all would cost more than it saves.
    private const int MaxWindowSessions = 4_096;

    private const string UserSessionsSql = "SELECT id, version, last_sequence FROM sessions WHERE user_id = $user_id;";

    private const string WindowRowsSql =
        "SELECT m.row_id, m.content, m.created_at, m.session_id, m.sequence FROM (SELECT rowid AS r FROM messages_fts WHERE messages_fts MATCH $user ORDER BY rowid DESC LIMIT $bound) f " +
        "JOIN messages m ON m.row_id = f.r;";

    private const string SessionRowsSql =
        "SELECT row_id, content, created_at, session_id, sequence FROM messages WHERE session_id = $id AND sequence > $after ORDER BY sequence DESC LIMIT $bound;";

    private readonly LexicalWindowCache _lexicalWindows = new();
    private int _lexicalWindowsBuilt;
    private int _lexicalWindowsRefreshed;
    private int _lexicalWindowsReused;

    /// <summary>Whether bounded user-wide searches use lexical windows (tests turn it off to compare).</summary>
    internal bool CacheLexicalWindows { get; set; } = true;

    /// <summary>How many windows were read whole, brought up to date from what changed, and used as they were.</summary>
    internal (int Built, int Refreshed, int Reused) LexicalWindowCounts =>
        (Volatile.Read(ref _lexicalWindowsBuilt), Volatile.Read(ref _lexicalWindowsRefreshed), Volatile.Read(ref _lexicalWindowsReused));

    /// <summary>
    /// The user's lexical window as of this transaction: the cached one when the user's sessions are as it saw them,
    /// brought up to date when they are not, read whole on the user's second search or when a change cannot be followed;
    /// <see langword="null"/> on a user's first search, or when the user has too many sessions (then search without).
    /// </summary>
    private LexicalWindow? LexicalWindowFor(StoreConnection connection, SqliteTransaction transaction, string userId, string userKey, int bound)
    {
        if (!CacheLexicalWindows)
        {
            return null;
        }

        var generation = _lexicalWindows.Current;
        var sessions = ReadUserSessions(connection, transaction, userId);
        if (sessions is null)
        {
            _lexicalWindows.Remove(generation, userKey);
            return null;
        }

        var cached = _lexicalWindows.Get(generation, userKey);
        if (cached is not null && cached.Bound == bound && ReferenceEquals(cached.Vocabulary, generation.Vocabulary))
        {
            if (cached.IsCurrent(sessions))
            {
                Interlocked.Increment(ref _lexicalWindowsReused);
                return cached;
            }

            if (Refresh(connection, transaction, cached, sessions) is { } refreshed)
            {
                Interlocked.Increment(ref _lexicalWindowsRefreshed);
                _lexicalWindows.Put(generation, userKey, refreshed);
                return refreshed;
            }
        }
        else if (!_lexicalWindows.SeenBefore(generation, userKey))
        {
            return null;
        }

        var rows = new List<LexicalWindow.Row>(bound);
        var read = connection.Command(WindowRowsSql, transaction);
        read.Parameters.AddWithValue("$user", "user_key : \"" + userKey + "\"");
        read.Parameters.AddWithValue("$bound", bound);
        ReadWindowRows(read, generation.Vocabulary, rows);
        var built = Window(bound, rows, sessions, generation.Vocabulary);
        Interlocked.Increment(ref _lexicalWindowsBuilt);
        _lexicalWindows.Put(generation, userKey, built);
        return built;
    }

    /// <summary>
    /// Brings <paramref name="cached"/> up to date with <paramref name="sessions"/>: a session that only gained messages
    /// gives its new rows; a new session (created, forked, transferred in), or one changed otherwise (edit, delete,
    /// rewind, retention), gives its newest rows again, in place of the ones cached; a session gone takes its rows with
    /// it. <see langword="null"/> when the window cannot be completed from that (rows left the window, so older rows
    /// that were never read would enter it): the caller reads it whole.
    /// </summary>
    private static LexicalWindow? Refresh(StoreConnection connection, SqliteTransaction transaction, LexicalWindow cached, Dictionary<Guid, LexicalWindow.SessionMark> sessions)
    {
        int bound = cached.Bound;
        HashSet<Guid>? replaced = null;
        var added = new List<LexicalWindow.Row>();
        SqliteCommand? rows = null;
        foreach (var (id, mark) in sessions)
        {
            long after = 0;
            if (cached.Sessions.TryGetValue(id, out var seen))
            {
                if (seen == mark)
                {
                    continue;
                }

                // The same test the context snapshot makes before it extends its cached newest messages.
                if (mark.Version > seen.Version && OnlyAppendedSince(connection, transaction, SqliteRows.Id(id), seen.Version, mark.Version))
                {
                    after = seen.LastSequence;
                }
                else
                {
                    (replaced ??= []).Add(id);
                }
            }

            rows ??= connection.Command(SessionRowsSql, transaction);
            rows.Parameters.Clear();
            rows.Parameters.AddWithValue("$id", SqliteRows.Id(id));
            rows.Parameters.AddWithValue("$after", after);
            rows.Parameters.AddWithValue("$bound", bound);
            ReadWindowRows(rows, cached.Vocabulary, added);
        }

        var union = new List<LexicalWindow.Row>(cached.Rows.Length + added.Count);
        foreach (var row in cached.Rows)
        {
            if (sessions.ContainsKey(row.Session) && (replaced is null || !replaced.Contains(row.Session)))
            {
                union.Add(row);
            }
        }

        union.AddRange(added);

        // Every row of the user from the cached window's lowest row id up is here (a session read again gives its newest
        // rows, which outrank the rest of it), so the window is complete when at least the bound of them are.
        if (cached.From > 0 && union.Count(r => r.RowId >= cached.From) < bound)
        {
            return null;
        }

        return Window(bound, union, sessions, cached.Vocabulary);
    }

    // The newest `bound` rows of `rows`, newest first.
    private static LexicalWindow Window(int bound, List<LexicalWindow.Row> rows, Dictionary<Guid, LexicalWindow.SessionMark> sessions, LexicalVocabulary vocabulary)
    {
        rows.Sort(static (x, y) => y.RowId.CompareTo(x.RowId));
        if (rows.Count > bound)
        {
            rows.RemoveRange(bound, rows.Count - bound);
        }

        return new LexicalWindow(bound, rows.Count == bound ? rows[^1].RowId : 0, [.. rows], sessions, vocabulary);
    }

    private static Dictionary<Guid, LexicalWindow.SessionMark>? ReadUserSessions(StoreConnection connection, SqliteTransaction transaction, string userId)
    {
        var command = connection.Command(UserSessionsSql, transaction);
        command.Parameters.AddWithValue("$user_id", userId);
        var sessions = new Dictionary<Guid, LexicalWindow.SessionMark>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (sessions.Count == MaxWindowSessions)
            {
                return null;
            }

            sessions[new Guid((byte[])reader.GetValue(0), bigEndian: true)] = new LexicalWindow.SessionMark(reader.GetInt64(1), reader.GetInt64(2));
        }

        return sessions;
    }

    // Reads rows (row id, content, created at, session id, sequence) and tokenizes them; the text is not kept.
    private static void ReadWindowRows(SqliteCommand command, LexicalVocabulary vocabulary, List<LexicalWindow.Row> rows)
    {
        var stems = new List<int>(128);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            stems.Clear();
            int length = vocabulary.Tokenize(reader.GetString(1), stems);
            stems.Sort();
            int distinct = 0;
            for (int i = 0; i < stems.Count; i++)
            {
                if (i == 0 || stems[i] != stems[i - 1])
                {
                    distinct++;
                }
            }

            var ids = new int[distinct];
            var counts = new int[distinct];
            int at = -1;
            for (int i = 0; i < stems.Count; i++)
            {
                if (i == 0 || stems[i] != stems[i - 1])
                {
                    ids[++at] = stems[i];
                }

                counts[at]++;
            }

            var sessionId = (byte[])reader.GetValue(3);
            rows.Add(new LexicalWindow.Row(reader.GetInt64(0), reader.GetInt64(2), sessionId, new Guid(sessionId, bigEndian: true), reader.GetInt64(4), length, ids, counts));
        }
    }

    // After anything deletes text: windows hold deleted messages' stems.
    private void ForgetLexicalWindows() => _lexicalWindows.Clear();
}
