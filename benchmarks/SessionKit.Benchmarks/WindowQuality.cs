using System.Globalization;
using System.Text;

namespace SessionKit.Benchmarks;

/// <summary>
/// What a window contains, measured (not timed) on seeded data: prompt-cache prefix reuse over many turns, and recall on a
/// seeded recall set. Run with <c>dotnet run -c Release --project benchmarks/SessionKit.Benchmarks -- --quality</c>.
/// </summary>
public static class WindowQuality
{
    private const string SystemPrompt = "You are a research assistant. Answer from the conversation and cite what was said before when it helps.";

    private static readonly string[] Things =
    [
        "offshore wind", "rooftop solar", "pumped hydro", "green hydrogen", "grid batteries", "geothermal plants",
        "nuclear fission", "tidal turbines", "biomass boilers", "heat pumps", "carbon capture", "district heating",
        "electric buses", "cement kilns", "steel furnaces", "peat restoration", "mangrove planting", "kelp farming",
        "rice paddies", "cattle feedlots", "data centres", "desalination plants", "cargo shipping", "air travel",
    ];

    private static readonly string[] Measures =
    [
        "capacity factor", "payback period", "failure rate", "water footprint", "land footprint", "lifetime emissions",
    ];

    private static readonly string[] Distractors =
    [
        "Is there any controversy around the {0} of {1}?", "Why do people argue about the {0} of {1}?",
        "Should I worry about the {0} of {1}?", "Who measures the {0} of {1}?",
    ];

    /// <summary>The prompt-cache figure of one layout over a conversation.</summary>
    /// <param name="Name">The layout (or the sliding window).</param>
    /// <param name="AverageReuse">The mean over turns of the share of each prompt's tokens identical to the start of the previous prompt.</param>
    /// <param name="AverageTokens">The mean prompt size.</param>
    /// <param name="Turns">How many turns were measured.</param>
    public sealed record PrefixReuse(string Name, double AverageReuse, double AverageTokens, int Turns);

    /// <summary>The recall figure of one layout on the recall set.</summary>
    /// <param name="Name">The layout.</param>
    /// <param name="Probes">How many questions about older facts were asked.</param>
    /// <param name="FactVerbatim">How many windows held the sentence with the fact verbatim (recalled or recent).</param>
    /// <param name="FactAnywhere">How many windows held the fact at all (summaries included).</param>
    /// <param name="RecalledTokens">The mean tokens spent on recalled items.</param>
    public sealed record RecallFigure(string Name, int Probes, int FactVerbatim, int FactAnywhere, double RecalledTokens);

