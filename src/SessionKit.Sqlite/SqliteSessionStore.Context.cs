using System.Collections.ObjectModel;
using Microsoft.Data.Sqlite;
using SessionKit.Storage;

namespace SessionKit.Sqlite;

// A context build's first read: the session, its newest messages and each summary level's newest summaries, on one pooled
// reader connection in one read transaction, in two statements when nothing changed: the session row with where the newest
// summary of each level ends (one index seek per level, in the same statement), then in one UNION ALL the summaries each
// level holds after the next level's newest, the part of the level a build uses. A level whose newest summary the next
// level already covers (in a long history most are: every roll-up ends where the finer level's newest ends) reads no row;
// the snapshot states where its newest ends instead, which is all a build needs of it. The newest messages are read only when the session changed since the last build: its version (bumped, in the
// same transaction, by every write that touches its messages) proves the list this store read before is still the session's
// newest; when every change since then was an append (the change log has one row per version), only the appended rows are
// read. Rows already decoded by an earlier build are reused when the row read now has the same id and revision, so a build
// that finds the window unchanged decodes no text.
public sealed partial class SqliteSessionStore
{
    // Levels answered by the session statement and read by one frontier statement; a deeper history (ten levels of roll-ups
    // of 10 is 10^9 messages) reads its levels one statement each.
    private const int SnapshotStatementLevels = 8;

    // The session, then max(to_sequence) of levels 1..8 (null where a level is empty): the session's columns come first.
    private static readonly string SnapshotSessionProbeSql = BuildSessionProbeSql();

    // By the number of levels with summaries after the next level's newest (1..8), each such level (a parameter, so the text
    // depends only on how many) from its newest back to the next level's newest, excluded, at most MaxContextSnapshotRows + 1
    // each (the extra one tells where the level stops being complete).
    internal static readonly string[] SnapshotFrontierSql = BuildFrontierSql();

    // The identity first (id, sequence, revision, token count): a row found in the cache needs nothing else decoded.
    private const string SnapshotMessagesSql =
        "/* context */ SELECT " + SqliteRows.MessageColumns + " FROM messages WHERE session_id = $id AND sequence <= $last ORDER BY sequence DESC;";

    private const string SnapshotAppendedSql =
        "/* context */ SELECT " + SqliteRows.MessageColumns + " FROM messages WHERE session_id = $id AND sequence > $after AND sequence <= $last ORDER BY sequence DESC;";

    // What changed since a version: only appends (and changes that leave messages alone) let the cached newest messages stand.
    private const string SnapshotChangesSql =
        "/* context */ SELECT kind FROM session_changes WHERE session_id = $id AND version > $after AND version <= $version;";

    private const string SnapshotLevelProbeSql = "/* context */ SELECT max(to_sequence) FROM summaries WHERE session_id = $id AND level = $level;";

    private const string SnapshotSummariesSql =
        "/* context */ SELECT " + SqliteRows.SummaryColumns + " FROM summaries WHERE session_id = $id AND level = $level ORDER BY to_sequence DESC;";

    // Summary levels grow by a factor of the roll-up size (at least 2): this is far more than any history has.
    private const int MaxSnapshotLevels = 64;

    private const int SessionColumnCount = 12;

    // About the windows of a few dozen busy sessions; a slot holds a reference, so an empty cache costs 16 KB + 4 KB + 1 KB.
    private readonly DecodedRowCache<SessionMessage> _messageRows = new(2048);
    private readonly DecodedRowCache<SessionSummary> _summaryRows = new(512);
    private readonly DecodedRowCache<NewestMessages> _newestMessages = new(128);

    /// <inheritdoc />
    protected override Task<ContextSnapshot> ReadContextSnapshotCoreAsync(Guid sessionId, int tokenBudget, CancellationToken cancellationToken) =>
        ReadAsync(
            (Store: this, SessionId: sessionId, TokenBudget: tokenBudget),
            static (connection, transaction, state) => state.Store.ReadSnapshot(connection, transaction, state.SessionId, state.TokenBudget),
            cancellationToken);

    /// <summary>Drops every decoded row from memory; called after erasing or deleting, so the content does not outlive its rows here.</summary>
    private void ForgetDecodedRows()
    {
        _messageRows.Clear();
        _summaryRows.Clear();
        _newestMessages.Clear();
        ForgetLexicalWindows();
        UserKey.Forget();
    }

