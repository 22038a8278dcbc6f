using SessionKit;

namespace ResearchAssistant;

/// <summary>
/// The story: recognise the user; if they are new, play day 0 a few days in the past; then, in the present, welcome them
/// back, take their question, build a token-budgeted context window and answer from it.
/// </summary>
internal sealed class ResearchAssistantApp(
    ISessionStore store,
    IContextBuilder contextBuilder,
    ShiftedTimeProvider clock,
    OfflineResponder responder,
    ConversationPrinter printer,
    ContextWindowPrinter windowPrinter,
    ModelResponder? model = null)
{
    public async Task RunAsync(string userId, int daysLater, int tokenBudget, CancellationToken cancellationToken = default)
    {
        var sessions = await ListSessionsAsync(userId, cancellationToken);
        if (sessions.Count == 0)
        {
            await PlayDayZeroAsync(userId, daysLater, cancellationToken);
            printer.PrintDaysLater(daysLater);
            sessions = await ListSessionsAsync(userId, cancellationToken);
        }

        await ReturnAsync(sessions[0], tokenBudget, cancellationToken);
    }

    private async Task<IReadOnlyList<Session>> ListSessionsAsync(string userId, CancellationToken cancellationToken)
    {
        // The user is recognised by their id and their newest session; a later issue resolves a token or device instead.
        var page = await store.ListSessionsAsync(userId, cancellationToken: cancellationToken);
        printer.PrintSessionList(userId, page.Items);
        return page.Items;
    }

    private async Task PlayDayZeroAsync(string userId, int daysAgo, CancellationToken cancellationToken)
    {
        // The store takes its time from the registered clock, so setting it back stamps day 0 in the past.
        clock.Offset = -TimeSpan.FromDays(daysAgo);
        try
        {
            var session = await store.CreateSessionAsync(userId, new SessionCreateOptions { Title = ClimateResearchScript.SessionTitle }, cancellationToken);
            printer.PrintDayZero(session);
            foreach (var turn in ClimateResearchScript.DayZero)
            {
                // A question and its answer go in one atomic append, so history never holds half a turn.
                var result = await store.AppendMessagesAsync(
                    session.Id,
                    [NewMessage.User(turn.Question), NewMessage.Assistant(turn.Answer)],
                    new AppendOptions { ExpectedVersion = session.Version },
                    cancellationToken);
                printer.PrintCompact(result.Messages);
                session = result.Session;
            }
        }
        finally
        {
            clock.Offset = TimeSpan.Zero;
        }
    }

    private async Task ReturnAsync(Session session, int tokenBudget, CancellationToken cancellationToken)
    {
        printer.PrintWelcomeBack(session);

        var (question, asked) = await AskAsync(session, cancellationToken);
        printer.PrintTurn(question);

        var window = await contextBuilder.BuildAsync(
            session.Id,
            new ContextRequest { TokenBudget = tokenBudget, SystemPrompt = ClimateResearchScript.SystemPrompt, Query = question.Content },
            cancellationToken);
        windowPrinter.Print(window);

        if (model is not null)
        {
            // The middleware builds its own window within the same budget, sends it and stores the reply.
            await model.AnswerAsync(session.Id, ClimateResearchScript.SystemPrompt, cancellationToken);
            var reply = await store.GetLastMessagesAsync(session.Id, 1, cancellationToken);
            printer.PrintTurn(reply[0]);
            printer.PrintSaved(await store.GetSessionAsync(session.Id, cancellationToken));
            return;
        }

        string answer = await responder.AnswerAsync(window, question.Content, cancellationToken);
        var answered = await store.AppendMessagesAsync(
            session.Id, [NewMessage.Assistant(answer)], new AppendOptions { ExpectedVersion = asked.Version }, cancellationToken);
        printer.PrintTurn(answered.Messages[0]);
        printer.PrintSaved(answered.Session);
    }

    /// <summary>Stores the user's next question, or returns the one a failed run left unanswered so it is not asked twice.</summary>
    private async Task<(SessionMessage Question, Session Session)> AskAsync(Session session, CancellationToken cancellationToken)
    {
        var last = await store.GetLastMessagesAsync(session.Id, 1, cancellationToken);
        if (last is [{ Role: MessageRole.User } unanswered])
        {
            return (unanswered, session);
        }

        // Stored before the build: a window always includes the newest user turn, which is what it is built to answer.
        var asked = await store.AppendMessagesAsync(
            session.Id,
            [NewMessage.User(ClimateResearchScript.ReturnQuestionFor(session.MessageCount))],
            new AppendOptions { ExpectedVersion = session.Version },
            cancellationToken);
        return (asked.Messages[0], asked.Session);
    }
}