    /// <summary>Prefix reuse over <paramref name="turns"/> turns at <paramref name="budget"/> tokens, for each layout and a sliding window.</summary>
    public static async Task<IReadOnlyList<PrefixReuse>> MeasurePrefixReuseAsync(int turns = 200, int budget = 4000, CancellationToken cancellationToken = default)
    {
        var results = new List<PrefixReuse>();
        foreach (var (name, layout, recall) in Layouts().Select(l => (l.Name, l.Layout, Recall: true)).Concat(Layouts().Select(l => (Name: l.Name + ", recall off", l.Layout, Recall: false))))
        {
            var counter = SharpTokenCounter.Default;
            using var store = new InMemorySessionStore(tokenCounter: counter);
            var builder = NewBuilder(store, counter, layout);
            var session = await store.CreateSessionAsync("ada", cancellationToken: cancellationToken).ConfigureAwait(false);
            var conversation = SeededConversation.Create(turns * 2, 60, 120, seed: 17);
            List<(string Key, int Tokens)>? previous = null;
            List<(string Key, int Tokens)>? previousSliding = null;
            double reuse = 0, size = 0, slidingReuse = 0, slidingSize = 0;
            for (int turn = 0; turn < turns; turn++)
            {
                var question = conversation[turn * 2];
                await store.AppendMessageAsync(session.Id, question, cancellationToken: cancellationToken).ConfigureAwait(false);
                var window = await builder.BuildAsync(session.Id, Request(budget, recall ? question.Content : null, layout), cancellationToken).ConfigureAwait(false);
                var prompt = window.Items.Select(i => (Key: $"{i.Kind}|{i.Sequences}|{i.Content}", Tokens: i.TokenCount)).ToList();
                if (previous is not null)
                {
                    reuse += (double)Shared(previous, prompt) / prompt.Sum(p => p.Tokens);
                    size += prompt.Sum(p => p.Tokens);
                }

                previous = prompt;
                if (layout is null && recall)
                {
                    // The sliding window: the system prompt and the newest messages that fit, counted the same way.
                    var sliding = await SlidingWindowAsync(store, counter, session.Id, budget, cancellationToken).ConfigureAwait(false);
                    if (previousSliding is not null)
                    {
                        slidingReuse += (double)Shared(previousSliding, sliding) / sliding.Sum(p => p.Tokens);
                        slidingSize += sliding.Sum(p => p.Tokens);
                    }

                    previousSliding = sliding;
                }

                await store.AppendMessageAsync(session.Id, conversation[(turn * 2) + 1], cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            if (layout is null && recall)
            {
                results.Add(new PrefixReuse("sliding window (newest messages that fit)", slidingReuse / (turns - 1), slidingSize / (turns - 1), turns - 1));
            }

            results.Add(new PrefixReuse(name, reuse / (turns - 1), size / (turns - 1), turns - 1));
        }

        return results;
    }

    /// <summary>
    /// Recall on a seeded recall set: <paramref name="facts"/> facts stated once each (a question and the answer holding the
    /// fact), each topic also raised by questions that repeat its words without an answer, inside filler conversation; then
    /// one probe per fact ("What did you say about the … of …?") as the newest user message and the query.
    /// </summary>
    public static async Task<IReadOnlyList<RecallFigure>> MeasureRecallAsync(int facts = 24, int budget = 4000, CancellationToken cancellationToken = default)
    {
        var results = new List<RecallFigure>();
        var random = new Random(23);
        var topics = Enumerable.Range(0, facts).Select(i => (Measure: Measures[i % Measures.Length], Thing: Things[i % Things.Length], Value: 11 + random.Next(80))).ToList();
        foreach (var (name, layout) in Layouts())
        {
            var counter = SharpTokenCounter.Default;
            using var store = new InMemorySessionStore(tokenCounter: counter);
            var builder = NewBuilder(store, counter, layout);
            var session = await store.CreateSessionAsync("ada", cancellationToken: cancellationToken).ConfigureAwait(false);
            await AppendRecallSetAsync(store, session.Id, topics, cancellationToken).ConfigureAwait(false);
            await builder.SummarizeAsync(session.Id, budget, cancellationToken).ConfigureAwait(false);
            int verbatim = 0, anywhere = 0;
            double recalledTokens = 0;
            foreach (var (measure, thing, value) in topics)
            {
                string probe = $"What did you say about the {measure} of {thing}?";
                string fact = FactSentence(measure, thing, value);
                var window = await builder.BuildAsync(session.Id, Request(budget, probe, layout) with { RequireNewestUserTurn = false, SummarizeInline = false }, cancellationToken).ConfigureAwait(false);
                verbatim += window.Items.Any(i => i.Kind is ContextItemKind.Recalled or ContextItemKind.Message && i.Content.Contains(fact, StringComparison.Ordinal)) ? 1 : 0;
                anywhere += window.Items.Any(i => i.Content.Contains(fact, StringComparison.Ordinal)) ? 1 : 0;
                recalledTokens += window.Items.Where(i => i.Kind == ContextItemKind.Recalled).Sum(i => i.TokenCount);
            }

            results.Add(new RecallFigure(name, topics.Count, verbatim, anywhere, recalledTokens / topics.Count));
        }

        return results;
    }

    /// <summary>Both measurements as a text report.</summary>
    public static async Task<string> ReportAsync(int turns = 200, int facts = 24, CancellationToken cancellationToken = default)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Prefix reuse over {turns} turns at a 4,000-token budget (system prompt, query = the user's message):");
        foreach (var r in await MeasurePrefixReuseAsync(turns, 4000, cancellationToken).ConfigureAwait(false))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {r.Name,-45} reuse {r.AverageReuse,7:P1}   mean prompt {r.AverageTokens,6:F0} tokens");
        }

        // The cache-stable layout caps recall in tokens (ContextOptions.CacheStableRecallTokens), so recall is also shown at
        // smaller budgets, where the cap and the share differ the other way round.
        foreach (int budget in new[] { 4000, 2000, 1000 })
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Recall set: {facts} facts, 4 word-repeating questions per fact, {budget:N0}-token budget:");
            foreach (var r in await MeasureRecallAsync(facts, budget, cancellationToken).ConfigureAwait(false))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {r.Name,-45} fact verbatim {r.FactVerbatim,3}/{r.Probes}   fact anywhere {r.FactAnywhere,3}/{r.Probes}   recalled {r.RecalledTokens,5:F0} tokens");
            }
        }

