namespace SessionKit;

/// <summary>
/// One session's summaries, per level, each list sorted by <see cref="SessionSummary.ToSequence"/>, so the newest summaries
/// below a point are found by binary search: reading them costs what is read, not how many exist. Not thread-safe: the
/// in-memory store calls it under the session's lock.
/// </summary>
internal sealed class SummaryIndex
{
    private readonly SortedDictionary<int, List<SessionSummary>> _levels = [];

    /// <summary>Adds <paramref name="summary"/>, or returns the summary of the same level that starts at the same sequence.</summary>
    public SessionSummary Add(SessionSummary summary)
    {
        if (!_levels.TryGetValue(summary.Level, out var list))
        {
            list = [];
            _levels.Add(summary.Level, list);
        }

        var existing = list.Find(s => s.FromSequence == summary.FromSequence);
        if (existing is not null)
        {
            return existing;
        }

        list.Insert(UpperBound(list, summary.ToSequence), summary);
        return summary;
    }

    public IReadOnlyList<SessionSummary> Query(SummaryQuery query)
    {
        var result = new List<SessionSummary>();
        foreach (var (level, list) in _levels)
        {
            if (query.Level is { } wanted && wanted != level)
            {
                continue;
            }

            int end = query.ToSequenceAtMost is { } most ? UpperBound(list, most) : list.Count;
            if (query.NewestFirst)
            {
                for (int i = end - 1, taken = 0; i >= 0 && taken < query.Limit; i--)
                {
                    // Sorted by ToSequence and FromSequence <= ToSequence: nothing older can start after the bound.
                    if (query.FromSequenceAfter is { } after && list[i].ToSequence <= after)
                    {
                        break;
                    }

                    if (Matches(list[i], query))
                    {
                        result.Add(list[i]);
                        taken++;
                    }
                }
            }
            else
            {
                // A summary that starts after the bound also ends after it: skip the older ones by binary search.
                int first = query.FromSequenceAfter is { } after ? UpperBound(list, after) : 0;
                for (int i = first, taken = 0; i < end && taken < query.Limit; i++)
                {
                    if (Matches(list[i], query))
                    {
                        result.Add(list[i]);
                        taken++;
                    }
                }
            }
        }

        // Each level contributed at most Limit in order; merge them (levels are few).
        var ordered = query.NewestFirst
            ? result.OrderByDescending(s => s.ToSequence).ThenByDescending(s => s.Level)
            : result.OrderBy(s => s.ToSequence).ThenBy(s => s.Level);
        return ordered.Take(query.Limit).ToList();
    }

    /// <summary>
    /// The newest summaries of each level for a context snapshot, finest first up to the first empty level (included, as
    /// known empty): at each level from the newest back to the newest summary of the next level (at least one), until
    /// their counts pass <paramref name="tokenBudget"/> or <paramref name="maxRows"/> are taken.
    /// </summary>
    public List<Storage.ContextSnapshotLevel> SnapshotLevels(int tokenBudget, int maxRows)
    {
        var levels = new List<Storage.ContextSnapshotLevel>(_levels.Count + 1);
        for (int level = 1; ; level++)
        {
            if (!_levels.TryGetValue(level, out var list) || list.Count == 0)
            {
                levels.Add(new Storage.ContextSnapshotLevel { Level = level, Summaries = [], CompleteFrom = 1 });
                return levels;
            }

            long coarserThrough = _levels.TryGetValue(level + 1, out var coarser) && coarser.Count > 0 ? coarser[^1].ToSequence : 0;
            int count = 0;
            long tokens = 0;
            long completeFrom = 1;
            for (int i = list.Count - 1; i >= 0; i--)
            {
                var summary = list[i];
                if (count > 0 && (summary.ToSequence <= coarserThrough || tokens > tokenBudget || count >= maxRows))
                {
                    completeFrom = summary.ToSequence + 1;
                    break;
                }

                count++;
                tokens += summary.TokenCount;
            }

            // Newest first, sized once.
            var read = new SessionSummary[count];
            for (int i = 0; i < count; i++)
            {
                read[i] = list[list.Count - 1 - i];
            }

            levels.Add(new Storage.ContextSnapshotLevel { Level = level, Summaries = read, CompleteFrom = completeFrom });
        }
    }

    public int RemoveEndingAtOrAfter(long fromSequence)
    {
        int removed = 0;
        foreach (var list in _levels.Values)
        {
            int start = LowerBound(list, fromSequence);
            removed += list.Count - start;
            list.RemoveRange(start, list.Count - start);
        }

        return removed;
    }

    public int RemoveEndingAtOrBefore(long toSequence)
    {
        int removed = 0;
        foreach (var list in _levels.Values)
        {
            int end = UpperBound(list, toSequence);
            removed += end;
            list.RemoveRange(0, end);
        }

        return removed;
    }

    public int Count => _levels.Values.Sum(static list => list.Count);

    public void Clear() => _levels.Clear();

    private static bool Matches(SessionSummary summary, SummaryQuery query) =>
        query.FromSequenceAfter is not { } after || summary.FromSequence > after;

    // First index whose ToSequence is greater than the value.
    private static int UpperBound(List<SessionSummary> list, long toSequence)
    {
        int lo = 0;
        int hi = list.Count;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo) / 2);
            if (list[mid].ToSequence <= toSequence)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    // First index whose ToSequence is at least the value.
    private static int LowerBound(List<SessionSummary> list, long toSequence) => toSequence == long.MinValue ? 0 : UpperBound(list, toSequence - 1);
}
