using Microsoft.Data.Sqlite;
using SessionKit.Storage;

namespace SessionKit.Sqlite;

// A context build's first read: the session, its newest messages and each summary level's newest summaries, on one pooled
// reader connection in one read transaction, with three prepared statements (and one probe per level). Rows already
// decoded by an earlier build are reused when the row read now has the same id and revision, so a build that finds the
// window unchanged decodes no text.
public sealed partial class SqliteSessionStore
{
    private const string SnapshotSessionSql = "/* context */ SELECT " + SqliteRows.SessionColumns + " FROM sessions WHERE id = $id;";

    // The identity first (id, sequence, revision, token count): a row found in the cache needs nothing else decoded.
    private const string SnapshotMessagesSql =
        "/* context */ SELECT " + SqliteRows.MessageColumns + " FROM messages WHERE session_id = $id AND sequence <= $last ORDER BY sequence DESC;";

    private const string SnapshotLevelProbeSql = "/* context */ SELECT max(to_sequence) FROM summaries WHERE session_id = $id AND level = $level;";

    private const string SnapshotSummariesSql =
        "/* context */ SELECT " + SqliteRows.SummaryColumns + " FROM summaries WHERE session_id = $id AND level = $level ORDER BY to_sequence DESC;";

    // Summary levels grow by a factor of the roll-up size (at least 2): this is far more than any history has.
    private const int MaxSnapshotLevels = 64;

    // About the windows of a few dozen busy sessions; a slot holds a reference, so an empty cache costs 16 KB + 4 KB.
    private readonly DecodedRowCache<SessionMessage> _messageRows = new(2048);
    private readonly DecodedRowCache<SessionSummary> _summaryRows = new(512);

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
    }

    private ContextSnapshot ReadSnapshot(StoreConnection connection, SqliteTransaction transaction, Guid sessionId, int tokenBudget)
    {
        byte[] id = SqliteRows.Id(sessionId);
        Session session;
        var sessionCommand = connection.Prepared(SnapshotSessionSql, transaction, "$id");
        sessionCommand.Parameters[0].Value = id;
        using (var reader = sessionCommand.ExecuteReader())
        {
            session = reader.Read() ? SqliteRows.ReadSession(reader) : throw new SessionNotFoundException(sessionId);
        }

        var (messages, messagesFrom) = ReadNewestMessages(connection, transaction, id, sessionId, session.LastSequence, tokenBudget);
        return new ContextSnapshot
        {
            Session = session,
            NewestMessages = messages,
            MessagesFrom = messagesFrom,
            SummaryLevels = ReadSummaryLevels(connection, transaction, id, sessionId, tokenBudget),
        };
    }

    private (List<SessionMessage> Messages, long From) ReadNewestMessages(
        StoreConnection connection, SqliteTransaction transaction, byte[] id, Guid sessionId, long lastSequence, int tokenBudget)
    {
        var command = connection.Prepared(SnapshotMessagesSql, transaction, "$id", "$last");
        command.Parameters[0].Value = id;
        command.Parameters[1].Value = lastSequence;
        var messages = new List<SessionMessage>(64);
        long tokens = 0;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            long sequence = reader.GetInt64(2);
            if (messages.Count > 0 && (tokens > tokenBudget || messages.Count >= MaxContextSnapshotRows))
            {
                return (messages, sequence + 1);
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

        return (messages, 1);
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

                    var summaryId = SqliteRows.ReadGuid(reader, 0);
                    var summary = _summaryRows.Get(summaryId);
                    if (summary is null || summary.Id != summaryId || summary.SessionId != sessionId || summary.Level != level || summary.ToSequence != to)
                    {
                        summary = SqliteRows.ReadSummary(reader);
                        _summaryRows.Set(summaryId, summary);
                    }

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
}
