using SessionKit;

namespace ResearchAssistant;

/// <summary>Recognises the user, then either starts their first research session or continues the one they had.</summary>
internal sealed class ResearchAssistantApp(ISessionStore store, ConversationPrinter printer)
{
    // Enough to show the thread of the conversation; a context window replaces this once SessionKit builds one.
    private const int RememberedMessageCount = 4;

    public async Task RunAsync(string userId, CancellationToken cancellationToken = default)
    {
        var page = await store.ListSessionsAsync(userId, cancellationToken: cancellationToken);
        printer.PrintSessionList(userId, page.Items);

        if (page.Items.Count == 0)
        {
            await StartSessionAsync(userId, cancellationToken);
        }
        else
        {
            await ContinueSessionAsync(page.Items[0], cancellationToken);
        }
    }

    private async Task StartSessionAsync(string userId, CancellationToken cancellationToken)
    {
        var session = await store.CreateSessionAsync(
            userId,
            new SessionCreateOptions { Title = ClimateResearchScript.SessionTitle },
            cancellationToken);
        printer.PrintNewSession(session);

        var framed = await store.AppendMessagesAsync(session.Id, [NewMessage.System(ClimateResearchScript.SystemPrompt)], cancellationToken: cancellationToken);
        printer.PrintMessages(framed.Messages);
        session = framed.Session;

        foreach (var turn in ClimateResearchScript.Opening)
        {
            session = await PlayTurnAsync(session, turn, cancellationToken);
        }

        printer.PrintSaved(session);
    }

    private async Task ContinueSessionAsync(Session session, CancellationToken cancellationToken)
    {
        printer.PrintReturningUser(session);
        var remembered = await store.GetLastMessagesAsync(session.Id, RememberedMessageCount, cancellationToken);
        printer.PrintRemembered(remembered);

        session = await PlayTurnAsync(session, ClimateResearchScript.FollowUpFor(session.MessageCount), cancellationToken);
        printer.PrintSaved(session);
    }

    private async Task<Session> PlayTurnAsync(Session session, ScriptedTurn turn, CancellationToken cancellationToken)
    {
        // A question and its answer are stored in one atomic append, so history never holds half a turn; the expected
        // version makes a concurrent writer to the same session fail loudly instead of interleaving with this turn.
        var result = await store.AppendMessagesAsync(
            session.Id,
            [NewMessage.User(turn.Question), NewMessage.Assistant(turn.Answer)],
            new AppendOptions { ExpectedVersion = session.Version },
            cancellationToken);
        printer.PrintMessages(result.Messages);
        return result.Session;
    }
}
