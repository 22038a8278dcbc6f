using NUnit.Framework;

namespace SessionKit.Testing;

// Parallel tool calls as the chat middleware stores them: one assistant message per call and one tool message per result,
// each a part ("sessionkit.part" = index/count) of its chat message. A group (the calls of one turn and their results)
// is never separated — at the edge of the recent window, at summary block boundaries, in recall.
public abstract partial class ContextBuilderConformanceTests
{
    private const string PartKey = "sessionkit.part";

    [Test]
    public async Task ParallelToolCallGroups_AreNeverSplit_AtAnyBudget()
    {
        var session = await _store.CreateSessionAsync("ada");
        var groups = await AppendToolConversationAsync(session.Id, turns: 12, seed: 31);
        var builder = Builder(options: new ContextOptions { MaxSummarizationsPerBuild = 0 });
        var failures = new List<string>();
        int built = 0;

        for (int budget = 60; budget <= 2600; budget += 40)
        {
            ContextWindow window;
            try
            {
                window = await builder.BuildAsync(session.Id, new ContextRequest { TokenBudget = budget, SummarizeInline = false });
            }
            catch (ContextBudgetExceededException)
            {
                continue;
            }

            built++;
            failures.AddRange(SplitGroups(window, groups).Select(f => $"budget {budget}: {f}"));
            AssertWithinBudgetByRecount(window);
        }

        Assert.That(built, Is.GreaterThan(40), "most budgets build a window");
        Assert.That(failures, Is.Empty);
    }

    [Test]
    public async Task ParallelToolCallGroups_AtTheEndOfTheSession_AreMandatoryWhole()
    {
        var session = await _store.CreateSessionAsync("ada");
        var groups = await AppendToolConversationAsync(session.Id, turns: 3, seed: 32);
        // The session ends on a group: no user message after it, and the caller does not require one.
        var last = await AppendGroupAsync(session.Id, new Random(33), "final", parallelCalls: 3, withText: true);
        groups.Add(last);

        var failures = new List<string>();
        for (int budget = 40; budget <= 1200; budget += 20)
        {
            ContextWindow window;
            try
            {
                window = await Builder().BuildAsync(session.Id, new ContextRequest { TokenBudget = budget, RequireNewestUserTurn = false, SummarizeInline = false });
            }
            catch (ContextBudgetExceededException)
            {
                continue;
            }

            failures.AddRange(SplitGroups(window, groups).Select(f => $"budget {budget}: {f}"));
        }

        Assert.That(failures, Is.Empty);
    }

    [Test]
    public async Task SummaryBlocks_NeverCutAToolCallGroup_AtAnyBudget()
    {
        var session = await _store.CreateSessionAsync("ada");
        var groups = await AppendToolConversationAsync(session.Id, turns: 16, seed: 34);
        var failures = new List<string>();

        for (int budget = 300; budget <= 2000; budget += 100)
        {
            // A fresh session per budget would be costly; instead invalidate and redo: delete all summaries via a new session copy.
            var copy = await _store.CreateSessionAsync("ada");
            var copied = await CopyMessagesAsync(session.Id, copy.Id);
            var builder = Builder(options: new ContextOptions { SummaryBlockSize = 4, MaxSummarizationsPerBuild = 100 });

            var window = await builder.BuildAsync(copy.Id, new ContextRequest { TokenBudget = budget });

            foreach (var summary in await _store.GetSummariesAsync(copy.Id))
            {
                foreach (var (first, lastSeq) in groups.Select(g => (g[0] + copied, g[^1] + copied)))
                {
                    if ((first < summary.FromSequence && summary.FromSequence <= lastSeq) || (first <= summary.ToSequence && summary.ToSequence < lastSeq))
                    {
                        failures.Add($"budget {budget}: summary [{summary.FromSequence}, {summary.ToSequence}] cuts group [{first}, {lastSeq}]");
                    }
                }
            }

            failures.AddRange(SplitGroups(window, groups.Select(g => g.Select(s => s + copied).ToArray()).ToList()).Select(f => $"budget {budget}: {f}"));
            AssertWithinBudgetByRecount(window);
        }

        Assert.That(failures, Is.Empty);
    }

