using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;
using SessionKit.Storage;

namespace SessionKit.Benchmarks;

/// <summary>
/// Recall quality on long conversations: each <see cref="ParaphraseCase"/> is planted early in a ~130-message seeded
/// conversation with its two distractors later, and the conversation ends with a question — one repeating the answer's
/// words, or one in other words (checked: no content word in common). A window "recalls" the fact when any of its items
/// holds the case's key. Compared: SessionKit without embeddings (lexical recall), SessionKit with embeddings (hybrid
/// recall), and truncation (the newest messages that fit). Run with <c>--paraphrase</c>; the figures are in the README.
/// </summary>
public sealed class ParaphraseBenchmark(IEmbeddingGenerator<string, Embedding<float>> generator, int fillerMessages = 120, TextWriter? explain = null)
{
    /// <summary>The budgets measured.</summary>
    public static IReadOnlyList<int> Budgets { get; } = [1_000, 2_000];

    /// <summary>Runs every case at every budget.</summary>
    /// <param name="cases">The cases (default: <see cref="ParaphraseSet.Cases"/>).</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>One row per question kind and budget.</returns>
    public async Task<IReadOnlyList<ParaphraseResult>> RunAsync(IReadOnlyList<ParaphraseCase>? cases = null, CancellationToken cancellationToken = default)
    {
        cases ??= ParaphraseSet.Cases;
        foreach (var c in cases)
        {
            var shared = Stems(c.Answer).Intersect(Stems(c.Paraphrase)).ToList();
            if (shared.Count > 0)
            {
                throw new InvalidOperationException($"The paraphrase '{c.Paraphrase}' shares {string.Join(", ", shared)} with its answer.");
            }
        }

        var counts = new Dictionary<(bool Paraphrased, int Budget), (int Lexical, int Hybrid, int Truncation)>();
        await using var store = new InMemorySessionStore();
        var sessions = new List<(ParaphraseCase Case, bool Paraphrased, Guid SessionId)>();
        for (int i = 0; i < cases.Count; i++)
        {
            foreach (bool paraphrased in new[] { false, true })
            {
                var session = await store.CreateSessionAsync("user-" + i.ToString(CultureInfo.InvariantCulture), cancellationToken: cancellationToken);
                await store.AppendMessagesAsync(session.Id, Conversation(cases[i], paraphrased, seed: 100 + i), cancellationToken: cancellationToken);
                sessions.Add((cases[i], paraphrased, session.Id));
            }
        }

        var builder = new ContextBuilder(store, SharpTokenCounter.Default, new ExtractiveSummarizer(SharpTokenCounter.Default));
        var lexical = new Dictionary<(Guid, int), bool>();
        foreach (var (c, _, sessionId) in sessions)
        {
            foreach (int budget in Budgets)
            {
                lexical[(sessionId, budget)] = Holds(await builder.BuildAsync(sessionId, new ContextRequest { TokenBudget = budget }, cancellationToken), c.Key);
            }
        }

        store.UseEmbeddings(generator);
        await new EmbeddingIndexer(store, batchSize: 64).DrainAsync(cancellationToken);
        foreach (var (c, paraphrased, sessionId) in sessions)
        {
            var all = await store.GetLastMessagesAsync(sessionId, 1_000, cancellationToken);
            foreach (int budget in Budgets)
            {
                var window = await builder.BuildAsync(sessionId, new ContextRequest { TokenBudget = budget }, cancellationToken);
                bool hybrid = Holds(window, c.Key);
                if (explain is not null && !hybrid)
                {
                    await ExplainAsync(explain, store, c, paraphrased, sessionId, budget, window, all, cancellationToken);
                }

                bool truncation = Truncate(all, budget).Any(m => m.Content.Contains(c.Key, StringComparison.Ordinal));
                var key = (paraphrased, budget);
                var (l, h, t) = counts.GetValueOrDefault(key);
                counts[key] = (l + (lexical[(sessionId, budget)] ? 1 : 0), h + (hybrid ? 1 : 0), t + (truncation ? 1 : 0));
            }
        }

        return [.. counts.OrderBy(p => p.Key.Paraphrased).ThenBy(p => p.Key.Budget)
            .Select(p => new ParaphraseResult(p.Key.Paraphrased, p.Key.Budget, cases.Count, p.Value.Lexical, p.Value.Hybrid, p.Value.Truncation))];
    }

