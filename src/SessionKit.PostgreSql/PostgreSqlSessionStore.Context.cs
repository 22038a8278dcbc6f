using Npgsql;
using SessionKit.Storage;

namespace SessionKit.PostgreSql;

// A context build's first read in one round trip: three statements sent as one batch in one repeatable-read transaction
// (one snapshot of the database for all three): the session row with the newest summary of each level (an index seek per
// level), the newest messages until their stored token counts pass the budget, and every level's frontier summaries. The
// composed snapshot it replaces made a round trip per read (the session, each page of messages, a probe and pages per
// summary level: about 14 at 100k messages).
public sealed partial class PostgreSqlSessionStore
{
    // Levels answered by the batch; a deeper history (eight levels of roll-ups are 10^8 messages and more) is composed from
    // the ordinary reads instead.
    private const int SnapshotBatchLevels = 8;

    private const int SnapshotSessionColumnCount = 12;

    // The session, then max(to_sequence) of levels 1..8 (null where a level is empty).
    private static readonly string SnapshotSessionSql =
        "SELECT " + PostgresRows.SessionColumns + ", " +
        string.Join(", ", Enumerable.Range(1, SnapshotBatchLevels).Select(level => $"(SELECT max(to_sequence) FROM §summaries WHERE session_id = $1 AND level = {level})")) +
        " FROM §sessions WHERE id = $1;";

    // The newest messages a snapshot holds, plus the first one it leaves out (where it stops being complete): a row is sent
    // when every newer row is held, that is when the rows newer than the one before it count at most the budget ($2) and it
    // is among the first MaxContextSnapshotRows + 1. The window runs over the key and the counts only; the texts are read
    // for the rows sent, one primary-key lookup each (a range condition on the sequence instead made the planner, which
    // cannot see how few rows it keeps, scan the whole table: 85 ms at 100k messages).
    private static readonly string SnapshotMessagesSql =
        "SELECT " + PostgresRows.QualifiedMessageColumns + " FROM " +
        "(SELECT sequence, sum(token_count) OVER (ORDER BY sequence DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 2 PRECEDING) AS held " +
        "FROM §messages WHERE session_id = $1 ORDER BY sequence DESC LIMIT " + (MaxContextSnapshotRows + 1) + ") AS w " +
        "JOIN §messages m ON m.session_id = $1 AND m.sequence = w.sequence WHERE coalesce(w.held, 0) <= $2 ORDER BY m.sequence DESC;";

    // Each level's summaries back to the newest summary of the next level, newest first, by the same rule as the messages:
    // what a build's frontier needs plus the first summary left out. Levels ascending.
    private static readonly string SnapshotFrontierSql =
        "SELECT " + string.Join(", ", PostgresRows.SummaryColumns.Split(", ").Select(column => "f." + column)) + " FROM (VALUES " +
        string.Join(", ", Enumerable.Range(1, SnapshotBatchLevels).Select(level =>
            $"({level}, coalesce((SELECT max(to_sequence) FROM §summaries WHERE session_id = $1 AND level = {level + 1}), 0))")) +
        ") AS c (level, through) CROSS JOIN LATERAL (SELECT " + PostgresRows.SummaryColumns + ", " +
        "sum(token_count) OVER (ORDER BY to_sequence DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 2 PRECEDING) AS held " +
        "FROM §summaries WHERE session_id = $1 AND level = c.level AND to_sequence >= c.through ORDER BY to_sequence DESC LIMIT " + (MaxContextSnapshotRows + 1) + ") AS f " +
        "WHERE coalesce(f.held, 0) <= $2 ORDER BY f.level, f.to_sequence DESC;";

    /// <inheritdoc />
    protected override async Task<ContextSnapshot> ReadContextSnapshotCoreAsync(Guid sessionId, int tokenBudget, CancellationToken cancellationToken) =>
        await SnapshotAsync(tx => ReadSnapshotAsync(tx, sessionId, tokenBudget), cancellationToken).ConfigureAwait(false)
        ?? await base.ReadContextSnapshotCoreAsync(sessionId, tokenBudget, cancellationToken).ConfigureAwait(false);