    private ContextSnapshot ReadSnapshot(StoreConnection connection, SqliteTransaction transaction, Guid sessionId, int tokenBudget)
    {
        byte[] id = SqliteRows.Id(sessionId);
        Session session;
        Span<long> newestTo = stackalloc long[MaxSnapshotLevels];
        int top = 0;
        var sessionCommand = connection.Prepared(SnapshotSessionProbeSql, transaction, "$id");
        sessionCommand.Parameters[0].Value = id;
        using (var reader = sessionCommand.ExecuteReader())
        {
            session = reader.Read() ? SqliteRows.ReadSession(reader) : throw new SessionNotFoundException(sessionId);
            while (top < SnapshotStatementLevels && !reader.IsDBNull(SessionColumnCount + top))
            {
                newestTo[top] = reader.GetInt64(SessionColumnCount + top);
                top++;
            }
        }

        var (messages, messagesFrom) = ReadNewestMessages(connection, transaction, id, session, tokenBudget);
        return new ContextSnapshot
        {
            Session = session,
            NewestMessages = messages,
            MessagesFrom = messagesFrom,
            SummaryLevels = top < SnapshotStatementLevels
                ? ReadFrontier(connection, transaction, id, sessionId, newestTo[..top], tokenBudget)
                    ?? ReadSummaryLevels(connection, transaction, id, sessionId, tokenBudget)
                : ReadSummaryLevels(connection, transaction, id, sessionId, tokenBudget),
        };
    }

    private (IReadOnlyList<SessionMessage> Messages, long From) ReadNewestMessages(
        StoreConnection connection, SqliteTransaction transaction, byte[] id, Session session, int tokenBudget)
    {
        var cached = _newestMessages.Get(session.Id);
        if (cached is not null && cached.SessionId == session.Id && cached.CreatedAt == session.CreatedAt)
        {
            if (cached.Version == session.Version && cached.LastSequence == session.LastSequence)
            {
                if (cached.TokenBudget == tokenBudget)
                {
                    return (cached.Messages, cached.From);
                }

                if (Extend([], cached, tokenBudget) is { } resized)
                {
                    return Remember(session, tokenBudget, resized);
                }
            }
            else if (cached.Version < session.Version && cached.LastSequence <= session.LastSequence
                && OnlyAppendedSince(connection, transaction, id, cached.Version, session.Version))
            {
                var appended = ReadMessages(connection, transaction, SnapshotAppendedSql, id, session.Id, cached.LastSequence, session.LastSequence, tokenBudget, out long appendedFrom);
                if (appendedFrom > cached.LastSequence + 1)
                {
                    // The appended rows alone fill the budget.
                    return Remember(session, tokenBudget, (appended, appendedFrom));
                }

                if (appended.Count == session.LastSequence - cached.LastSequence && Extend(appended, cached, tokenBudget) is { } extended)
                {
                    return Remember(session, tokenBudget, extended);
                }
            }
        }

        var read = ReadMessages(connection, transaction, SnapshotMessagesSql, id, session.Id, after: null, session.LastSequence, tokenBudget, out long from);
        return Remember(session, tokenBudget, (read, from));
    }

    private (IReadOnlyList<SessionMessage> Messages, long From) Remember(Session session, int tokenBudget, (List<SessionMessage> Messages, long From) read)
    {
        var messages = new ReadOnlyCollection<SessionMessage>(read.Messages);
        _newestMessages.Set(session.Id, new NewestMessages(session.Id, session.CreatedAt, session.Version, session.LastSequence, tokenBudget, messages, read.From));
        return (messages, read.From);
    }

    // The newest messages as the snapshot reads them (until their stored counts pass the budget, at least one, at most
    // MaxContextSnapshotRows) from the appended rows followed by an earlier read's; null when that read ends too soon.
    private static (List<SessionMessage> Messages, long From)? Extend(List<SessionMessage> appended, NewestMessages cached, int tokenBudget)
    {
        long tokens = 0;
        foreach (var message in appended)
        {
            tokens += message.TokenCount;
        }

        var earlier = cached.Messages;
        for (int i = 0; i < earlier.Count; i++)
        {
            if (appended.Count > 0 && (tokens > tokenBudget || appended.Count >= MaxContextSnapshotRows))
            {
                return (appended, earlier[i].Sequence + 1);
            }

            appended.Add(earlier[i]);
            tokens += earlier[i].TokenCount;
        }

        // Every earlier row taken: whole only if that read reached the start of the session.
        return cached.From == 1 ? (appended, 1) : null;
    }

    private static bool OnlyAppendedSince(StoreConnection connection, SqliteTransaction transaction, byte[] id, long after, long version)
    {
        var command = connection.Prepared(SnapshotChangesSql, transaction, "$id", "$after", "$version");
        command.Parameters[0].Value = id;
        command.Parameters[1].Value = after;
        command.Parameters[2].Value = version;
        long rows = 0;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows++;
            if ((SessionChangeKind)reader.GetInt32(0) is not (SessionChangeKind.MessagesAppended or SessionChangeKind.SessionUpdated
                or SessionChangeKind.StateSet or SessionChangeKind.StateDeleted))
            {
                return false;
            }
        }

