using SessionKit.Storage;

namespace SessionKit;

/// <summary>
/// One build's view of its <see cref="ContextSnapshot"/>: answers the summary queries the snapshot holds the whole answer
/// to, exactly as the store would, and nothing once the build has saved a summary (the snapshot is then stale).
/// </summary>
internal sealed class ContextSnapshotView(ContextSnapshot snapshot)
{
    private bool _summariesChanged;

    public ContextSnapshot Snapshot => snapshot;

    /// <summary>The build saved a summary: from now on summaries are read from the store.</summary>
    public void SummariesChanged() => _summariesChanged = true;

    /// <summary>
    /// The answer to a newest-first query for one level of this session's summaries, or <see langword="null"/> when the
    /// snapshot may not hold all of it.
    /// </summary>
    public IReadOnlyList<SessionSummary>? TryQuery(Guid sessionId, SummaryQuery query)
    {
        if (_summariesChanged || sessionId != snapshot.Session.Id || !query.NewestFirst || query.Level is not { } level || level > snapshot.SummaryLevels.Count)
        {
            return null;
        }

        var read = snapshot.SummaryLevels[level - 1];
        var summaries = read.Summaries;

        // Count the matches first, so the answer is one array of the right size.
        int count = 0;
        int scanned = 0;
        for (; scanned < summaries.Count && count < query.Limit; scanned++)
        {
            var summary = summaries[scanned];
            if (summary.ToSequence < read.CompleteFrom)
            {
                break;
            }

            if (Matches(summary, query))
            {
                count++;
            }
        }

        // Fewer than the limit: the answer is whole only if every summary the query could match lies where the snapshot is
        // complete (a summary starting after FromSequenceAfter also ends after it).
        long lowest = query.FromSequenceAfter is { } from ? from + 1 : 1;
        if (count < query.Limit && lowest < read.CompleteFrom)
        {
            return null;
        }

        if (count == 0)
        {
            return [];
        }

        var result = new SessionSummary[count];
        for (int i = 0, taken = 0; taken < count; i++)
        {
            if (Matches(summaries[i], query))
            {
                result[taken++] = summaries[i];
            }
        }

        return result;
    }

    /// <summary>
    /// The last sequence covered by the newest summary of <paramref name="level"/> ending at or before <paramref name="upper"/>
    /// (0 when there is none), as the query <c>{ Level, ToSequenceAtMost = upper, Limit = 1 }</c> would find it; or
    /// <see langword="null"/> when the snapshot may not hold the answer.
    /// </summary>
    public long? TryNewestTo(Guid sessionId, int level, long? upper)
    {
        if (_summariesChanged || sessionId != snapshot.Session.Id || level < 1 || level > snapshot.SummaryLevels.Count)
        {
            return null;
        }

        var read = snapshot.SummaryLevels[level - 1];
        if (read.NewestTo is { } newest && (upper is not { } bound || newest <= bound))
        {
            return newest;
        }

        var summaries = read.Summaries;
        for (int i = 0; i < summaries.Count; i++)
        {
            long to = summaries[i].ToSequence;
            if (to < read.CompleteFrom)
            {
                break;
            }

            if (upper is not { } most || to <= most)
            {
                return to;
            }
        }

        // None found where the snapshot is complete: there is none only if it is complete from the first sequence.
        return read.CompleteFrom <= 1 ? 0 : null;
    }

    private static bool Matches(SessionSummary summary, SummaryQuery query) =>
        !((query.ToSequenceAtMost is { } most && summary.ToSequence > most)
            || (query.FromSequenceAfter is { } after && (summary.ToSequence <= after || summary.FromSequence <= after)));
}
