using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SessionKit.Storage;

namespace SessionKit;

/// <summary>
/// Builds token-budgeted context windows: recent messages verbatim, older ranges as summaries made incrementally (each
/// block of <see cref="ContextOptions.SummaryBlockSize"/> messages once, rolled up level by level when even the summaries
/// no longer fit their share), all within the budget.
/// </summary>
/// <remarks>
/// <para>A build reads the session row, the newest messages back to where the budget is spent, and the newest summaries
/// back to where their share is spent; it never reads or re-tokenizes the whole history.</para>
/// <para>Budget order: the request overhead and system prompt; the newest user turn (mandatory); recent messages up to
/// what is left after the summary and recall shares; summaries within their share; then any budget still unused goes back
/// to older verbatim messages where no summary covers them.</para>
/// </remarks>
public sealed partial class ContextBuilder : IContextBuilder
{
    private const int MaxSummaryLevel = 8;
    private const int SummaryPage = 32;

    // How far back (in messages) a build looks for the newest user message to recall with when no query is given.
    private const int NewestUserScan = 32;

    /// <summary>The share of its room the cache-stable layout's verbatim part fills right after its boundary moves.</summary>
    private const double CacheStableRefill = 0.5;

    private readonly ISessionStore _store;
    private readonly ITokenCounter _counter;
    private readonly ISummarizer _summarizer;
    private readonly ContextOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    // The last system prompt this builder counted, with its count (see CountSystemPrompt).
    private CountedText? _lastSystemPrompt;

    /// <summary>Creates a builder.</summary>
    /// <param name="store">Where sessions, messages and summaries are stored.</param>
    /// <param name="tokenCounter">The tokenizer of the model the window is for.</param>
    /// <param name="summarizer">Makes summaries of older ranges.</param>
    /// <param name="options">Shares, block sizes and limits; <see langword="null"/> for the defaults. Copied.</param>
    /// <param name="timeProvider">The clock for summarizer timeouts; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Receives summarizer failures (never content); <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public ContextBuilder(
        ISessionStore store,
        ITokenCounter tokenCounter,
        ISummarizer summarizer,
        ContextOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<ContextBuilder>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(tokenCounter);
        ArgumentNullException.ThrowIfNull(summarizer);
        options = options?.Clone() ?? new ContextOptions();
        var failures = options.Validate();
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        _store = store;
        _counter = tokenCounter;
        _summarizer = summarizer;
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    private ContextBuilder(ContextBuilder settings, ISessionStore store)
    {
        _store = store;
        _counter = settings._counter;
        _summarizer = settings._summarizer;
        _options = settings._options;
        _timeProvider = settings._timeProvider;
        _logger = settings._logger;
        Metrics = settings.Metrics;
        Backlog = settings.Backlog;
    }

    /// <summary>The instruments builds record into; set from dependency injection, otherwise the shared ones.</summary>
    internal SessionKitMetrics Metrics { get; set; } = SessionKitMetrics.Default;

    /// <summary>Where builds that stop with a summarization backlog report it (the hosted background summarizer's queue); <see langword="null"/> for nowhere.</summary>
    internal SummarizationBacklog? Backlog { get; set; }

    /// <summary>A builder with the same settings that reads and writes through another store (a caller-scoped one).</summary>
    internal ContextBuilder WithStore(ISessionStore store) => new(this, store);