        // A version without its change row (a retention sweep) may have changed anything.
        return rows == version - after;
    }

    private List<SessionMessage> ReadMessages(
        StoreConnection connection, SqliteTransaction transaction, string sql, byte[] id, Guid sessionId, long? after, long lastSequence, int tokenBudget, out long from)
    {
        var command = after is null
            ? connection.Prepared(sql, transaction, "$id", "$last")
            : connection.Prepared(sql, transaction, "$id", "$last", "$after");
        command.Parameters[0].Value = id;
        command.Parameters[1].Value = lastSequence;
        if (after is { } afterSequence)
        {
            command.Parameters[2].Value = afterSequence;
        }

        var messages = new List<SessionMessage>(after is null ? 64 : 4);
        long tokens = 0;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            long sequence = reader.GetInt64(2);
            if (messages.Count > 0 && (tokens > tokenBudget || messages.Count >= MaxContextSnapshotRows))
            {
                from = sequence + 1;
                return messages;
            }

            var messageId = SqliteRows.ReadGuid(reader, 0);
            int revision = reader.GetInt32(12);
            var message = _messageRows.Get(messageId);
            if (message is null || message.Id != messageId || message.Revision != revision || message.SessionId != sessionId || message.Sequence != sequence)
            {
                message = SqliteRows.ReadMessage(reader);
                _messageRows.Set(messageId, message);
            }

            messages.Add(message);
            tokens += message.TokenCount;
        }

        from = after is { } a ? a + 1 : 1;
        return messages;
    }

    // Every level's frontier in one statement (levels ascending, each newest first), or null if the rows did not come in
    // that order or disagree with the probe, in which case the caller reads level by level.
    private List<ContextSnapshotLevel>? ReadFrontier(
        StoreConnection connection, SqliteTransaction transaction, byte[] id, Guid sessionId, ReadOnlySpan<long> newestTo, int tokenBudget)
    {
        int top = newestTo.Length;
        var levels = new List<ContextSnapshotLevel>(top + 1);

        // One arm per level with summaries after the next level's newest: the coarsest, and each finer one whose newest ends later.
        int arms = 0;
        for (int level = 1; level <= top; level++)
        {
            if (newestTo[level - 1] > CoarserThrough(newestTo, level))
            {
                arms++;
            }
        }

        SqliteDataReader? reader = null;
        if (arms > 0)
        {
            var command = connection.Prepared(SnapshotFrontierSql[arms - 1], transaction, FrontierParameterNames.AsSpan(0, 1 + (2 * arms)));
            command.Parameters[0].Value = id;
            for (int level = 1, arm = 0; level <= top; level++)
            {
                long coarserThrough = CoarserThrough(newestTo, level);
                if (newestTo[level - 1] > coarserThrough)
                {
                    arm++;
                    command.Parameters[(2 * arm) - 1].Value = level;
                    command.Parameters[2 * arm].Value = coarserThrough;
                }
            }

            reader = command.ExecuteReader();
        }

        using (reader)
        {
            bool more = reader?.Read() ?? false;
            for (int level = 1; level <= top; level++)
            {
                long coarserThrough = CoarserThrough(newestTo, level);
                long newest = newestTo[level - 1];
                if (newest <= coarserThrough)
                {
                    // Every summary of this level ends at or before the next level's newest: none is in a build's frontier.
                    levels.Add(new ContextSnapshotLevel { Level = level, Summaries = [], CompleteFrom = coarserThrough + 1, NewestTo = newest });
                    continue;
                }

                if (reader is null)
                {
                    return null;
                }

                var summaries = new List<SessionSummary>(8);
                long tokens = 0;
                long completeFrom = coarserThrough + 1;
                long previousTo = long.MaxValue;
                bool stopped = false;
                for (; more; more = reader.Read())
                {
                    int rowLevel = reader.GetInt32(2);
                    if (rowLevel != level)
                    {
                        if (rowLevel < level)
                        {
                            return null;
                        }

                        break;
                    }

                    long to = reader.GetInt64(4);
                    if (to >= previousTo)
                    {
                        return null;
                    }

                    previousTo = to;
                    if (stopped)
                    {
                        continue;
                    }

                    if (summaries.Count > 0 && (tokens > tokenBudget || summaries.Count >= MaxContextSnapshotRows))
                    {
                        completeFrom = to + 1;
                        stopped = true;
                        continue;
                    }

                    var summary = ReadCachedSummary(reader, sessionId, level, to);
                    summaries.Add(summary);
                    tokens += summary.TokenCount;
                }

                if (summaries.Count == 0 || summaries[0].ToSequence != newest)
                {
                    // The probe saw a newer summary of this level: not possible in one transaction, so read it the plain way.
                    return null;
                }

                levels.Add(new ContextSnapshotLevel { Level = level, Summaries = summaries, CompleteFrom = completeFrom, NewestTo = newest });
            }

            if (more)
            {
                return null;
            }
        }

        levels.Add(new ContextSnapshotLevel { Level = top + 1, Summaries = [], CompleteFrom = 1, NewestTo = 0 });
        return levels;
    }

    // Where the next level's newest summary ends (0 past the coarsest level): a build uses only what a level holds after it.
    private static long CoarserThrough(ReadOnlySpan<long> newestTo, int level) => level < newestTo.Length ? newestTo[level] : 0;

    private SessionSummary ReadCachedSummary(SqliteDataReader reader, Guid sessionId, int level, long to)
    {
        var summaryId = SqliteRows.ReadGuid(reader, 0);
        var summary = _summaryRows.Get(summaryId);
        if (summary is null || summary.Id != summaryId || summary.SessionId != sessionId || summary.Level != level || summary.ToSequence != to)
        {
            summary = SqliteRows.ReadSummary(reader);
            _summaryRows.Set(summaryId, summary);
        }

        return summary;
    }

    private List<ContextSnapshotLevel> ReadSummaryLevels(StoreConnection connection, SqliteTransaction transaction, byte[] id, Guid sessionId, int tokenBudget)
    {
        // The newest summary of each level, finest first, up to the first level that has none (an index seek each).
        var probe = connection.Prepared(SnapshotLevelProbeSql, transaction, "$id", "$level");
        probe.Parameters[0].Value = id;
        Span<long> newestTo = stackalloc long[MaxSnapshotLevels];
        int top = 0;
        while (top < MaxSnapshotLevels)
        {
            probe.Parameters[1].Value = top + 1;
            using var reader = probe.ExecuteReader();
            if (!reader.Read() || reader.IsDBNull(0))
            {
                break;
            }

            newestTo[top++] = reader.GetInt64(0);
        }

        var levels = new List<ContextSnapshotLevel>(top + 1);
        var command = connection.Prepared(SnapshotSummariesSql, transaction, "$id", "$level");
        command.Parameters[0].Value = id;
        for (int level = 1; level <= top; level++)
        {
            // Back to the newest summary of the next level (what a build's frontier needs), and at least one.
            long coarserThrough = level < top ? newestTo[level] : 0;
            command.Parameters[1].Value = level;
            var summaries = new List<SessionSummary>(16);
            long tokens = 0;
            long completeFrom = 1;
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    long to = reader.GetInt64(4);
                    if (summaries.Count > 0 && (to <= coarserThrough || tokens > tokenBudget || summaries.Count >= MaxContextSnapshotRows))
                    {
                        completeFrom = to + 1;
                        break;
                    }

                    var summary = ReadCachedSummary(reader, sessionId, level, to);
                    summaries.Add(summary);
                    tokens += summary.TokenCount;
                }
            }

            levels.Add(new ContextSnapshotLevel { Level = level, Summaries = summaries, CompleteFrom = completeFrom });
        }

        if (top < MaxSnapshotLevels)
        {
            levels.Add(new ContextSnapshotLevel { Level = top + 1, Summaries = [], CompleteFrom = 1 });
        }

        return levels;
    }

    private static readonly string[] FrontierParameterNames = ["$id", .. Enumerable.Range(1, SnapshotStatementLevels).SelectMany(arm => new[] { "$l" + arm, "$c" + arm })];

    private static string BuildSessionProbeSql() =>
        "/* context */ SELECT " + SqliteRows.SessionColumns + ", " +
        string.Join(", ", Enumerable.Range(1, SnapshotStatementLevels).Select(level => $"(SELECT max(to_sequence) FROM summaries WHERE session_id = $id AND level = {level})")) +
        " FROM sessions WHERE id = $id;";

    private static string[] BuildFrontierSql() =>
        [.. Enumerable.Range(1, SnapshotStatementLevels).Select(arms =>
            "/* context */ " + string.Join(" UNION ALL ", Enumerable.Range(1, arms).Select(arm =>
                $"SELECT * FROM (SELECT {SqliteRows.SummaryColumns} FROM summaries WHERE session_id = $id AND level = $l{arm} AND to_sequence > $c{arm} " +
                $"ORDER BY to_sequence DESC LIMIT {MaxContextSnapshotRows + 1})")) + ";")];

    // The newest messages one read found for a session, and what identified the session then.
    private sealed record NewestMessages(
        Guid SessionId, DateTimeOffset CreatedAt, long Version, long LastSequence, int TokenBudget, ReadOnlyCollection<SessionMessage> Messages, long From);
}