        return text.ToString();
    }

    private static IEnumerable<(string Name, ContextLayout? Layout)> Layouts()
    {
        yield return ("SessionKit, default layout", null);
#if !BEFORE_ISSUE_17
        yield return ("SessionKit, ContextLayout.Fill", ContextLayout.Fill);
        yield return ("SessionKit, ContextLayout.CacheStable", ContextLayout.CacheStable);
#endif
    }

    private static ContextBuilder NewBuilder(ISessionStore store, ITokenCounter counter, ContextLayout? layout) =>
        new(store, counter, new ExtractiveSummarizer(counter), new ContextOptions { MaxSummarizationsPerBuild = 100 });

    private static ContextRequest Request(int budget, string? query, ContextLayout? layout) =>
#if BEFORE_ISSUE_17
        new() { TokenBudget = budget, SystemPrompt = SystemPrompt, Query = query };
#else
        new() { TokenBudget = budget, SystemPrompt = SystemPrompt, Query = query, Layout = layout, RecallNewestUserMessage = query is not null };
#endif

    private static int Shared(List<(string Key, int Tokens)> previous, List<(string Key, int Tokens)> current)
    {
        int tokens = 0;
        for (int i = 0; i < Math.Min(previous.Count, current.Count) && string.Equals(previous[i].Key, current[i].Key, StringComparison.Ordinal); i++)
        {
            tokens += current[i].Tokens;
        }

        return tokens;
    }

    private static async Task<List<(string Key, int Tokens)>> SlidingWindowAsync(InMemorySessionStore store, SharpTokenCounter counter, Guid sessionId, int budget, CancellationToken cancellationToken)
    {
        int system = counter.CountMessageTokens(MessageRole.System, SystemPrompt);
        int left = budget - counter.RequestOverhead - system;
        var newest = await store.GetLastMessagesAsync(sessionId, 200, cancellationToken).ConfigureAwait(false);
        var kept = new List<(string Key, int Tokens)>();
        for (int i = newest.Count - 1; i >= 0; i--)
        {
            int tokens = counter.CountMessageTokens(newest[i].Role, newest[i].Content);
            if (tokens > left)
            {
                break;
            }

            left -= tokens;
            kept.Add(($"m|{newest[i].Sequence}", tokens));
        }

        kept.Reverse();
        kept.Insert(0, ("system", system));
        return kept;
    }

    private static string FactSentence(string measure, string thing, int value) =>
        string.Create(CultureInfo.InvariantCulture, $"The {measure} of {thing} is {value} percent in the survey we discussed");

    private static async Task AppendRecallSetAsync(InMemorySessionStore store, Guid sessionId, List<(string Measure, string Thing, int Value)> topics, CancellationToken cancellationToken)
    {
        var filler = SeededConversation.Create(topics.Count * 20, 60, 120, seed: 29);
        int next = 0;
        for (int t = 0; t < topics.Count; t++)
        {
            var (measure, thing, value) = topics[t];
            var batch = new List<NewMessage>();
            for (int f = 0; f < 6; f++)
            {
                batch.Add(filler[next++]);
            }

            batch.Add(NewMessage.User($"What is the {measure} of {thing}?"));
            batch.Add(NewMessage.Assistant($"{FactSentence(measure, thing, value)}, with a wide spread between sites and years, so treat it as a central estimate rather than a rule."));
            foreach (string distractor in Distractors)
            {
                batch.Add(filler[next++]);
                batch.Add(filler[next++]);
                batch.Add(NewMessage.User(string.Format(CultureInfo.InvariantCulture, distractor, measure, thing)));
                batch.Add(NewMessage.Assistant("Opinions differ here, and the debate keeps moving as new studies come out."));
            }

            await store.AppendMessagesAsync(sessionId, batch, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        // The probes come long after: recent conversation pushes the facts out of the verbatim window.
        await store.AppendMessagesAsync(sessionId, SeededConversation.Create(80, 60, 120, seed: 31), cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}

#if BEFORE_ISSUE_17
/// <summary>Stands in for the layout enum when this report is compiled against the code before it existed (for the "before" figures).</summary>
public enum ContextLayout
{
    /// <summary>Unused before.</summary>
    Fill = 0,

    /// <summary>Unused before.</summary>
    CacheStable = 1,
}
#endif