    // Null when the history has more levels than the batch reads (or, impossible in one snapshot, a level the session row saw
    // as holding summaries came back empty): the caller composes the snapshot from the ordinary reads then.
    private async Task<ContextSnapshot?> ReadSnapshotAsync(Tx tx, Guid sessionId, int tokenBudget)
    {
        var batch = new NpgsqlBatch(tx.Connection, tx.Transaction) { Timeout = tx.TimeoutSeconds };
        await using (batch.ConfigureAwait(false))
        {
            foreach (string sql in (string[])[SnapshotSessionSql, SnapshotMessagesSql, SnapshotFrontierSql])
            {
                var command = new NpgsqlBatchCommand(_sql[sql]);
                command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = sessionId });
                if (!ReferenceEquals(sql, SnapshotSessionSql))
                {
                    command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = tokenBudget });
                }

                batch.BatchCommands.Add(command);
            }

            await batch.PrepareAsync(tx.CancellationToken).ConfigureAwait(false);
            var reader = await batch.ExecuteReaderAsync(tx.CancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(tx.CancellationToken).ConfigureAwait(false))
                {
                    throw new SessionNotFoundException(sessionId);
                }

                var session = PostgresRows.ReadSession(reader);
                var newestTo = new List<long>(SnapshotBatchLevels);
                while (newestTo.Count < SnapshotBatchLevels && !reader.IsDBNull(SnapshotSessionColumnCount + newestTo.Count))
                {
                    newestTo.Add(reader.GetInt64(SnapshotSessionColumnCount + newestTo.Count));
                }

                await reader.NextResultAsync(tx.CancellationToken).ConfigureAwait(false);
                var messages = new List<SessionMessage>();
                long messagesFrom = 1;
                long tokens = 0;
                while (await reader.ReadAsync(tx.CancellationToken).ConfigureAwait(false))
                {
                    var message = PostgresRows.ReadMessage(reader);
                    if (messages.Count > 0 && (tokens > tokenBudget || messages.Count >= MaxContextSnapshotRows))
                    {
                        messagesFrom = message.Sequence + 1;
                        break;
                    }

                    messages.Add(message);
                    tokens += message.TokenCount;
                }

                await reader.NextResultAsync(tx.CancellationToken).ConfigureAwait(false);
                var levels = await ReadFrontierAsync(reader, newestTo, tokenBudget, tx.CancellationToken).ConfigureAwait(false);
                return newestTo.Count == SnapshotBatchLevels || levels is null
                    ? null
                    : new ContextSnapshot { Session = session, NewestMessages = messages, MessagesFrom = messagesFrom, SummaryLevels = levels };
            }
        }
    }

    private static async Task<List<ContextSnapshotLevel>?> ReadFrontierAsync(NpgsqlDataReader reader, List<long> newestTo, int tokenBudget, CancellationToken cancellationToken)
    {
        var rows = new List<SessionSummary>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(PostgresRows.ReadSummary(reader));
        }

        int top = newestTo.Count;
        var levels = new List<ContextSnapshotLevel>(top + 1);
        int next = 0;
        for (int level = 1; level <= top; level++)
        {
            // Back to the newest summary of the next level (what a build's frontier needs), and at least one; the rows before
            // it were not read, so the level is complete from there unless the budget or the row limit stopped it sooner.
            long coarserThrough = level < top ? newestTo[level] : 0;
            var summaries = new List<SessionSummary>(8);
            long tokens = 0;
            long completeFrom = Math.Max(1, coarserThrough);
            bool stopped = false;
            for (; next < rows.Count && rows[next].Level == level; next++)
            {
                var summary = rows[next];
                if (stopped)
                {
                    continue;
                }

                if (summaries.Count > 0 && (summary.ToSequence <= coarserThrough || tokens > tokenBudget || summaries.Count >= MaxContextSnapshotRows))
                {
                    completeFrom = summary.ToSequence + 1;
                    stopped = true;
                    continue;
                }

                summaries.Add(summary);
                tokens += summary.TokenCount;
            }

            if (summaries.Count == 0)
            {
                return null;
            }

            levels.Add(new ContextSnapshotLevel { Level = level, Summaries = summaries, CompleteFrom = completeFrom });
        }

        levels.Add(new ContextSnapshotLevel { Level = top + 1, Summaries = [], CompleteFrom = 1 });
        return next == rows.Count ? levels : null;
    }
}