    /// <summary>The results as a Markdown table.</summary>
    /// <param name="results">The rows.</param>
    /// <param name="modelId">The embedding model.</param>
    /// <returns>The table.</returns>
    public static string Format(IReadOnlyList<ParaphraseResult> results, string modelId)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Paraphrase recall ({(results.Count > 0 ? results[0].Cases : 0)} planted facts, embeddings: {modelId})");
        text.AppendLine();
        text.AppendLine("| question | budget | lexical recall | hybrid recall | truncation |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {(r.Paraphrased ? "in other words" : "same words")} | {r.Budget:N0} | {Percent(r.Lexical, r.Cases)} | {Percent(r.Hybrid, r.Cases)} | {Percent(r.Truncation, r.Cases)} |");
        }

        return text.ToString();
    }

    private static string Percent(int hits, int cases) => string.Create(CultureInfo.InvariantCulture, $"{100.0 * hits / cases:0}% ({hits}/{cases})");

    private NewMessage[] Conversation(ParaphraseCase c, bool paraphrased, int seed)
    {
        var filler = SeededConversation.Create(fillerMessages, 30, 90, seed).ToList();
        // The fact early (a fifth of the way in), the distractors later, so they are closer to the question.
        int answerAt = fillerMessages / 5 & ~1;
        int firstDistractorAt = fillerMessages / 2 & ~1;
        int secondDistractorAt = fillerMessages * 7 / 10 & ~1;
        filler.InsertRange(secondDistractorAt, [NewMessage.User("One more thing to keep in mind."), NewMessage.Assistant(c.Distractors[1])]);
        filler.InsertRange(firstDistractorAt, [NewMessage.User("Here is something related."), NewMessage.Assistant(c.Distractors[0])]);
        filler.InsertRange(answerAt, [NewMessage.User("Please remember this for later."), NewMessage.Assistant(c.Answer)]);
        filler.Add(NewMessage.User(paraphrased ? c.Paraphrase : c.WordQuestion));
        return [.. filler];
    }

    // Why a window missed its fact: where the answer ranks lexically, by meaning and fused, and what was recalled instead.
    private static async Task ExplainAsync(
        TextWriter writer, InMemorySessionStore store, ParaphraseCase c, bool paraphrased, Guid sessionId, int budget, ContextWindow window, IReadOnlyList<SessionMessage> all, CancellationToken cancellationToken)
    {
        string query = all[^1].Content;
        string userId = (await store.GetSessionAsync(sessionId, cancellationToken))!.UserId;
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MISS [{(paraphrased ? "other words" : "same words")}, {budget}] {query}"));
        foreach (var mode in new[] { SearchMode.Lexical, SearchMode.Semantic, SearchMode.Hybrid })
        {
            var hits = (await store.SearchAsync(userId, new SearchQuery { Text = query, SessionId = sessionId, Mode = mode, Limit = 50 }, cancellationToken)).Items;
            int rank = hits.ToList().FindIndex(h => h.Message.Content.Contains(c.Key, StringComparison.Ordinal));
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {mode,-8} answer rank {(rank < 0 ? "-" : (rank + 1).ToString(CultureInfo.InvariantCulture))}{(rank >= 0 ? $" score {hits[rank].Score:0.0000}" : "")}; top: "));
            foreach (var hit in hits.Take(5))
            {
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {hit.Score:0.0000} #{hit.Message.Sequence} {hit.Message.Role} {Short(hit.Message.Content)}"));
            }
        }

        foreach (var item in window.Items.Where(i => i.Kind != ContextItemKind.Message))
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  window {item.Kind} {item.TokenCount} tok: {Short(item.Content)}"));
        }

        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  window total {window.TotalTokens}, items {window.Items.Count}"));
    }

    private static string Short(string text) => text.Length <= 90 ? text : text[..90] + "…";

    private static bool Holds(ContextWindow window, string key) => window.Items.Any(i => i.Content.Contains(key, StringComparison.Ordinal));

    // Truncation: the newest messages whose cached token counts fit the budget (request overhead included).
    private static List<SessionMessage> Truncate(IReadOnlyList<SessionMessage> messages, int budget)
    {
        var kept = new List<SessionMessage>();
        int used = SharpTokenCounter.Default.RequestOverhead;
        for (int i = messages.Count - 1; i >= 0 && used + messages[i].TokenCount <= budget; i--)
        {
            used += messages[i].TokenCount;
            kept.Add(messages[i]);
        }

        return kept;
    }

    private static HashSet<string> Stems(string text) =>
        [.. SearchText.Words(text).Where(w => w.Length > 1 && !SearchText.IsStopWord(w)).Select(w => w.TrimEnd('s'))];
}

/// <summary>How often one kind of question found its fact at one budget.</summary>
/// <param name="Paraphrased">Whether the question was asked in other words.</param>
/// <param name="Budget">The token budget.</param>
/// <param name="Cases">How many cases ran.</param>
/// <param name="Lexical">Windows holding the fact with lexical recall.</param>
/// <param name="Hybrid">Windows holding the fact with hybrid recall.</param>
/// <param name="Truncation">Truncated histories holding the fact.</param>
public sealed record ParaphraseResult(bool Paraphrased, int Budget, int Cases, int Lexical, int Hybrid, int Truncation);
