using NUnit.Framework;

namespace SessionKit.Testing;

// Builds after a correction: edited content replaces the old in summaries and messages, gaps do not break summaries, a
// rewind leaves nothing of the dropped turns.
public abstract partial class ContextBuilderConformanceTests
{
    private ISessionCorrectionStore Corrections => (ISessionCorrectionStore)_store;

    [Test]
    public async Task AfterAnEditOfASummarizedMessage_TheNextBuildResummarizesWithTheNewContent()
    {
        var session = await _store.CreateSessionAsync("ada");
        await AppendConversationAsync(session.Id, turns: 40, seed: 11);
        var builder = Builder(options: new ContextOptions { MaxSummarizationsPerBuild = 100 });
        await builder.BuildAsync(session.Id, new ContextRequest { TokenBudget = 1500 });
        var before = await _store.GetSummariesAsync(session.Id, new SummaryQuery { Level = 1, NewestFirst = false, Limit = 1 });
        Assert.That(before.Single().FromSequence, Is.EqualTo(1), "the first messages were summarized");

        _time.Advance(TimeSpan.FromHours(1));
        var editedAt = _time.GetUtcNow();
        await Corrections.EditMessageAsync(session.Id, 2, "Zygomorphic quokkas correct the record decisively.");
        Assert.That(await _store.GetSummariesAsync(session.Id), Is.Empty, "every summary covered the edit or came after it");
        var window = await builder.BuildAsync(session.Id, new ContextRequest { TokenBudget = 1500 });

        var rebuilt = await _store.GetSummariesAsync(session.Id, new SummaryQuery { Level = 1, NewestFirst = false, Limit = 1000 });
        Assert.That(window.SummariesCreated, Is.GreaterThan(0));
        Assert.That(rebuilt[0].FromSequence, Is.EqualTo(1));
        Assert.That(rebuilt.Select(s => s.CreatedAt), Has.All.GreaterThanOrEqualTo(editedAt));
        AssertWithinBudgetByRecount(window);
        AssertChronological(window);
    }

    [Test]
    public async Task AfterDeletions_SummariesStayContiguousFromTheFirstSequence()
    {
        var session = await _store.CreateSessionAsync("ada");
        await AppendConversationAsync(session.Id, turns: 60, seed: 12);
        await Corrections.DeleteMessageAsync(session.Id, 1);
        await Corrections.DeleteMessageAsync(session.Id, 17);
        await Corrections.DeleteMessageAsync(session.Id, 18);

        var window = await Builder(options: new ContextOptions { MaxSummarizationsPerBuild = 100 }).BuildAsync(session.Id, new ContextRequest { TokenBudget = 1500 });

        var summaries = window.Items.Where(i => i.Kind == ContextItemKind.Summary).ToList();
        var messages = window.Items.Where(i => i.Kind == ContextItemKind.Message).ToList();
        var stored = await _store.GetSummariesAsync(session.Id, new SummaryQuery { Level = 1, NewestFirst = false, Limit = 1000 });
        Assert.That(summaries, Is.Not.Empty);
        Assert.That(stored[0].FromSequence, Is.EqualTo(1), "the gap at the start is covered, not left out");
        for (int i = 1; i < stored.Count; i++)
        {
            Assert.That(stored[i].FromSequence, Is.EqualTo(stored[i - 1].ToSequence + 1), "summaries are contiguous across the gaps");
        }

        Assert.That(summaries[^1].Sequences.To, Is.EqualTo(messages[0].Sequences.From - 1));
        Assert.That(messages.Select(m => m.Sequences.From), Has.None.AnyOf(1L, 17L, 18L));
        AssertWithinBudgetByRecount(window);
        AssertChronological(window);
    }

    [Test]
    public async Task AfterARewind_TheWindowEndsAtTheRewindPointAndTheRegeneratedAnswerFollows()
    {
        var session = await _store.CreateSessionAsync("ada");
        await AppendConversationAsync(session.Id, turns: 10, seed: 13);
        await Corrections.RewindAsync(session.Id, 19);
        await _store.AppendMessagesAsync(session.Id, [NewMessage.Assistant("A regenerated answer.")]);

        var window = await Builder().BuildAsync(session.Id, new ContextRequest { TokenBudget = 4000 });

        var messages = window.Items.Where(i => i.Kind == ContextItemKind.Message).ToList();
        Assert.That(messages[^1].Sequences.From, Is.EqualTo(20));
        Assert.That(messages[^1].Content, Is.EqualTo("A regenerated answer."));
        Assert.That(messages.Select(m => m.Sequences.From), Is.EqualTo(Enumerable.Range(1, 20).Select(i => (long)i)));
        AssertWithinBudgetByRecount(window);
    }
}