    /// <inheritdoc />
    public Task<ContextWindow> BuildAsync(Guid sessionId, ContextRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (sessionId == Guid.Empty)
        {
            throw new ArgumentException("The session id must not be Guid.Empty.", nameof(sessionId));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(request.TokenBudget, 1, nameof(request));
        if (request.Layout is { } layout && !Enum.IsDefined(layout))
        {
            throw new ArgumentOutOfRangeException(nameof(request), layout, "ContextRequest.Layout has an undefined value.");
        }

        return BuildCoreAsync(sessionId, request, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<int> SummarizeAsync(Guid sessionId, int tokenBudget, CancellationToken cancellationToken = default)
    {
        if (sessionId == Guid.Empty)
        {
            throw new ArgumentException("The session id must not be Guid.Empty.", nameof(sessionId));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(tokenBudget, 1);
        var window = await BuildCoreAsync(sessionId, new ContextRequest { TokenBudget = tokenBudget, SummarizeInline = true }, cancellationToken).ConfigureAwait(false);
        return window.SummariesCreated;
    }

    /// <inheritdoc />
    public Task<int> SummarizeAsync(Guid sessionId, CancellationToken cancellationToken = default) =>
        SummarizeAsync(sessionId, _options.DefaultTokenBudget, cancellationToken);

    /// <inheritdoc />
    public async Task<int> CatchUpAsync(Guid sessionId, int tokenBudget, CancellationToken cancellationToken = default)
    {
        if (sessionId == Guid.Empty)
        {
            throw new ArgumentException("The session id must not be Guid.Empty.", nameof(sessionId));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(tokenBudget, 1);
        int created = 0;
        while (true)
        {
            // Each round is one build's worth of work. Rounds go on until one makes nothing (caught up, or the summarizer
            // failing): a round under the per-build limit can still leave a rollup for the next build (for example when the
            // recalled items take room from the summaries), so "no backlog reported" alone is not "caught up".
            var window = await BuildCoreAsync(sessionId, new ContextRequest { TokenBudget = tokenBudget, SummarizeInline = true }, cancellationToken).ConfigureAwait(false);
            created += window.SummariesCreated;
            if (window.SummariesCreated == 0)
            {
                return created;
            }
        }
    }

    private async Task<ContextWindow> BuildCoreAsync(Guid sessionId, ContextRequest request, CancellationToken cancellationToken)
    {
        using var activity = SessionKitDiagnostics.ActivitySource.StartActivity("sessionkit.context.build");
        activity?.SetTag(SessionKitDiagnostics.SessionId, sessionId.ToString());
        activity?.SetTag(SessionKitDiagnostics.ContextBudget, request.TokenBudget);
        long started = Stopwatch.GetTimestamp();
        try
        {
            var window = await BuildWindowAsync(sessionId, request, cancellationToken).ConfigureAwait(false);
            int recalled = CountRecalled(window.Items);
            activity?.SetTag(SessionKitDiagnostics.ContextTokens, window.TotalTokens);
            activity?.SetTag(SessionKitDiagnostics.ContextRecalled, recalled);
            activity?.SetTag(SessionKitDiagnostics.ContextSummariesCreated, window.SummariesCreated);
            Metrics.RecordOperation("context.build", started);
            Metrics.ContextTokens.Record(window.TotalTokens);
            Metrics.ContextBudget.Record(request.TokenBudget);
            Metrics.ContextUtilization.Record((double)window.TotalTokens / request.TokenBudget);
            if (recalled > 0)
            {
                Metrics.RecallHits.Add(recalled);
            }

            if (window.SummarizationBacklog)
            {
                Backlog?.TryAdd(sessionId, request.TokenBudget);
            }

            return window;
        }
        catch (Exception ex)
        {
            SessionKitDiagnostics.RecordFailure(activity, ex);
            Metrics.RecordOperation("context.build", started, ex.GetType().FullName);
            throw;
        }
    }

    private async ValueTask<ContextWindow> BuildWindowAsync(Guid sessionId, ContextRequest request, CancellationToken cancellationToken)
    {
        // What the build starts from, in one read where the store can: the session, its newest messages and summaries.
        var snapshot = _store is IContextSnapshotSource { CanReadContextSnapshot: true } source
            ? await source.ReadContextSnapshotAsync(sessionId, request.TokenBudget, cancellationToken).ConfigureAwait(false)
            : null;
        var session = snapshot?.Session ?? await _store.GetSessionAsync(sessionId, cancellationToken).ConfigureAwait(false);
        var state = new BuildState(request, _options.MaxSummarizationsPerBuild) { Snapshot = snapshot is null ? null : new ContextSnapshotView(snapshot) };
        int budget = request.TokenBudget;

        // 1. Fixed costs: the request overhead and the system prompt.
        int systemTokens = request.SystemPrompt is null ? 0 : CountSystemPrompt(request.SystemPrompt);
        if (systemTokens > (int)(budget * _options.SystemPromptShare) && systemTokens > 0)
        {
            throw new ContextBudgetExceededException(systemTokens, (int)(budget * _options.SystemPromptShare), "The system prompt (limited to ContextOptions.SystemPromptShare of the budget)");
        }

        int fixedTokens = _counter.RequestOverhead + systemTokens;
        int available = budget - fixedTokens;
        if (available < 0)
        {
            throw new ContextBudgetExceededException(fixedTokens, budget, "The request overhead and the system prompt");
        }

        int summaryCap = (int)(budget * _options.SummaryShare);
        state.SummaryTargetTokens = Math.Clamp(summaryCap / 2, 16, _options.SummaryTargetTokens);

        // 2. The mandatory part: from the newest user message to the end.
        var tail = new MessageTail(_store, _counter, sessionId, session.LastSequence, snapshot);
        var (mandatoryCount, mandatoryTokens) = request.RequireNewestUserTurn
            ? await FindMandatoryAsync(tail, available, cancellationToken).ConfigureAwait(false)
            : (0, 0);
        if (mandatoryTokens > available)
        {
            throw new ContextBudgetExceededException(fixedTokens + mandatoryTokens, budget, "The system prompt and the newest user turn");
        }

        long mandatoryStart = mandatoryCount == 0 ? session.LastSequence + 1 : tail[mandatoryCount - 1].Sequence;

        // Recall needs a query: the caller's, else (unless opted out) the newest user message.
        string? query = request.Query ?? (request.RecallNewestUserMessage && request.RequireNewestUserTurn ? await NewestUserTextAsync(tail, cancellationToken).ConfigureAwait(false) : null);
        var layout = request.Layout ?? _options.Layout;
        int recallCap = string.IsNullOrWhiteSpace(query) ? 0 : RecallCap(budget, layout);
        int recentBudget = Math.Max(mandatoryTokens, available - summaryCap - recallCap);

        // 3. Summarize blocks that no longer fit verbatim, oldest first, each once.
        long summarizedThrough = await ThroughPointAsync(sessionId, level: 1, upper: null, state.Snapshot, cancellationToken).ConfigureAwait(false);
        if (request.SummarizeInline && layout == ContextLayout.Fill)
        {
            summarizedThrough = await SummarizeBacklogAsync(sessionId, tail, summarizedThrough, recentBudget, recentBudget, mandatoryStart, state, cancellationToken).ConfigureAwait(false);
        }

        int recallReserve = query is null ? 0 : recallCap;
        var composition = new Composition(tail, session.LastSequence);
        List<SessionSummary> summaries;
        if (layout == ContextLayout.CacheStable)
        {
            // 4. Summaries first, within their share, then every message after the summarized range verbatim in what is left
            //    besides the recall share. When they no longer fit, the boundary moves: blocks are summarized until the
            //    unsummarized messages take at most CacheStableRefill of that room, so it moves rarely. Only when summarizing is
            //    off or failing does the window slide.
            int summaryRoom = Math.Min(summaryCap, available - mandatoryTokens - recallReserve);
            // When rolling up cannot bring the summaries within their share (one summary at each of several levels, none of
            // which can be combined), they take room from the verbatim part rather than leave the oldest range out: the
            // boundary then moves sooner, but every message stays covered.
            int stretchRoom = Math.Max(summaryRoom, available - mandatoryTokens - recallReserve);
            summaries = await SelectSummariesAsync(sessionId, summarizedThrough, summaryRoom, stretchRoom, state, cancellationToken).ConfigureAwait(false);
            int verbatimRoom = available - recallReserve - SumSummaryTokens(summaries);
            if (request.SummarizeInline && !await FitsAfterAsync(tail, summarizedThrough, verbatimRoom, cancellationToken).ConfigureAwait(false))
            {
                int catchUpTo = Math.Max(mandatoryTokens, (int)(verbatimRoom * CacheStableRefill));
                summarizedThrough = await SummarizeBacklogAsync(sessionId, tail, summarizedThrough, verbatimRoom, catchUpTo, mandatoryStart, state, cancellationToken).ConfigureAwait(false);
                summaries = await SelectSummariesAsync(sessionId, summarizedThrough, summaryRoom, stretchRoom, state, cancellationToken).ConfigureAwait(false);
                verbatimRoom = available - recallReserve - SumSummaryTokens(summaries);
            }

            composition.SummaryTokens = SumSummaryTokens(summaries);
            composition.VerbatimCount = await SelectVerbatimAsync(tail, summarizedThrough, verbatimRoom, mandatoryCount, cancellationToken).ConfigureAwait(false);
            if (recallReserve > 0 && composition.VerbatimStart() > summarizedThrough + 1)
            {
                // The messages after the summaries do not all fit beside the recall share and cannot be summarized yet (the next
                // block would reach the newest turn): recall, which comes last, gives way rather than leave one of them out.
                composition.VerbatimCount = await SelectVerbatimAsync(tail, summarizedThrough, verbatimRoom + recallReserve, composition.VerbatimCount, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            // 4. Recent messages verbatim, up to what the summary and recall shares leave.
            composition.VerbatimCount = await SelectVerbatimAsync(tail, summarizedThrough, recentBudget, mandatoryCount, cancellationToken).ConfigureAwait(false);

            // 5. Summaries for what lies before the verbatim window: within their share when unsummarized messages lie in
            //    between (the budget left goes to those, step 7), otherwise everything recent messages and recall leave.
            long verbatimStartNow = composition.VerbatimStart();
            long summaryUpper = Math.Min(summarizedThrough, verbatimStartNow - 1);
            int unused = available - composition.VerbatimTokens - recallReserve;
            int summaryBudget = verbatimStartNow > summarizedThrough + 1 ? Math.Min(summaryCap, unused) : unused;
            summaries = await SelectSummariesAsync(sessionId, summaryUpper, summaryBudget, summaryBudget, state, cancellationToken).ConfigureAwait(false);
            composition.SummaryTokens = SumSummaryTokens(summaries);
        }

        long verbatimStart = composition.VerbatimStart();

        // 6. Older messages matching the query, verbatim, within the recall share (linked earlier sessions included). Content
        //    is never sent twice: a hit the verbatim window holds is skipped, and so is a hit a summary in the window quotes
        //    (any of its sentences). Otherwise the summary stays beside it: the hit brings back the detail the gist dropped,
        //    the summary keeps the rest of its range covered (replacing it would leave that rest out).
        List<Session>? linked = session.ContinuesFromSessionId is null || _options.MaxLinkedSessions == 0 ? [] : null;
        //    The share is never more than what the verbatim window and the summaries left.
        recallCap = Math.Min(recallCap, available - composition.VerbatimTokens - composition.SummaryTokens);
        var recalled = query is null || recallCap <= 0
            ? []
            : await RecallAsync(session, linked ??= await LinkedSessionsAsync(session, cancellationToken).ConfigureAwait(false), query, composition, summaries, layout, recallCap, cancellationToken).ConfigureAwait(false);
        int recalledTokens = RecalledTokens(recalled);

        // 7. Fill: budget still unused goes to older messages verbatim — first those no summary covers, then whole blocks in
        //    place of their summaries, newest first, for as long as they fit. The cache-stable layout keeps its boundary.
        if (layout == ContextLayout.Fill)
        {
            await FillVerbatimAsync(composition, summaries, recalled, available, summaryCap, cancellationToken).ConfigureAwait(false);
            recalledTokens = RecalledTokens(recalled);
        }

        int verbatimCount = composition.VerbatimCount;
        int verbatimTokens = composition.VerbatimTokens;
        int summaryTokens = composition.SummaryTokens;

        // 8. Budget still unused carries over the summaries of the sessions this one continues (never one covering a message
        //    recalled from that session).
        int carriedCap = available - verbatimTokens - summaryTokens - recalledTokens;
        var carried = session.ContinuesFromSessionId is null || carriedCap <= 0 || _options.MaxLinkedSessions == 0
            ? []
            : await CarriedSummariesAsync(linked ??= await LinkedSessionsAsync(session, cancellationToken).ConfigureAwait(false), carriedCap, recalled, cancellationToken).ConfigureAwait(false);

        var window = Assemble(session, request, layout, systemTokens, carried, summaries, recalled, tail, verbatimCount, state);
        Debug.Assert(window.TotalTokens <= budget, "A context window must never exceed its budget.");
        return window;
    }

    /// <summary>
    /// What <paramref name="systemPrompt"/> costs as a system message. Apps send the same system prompt with every build, and
    /// counting it is the one tokenizer call a build makes, so the last prompt's count is kept: the counter is fixed for this
    /// builder, so the count depends on the text only, and a different text is counted afresh.
    /// </summary>
    private int CountSystemPrompt(string systemPrompt)
    {
        // One immutable pair, read and replaced as a whole: concurrent builds see either the old or the new pair, never a mix.
        var last = Volatile.Read(ref _lastSystemPrompt);
        if (last is not null && string.Equals(last.Text, systemPrompt, StringComparison.Ordinal))
        {
            return last.Tokens;
        }

        int tokens = _counter.CountMessageTokens(MessageRole.System, systemPrompt);
        Volatile.Write(ref _lastSystemPrompt, new CountedText(systemPrompt, tokens));
        return tokens;
    }

    /// <summary>The tokens recall may take: its share of the budget, and in the cache-stable layout at most <see cref="ContextOptions.CacheStableRecallTokens"/>.</summary>
    private int RecallCap(int budget, ContextLayout layout)
    {
        int share = (int)(budget * _options.RecallShare);
        return layout == ContextLayout.CacheStable ? Math.Min(share, _options.CacheStableRecallTokens) : share;
    }

    /// <summary>The content of the newest user message among the last few, or <see langword="null"/>.</summary>
    private static async ValueTask<string?> NewestUserTextAsync(MessageTail tail, CancellationToken cancellationToken)
    {
        for (int i = 0; i < NewestUserScan && await tail.EnsureAsync(i, cancellationToken).ConfigureAwait(false); i++)
        {
            if (tail[i].Message.Role == MessageRole.User && !string.IsNullOrWhiteSpace(tail[i].Message.Content))
            {
                return tail[i].Message.Content;
            }
        }

        return null;
    }

    /// <summary>Counts the newest messages down to and including the newest user message, reading no further than the budget allows.</summary>
    private static async ValueTask<(int Count, int Tokens)> FindMandatoryAsync(MessageTail tail, int available, CancellationToken cancellationToken)
    {
        int tokens = 0;
        for (int i = 0; await tail.EnsureAsync(i, cancellationToken).ConfigureAwait(false); i++)
        {
            tokens += tail[i].Tokens;
            if (tail[i].Message.Role == MessageRole.User)
            {
                int withParts = await ExtendToCutAsync(tail, i + 1, cancellationToken).ConfigureAwait(false);
                return (withParts, SumTokens(tail, withParts));
            }

            if (tokens > available)
            {
                break;
            }
        }

        // No user message within reach: the newest message (with its whole tool call group, if it is in one) is what must fit.
        if (tail.Count == 0)
        {
            return (0, 0);
        }

        int count = await ExtendToCutAsync(tail, 1, cancellationToken).ConfigureAwait(false);
        return (count, SumTokens(tail, count));
    }

    /// <summary>Grows a window of the newest <paramref name="count"/> messages until it begins where the history may be cut.</summary>
    private static async ValueTask<int> ExtendToCutAsync(MessageTail tail, int count, CancellationToken cancellationToken)
    {
        while (await tail.EnsureAsync(count, cancellationToken).ConfigureAwait(false)
            && !MessageGroups.CanCutBetween(tail[count].Message, tail[count - 1].Message))
        {
            count++;
        }

        return count;
    }

    private async ValueTask<long> SummarizeBacklogAsync(
        Guid sessionId,
        MessageTail tail,
        long summarizedThrough,
        int recentBudget,
        int catchUpTo,
        long mandatoryStart,
        BuildState state,
        CancellationToken cancellationToken)
    {
        int blockSize = _options.SummaryBlockSize;
        bool started = false;
        while (true)
        {
            // Summarizing starts when the unsummarized messages no longer fit the recent share, and then goes on until they fit
            // catchUpTo (at most the recent share).
            if (await FitsAfterAsync(tail, summarizedThrough, started ? catchUpTo : recentBudget, cancellationToken).ConfigureAwait(false))
            {
                break;
            }

            if (!state.CanSummarize)
            {
                // The configured work is done but messages are still waiting: a background summarizer may take it from here.
                state.BacklogRemains = state.FallbackReason is null && summarizedThrough + blockSize < mandatoryStart
                    && !await FitsAfterAsync(tail, summarizedThrough, recentBudget, cancellationToken).ConfigureAwait(false);
                break;
            }

            started = true;

            long blockStart = summarizedThrough + 1;
            if (blockStart + blockSize - 1 >= mandatoryStart)
            {
                break;
            }

            // Read a little past the block so a tool call group at its end can take the rest of the group along; read on
            // while the group continues. The mandatory part begins where a cut is allowed, so a block may end just before it.
            long readTo = Math.Min(mandatoryStart - 1, blockStart + blockSize + 15);
            var candidates = (await _store.GetMessagesAsync(sessionId, blockStart, readTo, cancellationToken).ConfigureAwait(false)).ToList();
            if (candidates.Count == 0)
            {
                break;
            }

            int take = Math.Min(blockSize, candidates.Count);
            while (true)
            {
                while (take < candidates.Count && !MessageGroups.CanCutBetween(candidates[take - 1], candidates[take]))
                {
                    take++;
                }

                if (take < candidates.Count || readTo >= mandatoryStart - 1)
                {
                    break;
                }

                long from = readTo + 1;
                readTo = Math.Min(mandatoryStart - 1, readTo + blockSize + 16);
                candidates.AddRange(await _store.GetMessagesAsync(sessionId, from, readTo, cancellationToken).ConfigureAwait(false));
            }

            var block = candidates.Take(take).ToList();
            string? text = await TrySummarizeAsync(new SummarizationRequest { Messages = block, TargetTokens = state.SummaryTargetTokens }, state, cancellationToken).ConfigureAwait(false);
            if (text is null)
            {
                break;
            }

            // From blockStart, not the first message: a deleted message leaves a gap, and summaries must stay contiguous to roll up.
            var saved = await _store.SaveSummaryAsync(sessionId, new NewSummary(blockStart, block[^1].Sequence, 1, text, _summarizer.Id), cancellationToken).ConfigureAwait(false);
            state.Snapshot?.SummariesChanged();
            summarizedThrough = saved.ToSequence;
        }

        return summarizedThrough;
    }

    /// <summary>Whether every message after <paramref name="through"/> fits <paramref name="budget"/>, reading only as far as needed to tell.</summary>
    private static async ValueTask<bool> FitsAfterAsync(MessageTail tail, long through, int budget, CancellationToken cancellationToken)
    {
        int tokens = 0;
        for (int i = 0; await tail.EnsureAsync(i, cancellationToken).ConfigureAwait(false); i++)
        {
            if (tail[i].Sequence <= through)
            {
                return true;
            }

            tokens += tail[i].Tokens;
            if (tokens > budget)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// How many of the newest messages form the verbatim window: at least <paramref name="minimumCount"/> (the mandatory
    /// ones, or a window chosen before and now extended), newer than the summarized range, within the budget, not starting
    /// on a tool result.
    /// </summary>
    private static async ValueTask<int> SelectVerbatimAsync(MessageTail tail, long summarizedThrough, int budget, int minimumCount, CancellationToken cancellationToken)
    {
        int count = minimumCount;
        int tokens = SumTokens(tail, count);
        while (await tail.EnsureAsync(count, cancellationToken).ConfigureAwait(false)
            && tail[count].Sequence > summarizedThrough
            && tokens + tail[count].Tokens <= budget)
        {
            tokens += tail[count].Tokens;
            count++;
        }

        return ShrinkToCut(tail, count, minimumCount);
    }

    // A window beginning inside a tool call group (or a chat message's parts) would split it: begin after the group instead.
    // Message count is loaded unless the session starts there (the loop above asked for it).
    private static int ShrinkToCut(MessageTail tail, int count, int minimum)
    {
        while (count > minimum && count < tail.Count && !MessageGroups.CanCutBetween(tail[count].Message, tail[count - 1].Message))
        {
            count--;
        }

        return count;
    }

    /// <summary>
    /// Picks summaries covering the range up to <paramref name="upper"/> within <paramref name="cap"/>: the finest level for
    /// the newest part, coarser levels for older parts. When they do not all fit, rolls the oldest run of
    /// <see cref="ContextOptions.RollupSize"/> summaries of the lowest level that has one into a summary of the next level,
    /// and looks again; when nothing more can be rolled up, keeps the newest that fit and leaves the oldest out.
    /// <paramref name="stretch"/>, when larger than the cap, is the room they may take when nothing more can be rolled up,
    /// rather than leave coverage out.
    /// </summary>
    private async ValueTask<List<SessionSummary>> SelectSummariesAsync(Guid sessionId, long upper, int cap, int stretch, BuildState state, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (frontier, levels, overflow) = await ReadFrontierAsync(sessionId, upper, cap, state.Snapshot, cancellationToken).ConfigureAwait(false);
            if (!overflow)
            {
                return frontier;
            }

            bool rolledUp = false;
            foreach (var (level, after, through) in levels)
            {
                if (await TryRollUpAsync(sessionId, level, after, through, partial: false, state, cancellationToken).ConfigureAwait(false))
                {
                    rolledUp = true;
                    break;
                }

                if (!state.CanSummarize)
                {
                    break;
                }
            }

            // No level has a full run of RollupSize: roll up a shorter run, oldest part first, rather than leave the oldest
            // coverage out (otherwise a long history at a small budget always keeps an omitted range).
            for (int i = levels.Count - 1; !rolledUp && i >= 0 && state.CanSummarize; i--)
            {
                var (level, after, through) = levels[i];
                rolledUp = await TryRollUpAsync(sessionId, level, after, through, partial: true, state, cancellationToken).ConfigureAwait(false);
            }

            if (rolledUp)
            {
                continue;
            }

            state.BacklogRemains |= state.LimitReached;
            if (stretch > cap)
            {
                // Rolled up as far as it goes: the whole frontier, if it fits the stretched room.
                (frontier, _, _) = await ReadFrontierAsync(sessionId, upper, stretch, state.Snapshot, cancellationToken).ConfigureAwait(false);
                cap = stretch;
            }

            // Keep the newest (finest) summaries that fit; older coverage is left out and reported as omitted.
            var selected = new List<SessionSummary>();
            int used = 0;
            foreach (var summary in frontier)
            {
                int tokens = SummaryTokens(summary);
                if (used + tokens > cap)
                {
                    break;
                }

                selected.Add(summary);
                used += tokens;
            }

            return selected;
        }
    }

    /// <summary>
    /// Reads the summaries that cover [1, <paramref name="upper"/>] newest first: at each level those after the newest
    /// summary of the next level, then that level for what lies before. Stops reading once <paramref name="cap"/> is passed.
    /// </summary>
    private async ValueTask<(List<SessionSummary> Frontier, List<(int Level, long After, long Through)> Levels, bool Overflow)> ReadFrontierAsync(
        Guid sessionId, long upper, int cap, ContextSnapshotView? snapshot, CancellationToken cancellationToken)
    {
        var frontier = new List<SessionSummary>(16);
        var levels = new List<(int Level, long After, long Through)>(4);
        int tokens = 0;
        for (int level = 1; upper > 0 && level <= MaxSummaryLevel; level++)
        {
            long coarserThrough = await ThroughPointAsync(sessionId, level + 1, upper, snapshot, cancellationToken).ConfigureAwait(false);
            levels.Add((level, coarserThrough, upper));
            long cursor = upper;
            while (true)
            {
                var page = await SummariesAsync(
                    sessionId,
                    new SummaryQuery { Level = level, ToSequenceAtMost = cursor, FromSequenceAfter = coarserThrough, Limit = SummaryPage },
                    snapshot,
                    cancellationToken).ConfigureAwait(false);
                for (int i = 0; i < page.Count; i++)
                {
                    var summary = page[i];
                    if (summary.ToSequence != cursor)
                    {
                        // A hole in the chain (summaries were invalidated or saved out of order): coverage stops here.
                        return (frontier, levels, false);
                    }

                    frontier.Add(summary);
                    tokens += SummaryTokens(summary);
                    cursor = summary.FromSequence - 1;
                    if (tokens > cap)
                    {
                        return (frontier, levels, true);
                    }
                }

                if (page.Count < SummaryPage)
                {
                    break;
                }
            }

            if (cursor != coarserThrough)
            {
                return (frontier, levels, false);
            }

            upper = coarserThrough;
        }

        return (frontier, levels, false);
    }

    private async Task<bool> TryRollUpAsync(Guid sessionId, int level, long after, long upper, bool partial, BuildState state, CancellationToken cancellationToken)
    {
        if (!state.CanSummarize || level >= MaxSummaryLevel)
        {
            return false;
        }

        var group = await _store.GetSummariesAsync(
            sessionId,
            new SummaryQuery { Level = level, FromSequenceAfter = after, ToSequenceAtMost = upper, NewestFirst = false, Limit = _options.RollupSize },
            cancellationToken).ConfigureAwait(false);
        if (group.Count < (partial ? 2 : _options.RollupSize) || group[0].FromSequence != after + 1 || !IsContiguous(group))
        {
            return false;
        }

        string? text = await TrySummarizeAsync(new SummarizationRequest { Summaries = group, TargetTokens = state.SummaryTargetTokens }, state, cancellationToken).ConfigureAwait(false);
        if (text is null)
        {
            return false;
        }

        await _store.SaveSummaryAsync(sessionId, new NewSummary(group[0].FromSequence, group[^1].ToSequence, level + 1, text, _summarizer.Id), cancellationToken).ConfigureAwait(false);
        state.Snapshot?.SummariesChanged();
        return true;
    }

    private static bool IsContiguous(IReadOnlyList<SessionSummary> summaries)
    {
        for (int i = 1; i < summaries.Count; i++)
        {
            if (summaries[i].FromSequence != summaries[i - 1].ToSequence + 1)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The last sequence covered by the newest summary of <paramref name="level"/> ending at or before <paramref name="upper"/>; 0 when none.</summary>
    private async ValueTask<long> ThroughPointAsync(Guid sessionId, int level, long? upper, ContextSnapshotView? snapshot, CancellationToken cancellationToken)
    {
        if (snapshot?.TryNewestTo(sessionId, level, upper) is { } known)
        {
            return known;
        }

        var newest = await SummariesAsync(sessionId, new SummaryQuery { Level = level, ToSequenceAtMost = upper, Limit = 1 }, snapshot, cancellationToken).ConfigureAwait(false);
        return newest.Count == 0 ? 0 : newest[0].ToSequence;
    }

    /// <summary>A summary query answered from the build's snapshot when it holds the whole answer, otherwise by the store.</summary>
    private ValueTask<IReadOnlyList<SessionSummary>> SummariesAsync(Guid sessionId, SummaryQuery query, ContextSnapshotView? snapshot, CancellationToken cancellationToken) =>
        snapshot?.TryQuery(sessionId, query) is { } answer
            ? ValueTask.FromResult(answer)
            : new ValueTask<IReadOnlyList<SessionSummary>>(_store.GetSummariesAsync(sessionId, query, cancellationToken));

    /// <summary>
    /// Searches the session (or its user's sessions) for the query and keeps the best hits that are not already in the
    /// verbatim window, are not half of a tool call, and fit the recall share.
    /// </summary>
    private async Task<List<TailMessage>> RecallAsync(Session session, IReadOnlyList<Session> linked, string query, Composition window, List<SessionSummary> summaries, ContextLayout layout, int cap, CancellationToken cancellationToken)
    {
        var recalled = new List<TailMessage>();
        if (_options.MaxRecalledMessages == 0)
        {
            return recalled;
        }

        int limit = Math.Min(SearchQuery.MaxLimit, _options.MaxRecalledMessages * 4);
        var hits = new List<SearchHit>();
        // The whole history of the user (linked sessions included) when allowed; otherwise this session and its links.
        bool searchedUser = _options.RecallScope == RecallScope.User
            && await TrySearchAsync(session.UserId, query, null, limit, hits, cancellationToken).ConfigureAwait(false);
        if (!searchedUser)
        {
            // This session and the sessions it continues: the same query over the same index, so BM25 scores compare.
            await TrySearchAsync(session.UserId, query, session.Id, limit, hits, cancellationToken).ConfigureAwait(false);
            foreach (var earlier in linked)
            {
                await TrySearchAsync(session.UserId, query, earlier.Id, limit, hits, cancellationToken).ConfigureAwait(false);
            }

            hits.Sort(static (a, b) => b.Score.CompareTo(a.Score));
        }

        return await SelectRecalledAsync(session.Id, hits, window, summaries, layout == ContextLayout.CacheStable ? 1 : 0, cap, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Gives the budget still unused to older messages verbatim, newest first: message by message over messages no selected
    /// summary covers, and a whole block in place of the summary adjacent to the window when the block fits (taking, if need
    /// be, the budget of the oldest summaries beyond the summary share). Stops at the first message or block that does not
    /// fit, so the window is full to within one message or block. Recalled messages the window now holds are dropped.
    /// </summary>
    private async ValueTask FillVerbatimAsync(Composition window, List<SessionSummary> summaries, List<TailMessage> recalled, int available, int summaryCap, CancellationToken cancellationToken)
    {
        while (true)
        {
            int leftover = available - window.VerbatimTokens - window.SummaryTokens - RecalledTokens(recalled);
            long floor = summaries.Count == 0 ? 0 : summaries[0].ToSequence;
            long start = window.VerbatimStart();
            if (start > floor + 1)
            {
                // Messages no summary in the window covers: as many as fit.
                int count = await SelectVerbatimAsync(window.Tail, floor, window.VerbatimTokens + Math.Max(0, leftover), window.VerbatimCount, cancellationToken).ConfigureAwait(false);
                if (count == window.VerbatimCount)
                {
                    // Stuck with a gap between the newest summary and the verbatim start: recall must not be why part of the
                    // history is left out, so the lowest-ranked recalled messages make room when that closes the gap.
                    if (!await CloseGapWithRecallBudgetAsync(window, floor, leftover, recalled, cancellationToken).ConfigureAwait(false))
                    {
                        return;
                    }

                    continue;
                }

                window.VerbatimCount = count;
                DropRecalledInWindow(window, recalled);
                continue;
            }

            if (summaries.Count == 0)
            {
                return;
            }

            var adjacent = summaries[0];
            if (adjacent.ToSequence != start - 1)
            {
                return;
            }

            // The summary's range verbatim instead, if it fits; reading stops as soon as it cannot, so a rolled-up summary
            // over a long range costs no more reads than the budget allows.
            int freedRecall = 0;
            foreach (var r in recalled)
            {
                if (r.Message.SessionId == window.Tail.SessionId && r.Sequence >= adjacent.FromSequence && r.Sequence <= adjacent.ToSequence)
                {
                    freedRecall += r.Tokens;
                }
            }

            int adjacentTokens = SummaryTokens(adjacent);
            int excess = Math.Max(0, window.SummaryTokens - adjacentTokens - summaryCap);
            int affordable = leftover + adjacentTokens + freedRecall + excess;
            int end = window.VerbatimCount;
            int blockTokens = 0;
            while (blockTokens <= affordable
                && await window.Tail.EnsureAsync(end, cancellationToken).ConfigureAwait(false)
                && window.Tail[end].Sequence >= adjacent.FromSequence)
            {
                blockTokens += window.Tail[end].Tokens;
                end++;
            }

            if (blockTokens > affordable)
            {
                return;
            }

            int need = blockTokens - adjacentTokens - freedRecall - leftover;

            summaries.RemoveAt(0);
            window.SummaryTokens -= adjacentTokens;
            while (need > 0 && summaries.Count > 0)
            {
                // The oldest summaries beyond the summary share make room: verbatim text is preferred over them.
                int oldest = SummaryTokens(summaries[^1]);
                summaries.RemoveAt(summaries.Count - 1);
                window.SummaryTokens -= oldest;
                need -= oldest;
            }

            window.VerbatimCount = ShrinkToCut(window.Tail, end, window.VerbatimCount);
            DropRecalledInWindow(window, recalled);
        }
    }

    /// <summary>
    /// When every message between <paramref name="floor"/> (the newest summary's end) and the verbatim start would fit if
    /// the lowest-ranked recalled messages gave up their tokens, drops those (a question with the answer recalled after it
    /// goes with it) and takes the whole gap verbatim; otherwise changes nothing. Recalled messages inside the gap count as
    /// freed, since the window then holds them verbatim.
    /// </summary>
    private static async ValueTask<bool> CloseGapWithRecallBudgetAsync(Composition window, long floor, int leftover, List<TailMessage> recalled, CancellationToken cancellationToken)
    {
        if (recalled.Count == 0)
        {
            return false;
        }

        Guid sessionId = window.Tail.SessionId;

        int end = window.VerbatimCount;
        int gapTokens = 0;
        int affordable = Math.Max(0, leftover) + recalled.Sum(static r => r.Tokens);
        while (await window.Tail.EnsureAsync(end, cancellationToken).ConfigureAwait(false) && window.Tail[end].Sequence > floor)
        {
            gapTokens += window.Tail[end].Tokens;
            end++;
            if (gapTokens > affordable)
            {
                return false;
            }
        }

        if (end == window.VerbatimCount)
        {
            return false;
        }

        long gapFrom = window.Tail[end - 1].Sequence;
        int Freed() => Math.Max(0, leftover) + recalled.Where(r => r.Message.SessionId == sessionId && r.Sequence >= gapFrom).Sum(static r => r.Tokens);
        int dropped = 0;
        while (Freed() + dropped < gapTokens)
        {
            int last = recalled.Count - 1;
            while (last >= 0 && (recalled[last].Message.SessionId == sessionId && recalled[last].Sequence >= gapFrom))
            {
                last--;
            }

            if (last < 0)
            {
                return false;
            }

            var answer = recalled[last];
            dropped += answer.Tokens;
            recalled.RemoveAt(last);
            if (answer.Message.Role == MessageRole.Assistant && last > 0 && recalled[last - 1] is var question
                && question.Message.Role == MessageRole.User && question.Message.SessionId == answer.Message.SessionId
                && question.Sequence == answer.Sequence - 1 && !(question.Message.SessionId == sessionId && question.Sequence >= gapFrom))
            {
                // A recalled question without the answer recalled with it holds no fact.
                dropped += question.Tokens;
                recalled.RemoveAt(last - 1);
            }
        }

        window.VerbatimCount = end;
        DropRecalledInWindow(window, recalled);
        return true;
    }

    private static void DropRecalledInWindow(Composition window, List<TailMessage> recalled)
    {
        if (recalled.Count == 0)
        {
            return;
        }

        long start = window.VerbatimStart();
        Guid sessionId = window.Tail.SessionId;
        recalled.RemoveAll(r => r.Message.SessionId == sessionId && r.Sequence >= start);
        if (recalled.Count > 0)
        {
            var texts = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < window.VerbatimCount; i++)
            {
                texts.Add(window.Tail[i].Message.Content);
            }

            recalled.RemoveAll(r => texts.Contains(r.Message.Content));
        }
    }

    private static int CountRecalled(IReadOnlyList<ContextItem> items)
    {
        int count = 0;
        for (int i = 0; i < items.Count; i++)
        {
            if (items[i].Kind == ContextItemKind.Recalled)
            {
                count++;
            }
        }

        return count;
    }

    private int SumSummaryTokens(List<SessionSummary> summaries)
    {
        int tokens = 0;
        foreach (var summary in summaries)
        {
            tokens += SummaryTokens(summary);
        }

        return tokens;
    }

    private static int RecalledTokens(List<TailMessage> recalled)
    {
        int tokens = 0;
        foreach (var r in recalled)
        {
            tokens += r.Tokens;
        }

        return tokens;
    }

    /// <summary>The parts of a window being composed: the verbatim tail and what the summaries cost.</summary>
    private sealed class Composition(MessageTail tail, long lastSequence)
    {
        private int _verbatimCount;

        public MessageTail Tail => tail;

        /// <summary>How many of the newest messages are verbatim.</summary>
        public int VerbatimCount
        {
            get => _verbatimCount;
            set
            {
                _verbatimCount = value;
                VerbatimTokens = SumTokens(tail, value);
            }
        }

        public int VerbatimTokens { get; private set; }

        public int SummaryTokens { get; set; }

        /// <summary>The first verbatim sequence (one past the last message when there is none).</summary>
        public long VerbatimStart() => _verbatimCount == 0 ? lastSequence + 1 : tail[_verbatimCount - 1].Sequence;
    }

    /// <summary>Adds one search's hits; a caller-scoped store may refuse a search beyond what the caller was granted, and that search is then skipped.</summary>
    private async Task<bool> TrySearchAsync(string userId, string query, Guid? sessionId, int limit, List<SearchHit> hits, CancellationToken cancellationToken)
    {
        try
        {
            var results = await _store.SearchAsync(userId, new SearchQuery { Text = query, SessionId = sessionId, Limit = limit, Mode = SearchMode.Auto, Bounded = true }, cancellationToken).ConfigureAwait(false);
            hits.AddRange(results.Items);
            return true;
        }
        catch (SessionAccessDeniedException)
        {
            return false;
        }
    }

    /// <summary>
    /// The sessions this one continues, newest first, as far as <see cref="ContextOptions.MaxLinkedSessions"/> allows; a link
    /// to a session that is gone, belongs to someone else or is not readable by the caller ends the chain.
    /// </summary>
    private async Task<List<Session>> LinkedSessionsAsync(Session session, CancellationToken cancellationToken)
    {
        var chain = new List<Session>();
        var link = session.ContinuesFromSessionId;
        while (link is { } id && chain.Count < _options.MaxLinkedSessions && id != session.Id && chain.TrueForAll(s => s.Id != id))
        {
            Session? earlier;
            try
            {
                earlier = await _store.FindSessionAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (SessionAccessDeniedException)
            {
                break;
            }

            if (earlier is null || !string.Equals(earlier.UserId, session.UserId, StringComparison.Ordinal))
            {
                break;
            }

            chain.Add(earlier);
            link = earlier.ContinuesFromSessionId;
        }

        return chain;
    }

    /// <summary>The newest summaries of the linked sessions that fit <paramref name="cap"/>, read as they are (nothing is summarized or rolled up in another session).</summary>
    private async Task<List<SessionSummary>> CarriedSummariesAsync(IReadOnlyList<Session> linked, int cap, List<TailMessage> recalled, CancellationToken cancellationToken)
    {
        var carried = new List<SessionSummary>();
        int used = 0;
        foreach (var earlier in linked)
        {
            if (used >= cap)
            {
                break;
            }

            long through = await ThroughPointAsync(earlier.Id, level: 1, upper: null, snapshot: null, cancellationToken).ConfigureAwait(false);
            var (frontier, _, _) = await ReadFrontierAsync(earlier.Id, through, cap - used, snapshot: null, cancellationToken).ConfigureAwait(false);
            foreach (var summary in frontier)
            {
                if (recalled.Exists(r => r.Message.SessionId == summary.SessionId && r.Sequence >= summary.FromSequence && r.Sequence <= summary.ToSequence))
                {
                    // That message is in the window verbatim: its summary would send the same content twice.
                    continue;
                }

                int tokens = SummaryTokens(summary);
                if (used + tokens > cap)
                {
                    return carried;
                }

                carried.Add(summary);
                used += tokens;
            }
        }

        return carried;
    }

    /// <summary>
    /// Calls the summarizer with a timeout; on failure records the fallback and returns <see langword="null"/>. Only the
    /// caller's cancellation propagates. The timeout holds even for a summarizer that ignores its token: the build stops
    /// waiting (on <see cref="_timeProvider"/>) and abandons the call, observing its eventual failure.
    /// </summary>
    private async Task<string?> TrySummarizeAsync(SummarizationRequest request, BuildState state, CancellationToken cancellationToken)
    {
        state.SummarizerCalls++;
        var summarizerTag = new KeyValuePair<string, object?>(SessionKitDiagnostics.SummarizerId, _summarizer.Id);
        Metrics.SummarizerCalls.Add(1, summarizerTag);
        using var activity = SessionKitDiagnostics.ActivitySource.StartActivity("sessionkit.summarize");
        activity?.SetTag(SessionKitDiagnostics.SummarizerId, _summarizer.Id);
        activity?.SetTag(SessionKitDiagnostics.MessageCount, request.Messages.Count);
        long started = Stopwatch.GetTimestamp();
        using var timeout = new CancellationTokenSource(_options.SummarizerTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        Task<SummarizationResult>? summarizing = null;
        try
        {
            summarizing = _summarizer.SummarizeAsync(request, linked.Token);
            // Wait on the token whose timer started before the call: a second timer started here could be registered
            // only after the clock has already moved past the deadline (a fake clock in tests, a stalled thread in production).
            var result = await summarizing.WaitAsync(linked.Token).ConfigureAwait(false);
            Metrics.RecordOperation("summarize", started);
            if (string.IsNullOrWhiteSpace(result?.Text))
            {
                return state.Fail($"The summarizer '{_summarizer.Id}' returned no text.");
            }

            state.SummariesCreated++;
            return result.Text;
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            SessionKitDiagnostics.RecordFailure(activity, ex);
            Metrics.RecordOperation("summarize", started, ex.GetType().FullName);
            Metrics.SummarizerFailures.Add(1, summarizerTag, new KeyValuePair<string, object?>(SessionKitDiagnostics.ErrorType, "timeout"));
            LogSummarizerTimedOut(_logger, _summarizer.Id, _options.SummarizerTimeout);
            return state.Fail($"The summarizer '{_summarizer.Id}' timed out after {_options.SummarizerTimeout}.");
        }
#pragma warning disable CA1031 // Any summarizer failure (a model outage, a bug in a plug-in) must degrade the build, not fail the request.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            SessionKitDiagnostics.RecordFailure(activity, ex);
            Metrics.RecordOperation("summarize", started, ex.GetType().FullName);
            Metrics.SummarizerFailures.Add(1, summarizerTag, new KeyValuePair<string, object?>(SessionKitDiagnostics.ErrorType, ex.GetType().FullName));
            LogSummarizerFailed(_logger, _summarizer.Id, ex.GetType().Name);
            return state.Fail($"The summarizer '{_summarizer.Id}' failed ({ex.GetType().Name}).");
        }
        finally
        {
            if (summarizing is { IsCompleted: false })
            {
                // Abandoned (timed out, or the caller cancelled): whatever it ends with must not go unobserved.
                _ = summarizing.ContinueWith(
                    static task => _ = task.Exception,
                    CancellationToken.None,
                    TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }
        }
    }

    private ContextWindow Assemble(
        Session session,
        ContextRequest request,
        ContextLayout layout,
        int systemTokens,
        List<SessionSummary> carried,
        List<SessionSummary> summaries,
        List<TailMessage> recalled,
        MessageTail tail,
        int verbatimCount,
        BuildState state)
    {
        var items = new List<ContextItem>(carried.Count + summaries.Count + recalled.Count + verbatimCount + 1);
        if (request.SystemPrompt is not null)
        {
            items.Add(new ContextItem
            {
                Kind = ContextItemKind.SystemPrompt,
                Role = MessageRole.System,
                Content = request.SystemPrompt,
                Sequences = new SequenceRange(0, 0),
                TokenCount = systemTokens,
            });
        }

        // Summaries carried over from earlier sessions come first (oldest first). Carried summaries were selected newest
        // session first and newest coverage first; reversed, they read in order.
        for (int i = carried.Count - 1; i >= 0; i--)
        {
            items.Add(SummaryItem(carried[i]) with { SourceSessionId = carried[i].SessionId });
        }

        if (layout == ContextLayout.CacheStable)
        {
            // The layout contract (ContextLayout.CacheStable): this session's summaries oldest first, every verbatim message
            // oldest first (the newest user turn last among them), then the recalled messages (other sessions', then this
            // one's, oldest first) at the very end. The recall is the only part that changes with every query; after the
            // newest user turn it leaves that turn in the next prompt's prefix too, so a turn changes nothing but what it adds.
            for (int i = summaries.Count - 1; i >= 0; i--)
            {
                items.Add(SummaryItem(summaries[i]));
            }

            for (int i = verbatimCount - 1; i >= 0; i--)
            {
                items.Add(MessageItem(ContextItemKind.Message, tail[i], null));
            }

            AddRecalledByTime(items, session.Id, recalled);
        }
        else
        {
            // Recalled messages from other sessions (oldest first); then this session's summaries and recalled messages by
            // position (a recalled message follows the summary of the range it is in); then the recent messages.
            AddRecalled(items, session.Id, recalled, ownSession: false);
            AddOlderByPosition(items, session.Id, summaries, recalled);

            for (int i = verbatimCount - 1; i >= 0; i--)
            {
                items.Add(MessageItem(ContextItemKind.Message, tail[i], null));
            }
        }

        return new ContextWindow
        {
            SessionId = session.Id,
            Items = items,
            TokenBudget = request.TokenBudget,
            TotalTokens = _counter.RequestOverhead + SumItemTokens(items),
            RequestOverheadTokens = _counter.RequestOverhead,
            TokenEncoding = _counter.EncodingName,
            OmittedRanges = Omitted(session.LastSequence, items),
            SummariesCreated = state.SummariesCreated,
            UsedFallback = state.FallbackReason is not null,
            FallbackReason = state.FallbackReason,
            Layout = layout,
            SummarizationBacklog = state.BacklogRemains,
        };
    }

    private static void AddRecalledByTime(List<ContextItem> items, Guid sessionId, List<TailMessage> recalled)
    {
        AddRecalled(items, sessionId, recalled, ownSession: false);
        AddRecalled(items, sessionId, recalled, ownSession: true);
    }

    /// <summary>
    /// Adds the recalled messages of this session (<paramref name="ownSession"/>, by sequence) or of other sessions (by
    /// time), in a stable order: equal keys keep their recall order.
    /// </summary>
    private static void AddRecalled(List<ContextItem> items, Guid sessionId, List<TailMessage> recalled, bool ownSession)
    {
        int count = 0;
        foreach (var r in recalled)
        {
            if ((r.Message.SessionId == sessionId) == ownSession)
            {
                count++;
            }
        }

        if (count == 0)
        {
            return;
        }

        var order = new (long Key, int Index)[count];
        count = 0;
        for (int i = 0; i < recalled.Count; i++)
        {
            var message = recalled[i].Message;
            if ((message.SessionId == sessionId) == ownSession)
            {
                order[count++] = (ownSession ? message.Sequence : message.CreatedAt.UtcTicks, i);
            }
        }

        Array.Sort(order);
        foreach (var (_, index) in order)
        {
            var r = recalled[index];
            items.Add(MessageItem(ContextItemKind.Recalled, r, ownSession ? null : r.Message.SessionId));
        }
    }

    /// <summary>
    /// Adds this session's summaries and recalled messages by position: by first sequence, a summary before a recalled message
    /// starting at the same sequence, otherwise in list order (summaries first) — a recalled message follows the summary of the
    /// range it is in.
    /// </summary>
    private void AddOlderByPosition(List<ContextItem> items, Guid sessionId, List<SessionSummary> summaries, List<TailMessage> recalled)
    {
        bool ownRecalled = false;
        foreach (var r in recalled)
        {
            ownRecalled |= r.Message.SessionId == sessionId;
        }

        // The common case: no recalled message of this session, and the summaries newest first (as selected): oldest first is
        // the list reversed.
        bool newestFirst = true;
        for (int i = 1; i < summaries.Count && newestFirst; i++)
        {
            newestFirst = summaries[i].FromSequence < summaries[i - 1].FromSequence;
        }

        if (!ownRecalled && newestFirst)
        {
            for (int i = summaries.Count - 1; i >= 0; i--)
            {
                items.Add(SummaryItem(summaries[i]));
            }

            return;
        }

        var order = new List<(long From, int Order, int Index)>(summaries.Count + recalled.Count);
        for (int i = 0; i < summaries.Count; i++)
        {
            order.Add((summaries[i].FromSequence, 0, i));
        }

        for (int i = 0; i < recalled.Count; i++)
        {
            if (recalled[i].Message.SessionId == sessionId)
            {
                order.Add((recalled[i].Sequence, 1, i));
            }
        }

        order.Sort();
        foreach (var (_, kind, index) in order)
        {
            items.Add(kind == 0 ? SummaryItem(summaries[index]) : MessageItem(ContextItemKind.Recalled, recalled[index], null));
        }
    }

    private static int SumItemTokens(List<ContextItem> items)
    {
        int tokens = 0;
        foreach (var item in items)
        {
            tokens += item.TokenCount;
        }

        return tokens;
    }

    private ContextItem SummaryItem(SessionSummary summary) => new()
    {
        Kind = ContextItemKind.Summary,
        Role = MessageRole.System,
        Content = summary.Content,
        Sequences = new SequenceRange(summary.FromSequence, summary.ToSequence),
        TokenCount = SummaryTokens(summary),
        CreatedAt = summary.CreatedAt,
        SummaryLevel = summary.Level,
    };

    private static ContextItem MessageItem(ContextItemKind kind, TailMessage entry, Guid? sourceSessionId) => new()
    {
        Kind = kind,
        Role = entry.Message.Role,
        Content = entry.Message.Content,
        AuthorId = entry.Message.AuthorId,
        ToolCallId = entry.Message.ToolCallId,
        ToolName = entry.Message.ToolName,
        Sequences = new SequenceRange(entry.Sequence, entry.Sequence),
        TokenCount = entry.Tokens,
        CreatedAt = entry.Message.CreatedAt,
        SourceSessionId = sourceSessionId,
    };

    /// <summary>The ranges of this session's history (up to <paramref name="lastSequence"/>) that no item of <paramref name="items"/> covers.</summary>
    private static List<SequenceRange> Omitted(long lastSequence, List<ContextItem> items)
    {
        // Only this session's summaries and messages cover its history (not the system prompt, nor another session's items).
        // They are usually in sequence order already; sort a copy only when not. Items starting at the same sequence may come
        // in any order: the walk below gives the same ranges either way.
        int count = 0;
        bool sorted = true;
        long previousFrom = long.MinValue;
        foreach (var item in items)
        {
            if (Covers(item))
            {
                count++;
                sorted &= item.Sequences.From >= previousFrom;
                previousFrom = item.Sequences.From;
            }
        }

        var omitted = new List<SequenceRange>();
        long next = 1;
        if (sorted)
        {
            foreach (var item in items)
            {
                if (Covers(item))
                {
                    next = Advance(omitted, next, item.Sequences);
                }
            }
        }
        else
        {
            var ranges = new SequenceRange[count];
            count = 0;
            foreach (var item in items)
            {
                if (Covers(item))
                {
                    ranges[count++] = item.Sequences;
                }
            }

            Array.Sort(ranges, static (a, b) => a.From.CompareTo(b.From));
            foreach (var range in ranges)
            {
                next = Advance(omitted, next, range);
            }
        }

        if (next <= lastSequence)
        {
            omitted.Add(new SequenceRange(next, lastSequence));
        }

        return omitted;

        static bool Covers(ContextItem item) => item.Kind != ContextItemKind.SystemPrompt && item.SourceSessionId is null;

        static long Advance(List<SequenceRange> omitted, long next, SequenceRange range)
        {
            if (range.From > next)
            {
                omitted.Add(new SequenceRange(next, range.From - 1));
            }

            return Math.Max(next, range.To + 1);
        }
    }

    private int SummaryTokens(SessionSummary summary) =>
        string.Equals(summary.TokenEncoding, _counter.EncodingName, StringComparison.Ordinal)
            ? summary.TokenCount
            : TokenCounting.CountSummary(_counter, summary.Content);

    private static int SumTokens(MessageTail tail, int count)
    {
        int tokens = 0;
        for (int i = 0; i < count; i++)
        {
            tokens += tail[i].Tokens;
        }

        return tokens;
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Summarizer {SummarizerId} timed out after {Timeout}; the context window falls back to verbatim messages.")]
    private static partial void LogSummarizerTimedOut(ILogger logger, string summarizerId, TimeSpan timeout);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Summarizer {SummarizerId} failed with {ExceptionType}; the context window falls back to verbatim messages.")]
    private static partial void LogSummarizerFailed(ILogger logger, string summarizerId, string exceptionType);

    /// <summary>A text and its token count.</summary>
    private sealed record CountedText(string Text, int Tokens);

    /// <summary>What one build has done so far: summarizer calls, summaries made and whether it fell back.</summary>
    private sealed class BuildState(ContextRequest request, int maxSummarizerCalls)
    {
        public int SummarizerCalls { get; set; }

        public int SummariesCreated { get; set; }

        public int SummaryTargetTokens { get; set; }

        /// <summary>What the build read first, for the summary queries it answers; <see langword="null"/> when the store reads none.</summary>
        public ContextSnapshotView? Snapshot { get; init; }

        public string? FallbackReason { get; private set; }

        /// <summary>Whether the build stopped at its summarizer-call limit with summarizing still to do.</summary>
        public bool BacklogRemains { get; set; }

        public bool CanSummarize => request.SummarizeInline && FallbackReason is null && SummarizerCalls < maxSummarizerCalls;

        /// <summary>Whether summarizing stopped only because this build made as many summarizer calls as it may.</summary>
        public bool LimitReached => request.SummarizeInline && FallbackReason is null && SummarizerCalls >= maxSummarizerCalls;

        public string? Fail(string reason)
        {
            FallbackReason = reason;
            return null;
        }
    }
}