    [Test]
    public async Task Recall_OfWordsInAToolCallGroup_NeverReturnsHalfAGroup()
    {
        var session = await _store.CreateSessionAsync("ada");
        var groups = await AppendToolConversationAsync(session.Id, turns: 14, seed: 35);
        var builder = Builder(options: new ContextOptions { MaxSummarizationsPerBuild = 0, RecallShare = 0.4, SummaryShare = 0.1 });
        var failures = new List<string>();

        foreach (string query in new[] { "forecast", "weather Zurich", "rainfall", "lookup_station" })
        {
            for (int budget = 300; budget <= 1500; budget += 150)
            {
                var window = await builder.BuildAsync(session.Id, new ContextRequest { TokenBudget = budget, Query = query, SummarizeInline = false });
                failures.AddRange(SplitGroups(window, groups).Select(f => $"'{query}' at {budget}: {f}"));
            }
        }

        Assert.That(failures, Is.Empty);
    }

    /// <summary>Each group (sequences of one turn's calls and their results) is either wholly in the window's messages or not at all.</summary>
    private static IEnumerable<string> SplitGroups(ContextWindow window, IReadOnlyList<long[]> groups)
    {
        var present = window.Items
            .Where(i => i.Kind is ContextItemKind.Message or ContextItemKind.Recalled && i.SourceSessionId is null)
            .Select(i => i.Sequences.From)
            .ToHashSet();
        foreach (var group in groups)
        {
            int inWindow = group.Count(present.Contains);
            if (inWindow != 0 && inWindow != group.Length)
            {
                yield return $"group [{group[0]}, {group[^1]}] has {inWindow} of {group.Length} messages in the window";
            }
        }
    }

    /// <summary>Appends turns of: a question, a group of 1–3 parallel calls (sometimes after a text part) with their results, an answer.</summary>
    private async Task<List<long[]>> AppendToolConversationAsync(Guid sessionId, int turns, int seed)
    {
        var random = new Random(seed);
        var groups = new List<long[]>();
        for (int t = 0; t < turns; t++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            await _store.AppendMessageAsync(sessionId, NewMessage.User(Conversation.Sentence(random, 10) + " weather Zurich forecast?"));
            groups.Add(await AppendGroupAsync(sessionId, random, $"t{t}", parallelCalls: 1 + (t % 3), withText: t % 4 == 1));
            await _store.AppendMessageAsync(sessionId, NewMessage.Assistant(Conversation.Paragraph(random, 2) + " The rainfall forecast holds."));
        }

        return groups;
    }

    private async Task<long[]> AppendGroupAsync(Guid sessionId, Random random, string turn, int parallelCalls, bool withText)
    {
        var calls = new List<NewMessage>();
        int parts = parallelCalls + (withText ? 1 : 0);
        if (withText)
        {
            calls.Add(NewMessage.Assistant("Let me look that up.") with { Metadata = Part(0, parts) });
        }

        for (int c = 0; c < parallelCalls; c++)
        {
            calls.Add(NewMessage.ToolCall($"call_{turn}_{c}", "lookup_station", $"{{\"station\":\"{Conversation.Sentence(random, 2)}\",\"n\":{c}}}")
                with { Metadata = Part(calls.Count, parts) });
        }

        var results = Enumerable.Range(0, parallelCalls)
            .Select(c => NewMessage.ToolResult($"call_{turn}_{c}", $"{{\"forecast\":\"rainfall {c * 3} mm\",\"note\":\"{Conversation.Sentence(random, 8)}\"}}")
                with { Metadata = Part(c, parallelCalls) })
            .ToList();
        var appendedCalls = await _store.AppendMessagesAsync(sessionId, calls);
        var appendedResults = await _store.AppendMessagesAsync(sessionId, results);
        return [.. appendedCalls.Messages.Select(m => m.Sequence), .. appendedResults.Messages.Select(m => m.Sequence)];
    }

    private async Task<long> CopyMessagesAsync(Guid from, Guid to)
    {
        var messages = await _store.GetMessagesAsync(from, 1, long.MaxValue);
        var target = await _store.GetSessionAsync(to);
        await _store.AppendMessagesAsync(to, messages.Select(m => new NewMessage(m.Role, m.Content) { ToolCallId = m.ToolCallId, ToolName = m.ToolName, Metadata = m.Metadata }).ToList());
        return target.LastSequence;
    }

    private static Dictionary<string, string> Part(int index, int count) => new() { [PartKey] = $"{index}/{count}" };
}
