namespace SessionKit.Storage;

public abstract partial class SessionStore : IContextSnapshotSource
{
    /// <summary>The most messages, and the most summaries of one level, a context snapshot needs to hold whatever the budget.</summary>
    protected const int MaxContextSnapshotRows = 512;

    // Summary levels grow by a factor of the roll-up size (at least 2), so 64 levels cover any history.
    private const int MaxContextSnapshotLevels = 64;
    private const int ComposePage = 32;

    /// <inheritdoc />
    bool IContextSnapshotSource.CanReadContextSnapshot => true;

    /// <summary>
    /// Reads what a context build of about <paramref name="tokenBudget"/> tokens starts from, as one read where the backend
    /// can (see <see cref="ReadContextSnapshotCoreAsync"/>): the session; its newest messages, newest first, until their
    /// stored token counts pass the budget; and for every summary level, the newest summaries back to the newest summary
    /// of the next level (and at least one, unless the level states where its newest ends in
    /// <see cref="ContextSnapshotLevel.NewestTo"/>), until their counts pass the budget. The snapshot says how far each part
    /// is complete; a builder reads anything else from the store as usual.
    /// </summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="tokenBudget">The window's token budget (at least 1).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The snapshot.</returns>
    /// <exception cref="SessionNotFoundException">The session does not exist.</exception>
    public Task<ContextSnapshot> ReadContextSnapshotAsync(Guid sessionId, int tokenBudget, CancellationToken cancellationToken = default)
    {
        ValidateSessionId(sessionId);
        ArgumentOutOfRangeException.ThrowIfLessThan(tokenBudget, 1);
        ThrowIfUnusable(cancellationToken);

        // Sealed rows must be opened: an encrypted store composes the snapshot from its ordinary reads, which open them.
        return IsEncrypted
            ? ComposeContextSnapshotAsync(sessionId, tokenBudget, cancellationToken)
            : Observe(Start(StoreOperation.ReadContext, sessionId), ReadContextSnapshotCoreAsync(sessionId, tokenBudget, cancellationToken));
    }

    /// <summary>
    /// Reads a validated <see cref="ReadContextSnapshotAsync"/>. The default composes it from this store's ordinary reads
    /// (the session, message ranges, summary queries), so every backend has it; a backend overrides it to read it all in
    /// one read transaction with few statements. Any snapshot whose completeness claims hold is correct — reading more or
    /// fewer rows changes only how many reads a build makes after it. Hold at most <see cref="MaxContextSnapshotRows"/>
    /// messages and as many summaries per level. Not called for an encrypted store.
    /// </summary>
    /// <param name="sessionId">A non-empty id.</param>
    /// <param name="tokenBudget">At least 1.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The snapshot; throws <see cref="SessionNotFoundException"/> for an unknown session.</returns>
    protected virtual Task<ContextSnapshot> ReadContextSnapshotCoreAsync(Guid sessionId, int tokenBudget, CancellationToken cancellationToken) =>
        ComposeContextSnapshotAsync(sessionId, tokenBudget, cancellationToken);

    /// <inheritdoc />
    Task<ContextSnapshot> IContextSnapshotSource.ReadContextSnapshotAsync(Guid sessionId, int tokenBudget, CancellationToken cancellationToken) =>
        ReadContextSnapshotAsync(sessionId, tokenBudget, cancellationToken);

    private async Task<ContextSnapshot> ComposeContextSnapshotAsync(Guid sessionId, int tokenBudget, CancellationToken cancellationToken)
    {
        var session = await GetSessionAsync(sessionId, cancellationToken).ConfigureAwait(false);

        var newest = new List<SessionMessage>();
        long messagesFrom = 1;
        long tokens = 0;
        int page = ComposePage;
        for (long high = session.LastSequence; high >= 1;)
        {
            long low = Math.Max(1, high - page + 1);
            var messages = await GetMessagesAsync(sessionId, low, high, cancellationToken).ConfigureAwait(false);
            for (int i = messages.Count - 1; i >= 0; i--)
            {
                newest.Add(messages[i]);
                tokens += messages[i].TokenCount;
            }

            high = low - 1;
            page = Math.Min(page * 2, MaxContextSnapshotRows / 2);
            if (tokens > tokenBudget || newest.Count >= MaxContextSnapshotRows)
            {
                messagesFrom = low;
                break;
            }
        }

        // The newest summary of each level, finest first, up to the first level that has none.
        var newestTo = new List<long>();
        while (newestTo.Count < MaxContextSnapshotLevels)
        {
            var probe = await GetSummariesAsync(sessionId, new SummaryQuery { Level = newestTo.Count + 1, Limit = 1 }, cancellationToken).ConfigureAwait(false);
            if (probe.Count == 0)
            {
                break;
            }

            newestTo.Add(probe[0].ToSequence);
        }

        var levels = new List<ContextSnapshotLevel>(newestTo.Count + 1);
        for (int level = 1; level <= newestTo.Count; level++)
        {
            long coarserThrough = level < newestTo.Count ? newestTo[level] : 0;
            levels.Add(await ComposeSnapshotLevelAsync(sessionId, level, coarserThrough, tokenBudget, cancellationToken).ConfigureAwait(false));
        }

        if (newestTo.Count < MaxContextSnapshotLevels)
        {
            levels.Add(new ContextSnapshotLevel { Level = newestTo.Count + 1, Summaries = [], CompleteFrom = 1 });
        }

        return new ContextSnapshot { Session = session, NewestMessages = newest, MessagesFrom = messagesFrom, SummaryLevels = levels };
    }

    /// <summary>The newest summaries of one level, newest first, back to <paramref name="coarserThrough"/> (at least one) until their counts pass the budget.</summary>
    private async Task<ContextSnapshotLevel> ComposeSnapshotLevelAsync(Guid sessionId, int level, long coarserThrough, int tokenBudget, CancellationToken cancellationToken)
    {
        var summaries = new List<SessionSummary>();
        long tokens = 0;
        long? cursor = null;
        while (true)
        {
            // The cursor is inclusive, so summaries ending where the previous page ended are not lost; the ones seen are skipped.
            var page = await GetSummariesAsync(sessionId, new SummaryQuery { Level = level, ToSequenceAtMost = cursor, Limit = ComposePage }, cancellationToken).ConfigureAwait(false);
            bool added = false;
            foreach (var summary in page)
            {
                if (summary.ToSequence == cursor && summaries.Exists(s => s.Id == summary.Id))
                {
                    continue;
                }

                if (summaries.Count > 0 && (summary.ToSequence <= coarserThrough || tokens > tokenBudget || summaries.Count >= MaxContextSnapshotRows))
                {
                    return new ContextSnapshotLevel { Level = level, Summaries = summaries, CompleteFrom = summary.ToSequence + 1 };
                }

                summaries.Add(summary);
                tokens += summary.TokenCount;
                added = true;
            }

            if (page.Count < ComposePage)
            {
                return new ContextSnapshotLevel { Level = level, Summaries = summaries, CompleteFrom = 1 };
            }

            if (!added)
            {
                // A full page of summaries already seen, all ending at the cursor: what lies beyond it is unknown.
                return new ContextSnapshotLevel { Level = level, Summaries = summaries, CompleteFrom = cursor!.Value + 1 };
            }

            cursor = summaries[^1].ToSequence;
        }
    }
}
