using SessionKit;

namespace ResearchAssistant;

/// <summary>
/// The story: the user signs in on their phone; if they are new, day 0 is played a few days in the past; then, in the
/// present, they come back on their laptop, the resolver recognises them and decides whether the last session continues,
/// and the assistant answers their question from a token-budgeted context window. Every store and context call goes through
/// the signed-in user's scope, so it can only touch that user's sessions.
/// </summary>
internal sealed class ResearchAssistantApp(
    ISessionResolver resolver,
    ISessionAccessor accessor,
    ShiftedTimeProvider clock,
    OfflineResponder responder,
    ConversationPrinter printer,
    ContextWindowPrinter windowPrinter,
    ModelResponder? model = null,
    EmbeddingIndexer? indexer = null)
{
    public const string DayZeroDevice = "phone";

    public const string ReturnDevice = "laptop";

    public static readonly TimeSpan InactivityWindow = TimeSpan.FromDays(7);

    public async Task RunAsync(string userId, int daysLater, int tokenBudget, CancellationToken cancellationToken = default)
    {
        // The host authenticated the user (the --user option stands in for a login); SessionKit scopes everything to them.
        var scope = accessor.ForCaller(SessionCaller.User(userId));
        var sessions = await ListSessionsAsync(scope, userId, cancellationToken);
        if (sessions.Count == 0)
        {
            await PlayDayZeroAsync(scope, userId, daysLater, cancellationToken);
            printer.PrintDaysLater(daysLater);
            await ListSessionsAsync(scope, userId, cancellationToken);
        }

        // Back on another device: the resolver recognises the user and picks the session to continue (or starts a new one,
        // linked to the last, when the inactivity window has passed).
        var resolution = await resolver.ResolveAsync(
            new SessionResolutionRequest { UserId = userId, DeviceId = ReturnDevice, Title = ClimateResearchScript.SessionTitle },
            cancellationToken);
        printer.PrintResolution(resolution, ReturnDevice);
        var lastVisited = resolution.PreviousSessionId is { } previous ? await scope.GetSessionAsync(previous, cancellationToken) : resolution.Session;
        printer.PrintWelcomeBack(lastVisited);
        await ReturnAsync(scope, resolution.Session, tokenBudget, cancellationToken);
    }

    private async Task<IReadOnlyList<Session>> ListSessionsAsync(SessionScope scope, string userId, CancellationToken cancellationToken)
    {
        var page = await scope.ListSessionsAsync(userId, cancellationToken: cancellationToken);
        printer.PrintSessionList(userId, page.Items);
        return page.Items;
    }

    private async Task PlayDayZeroAsync(SessionScope scope, string userId, int daysAgo, CancellationToken cancellationToken)
    {
        // The store takes its time from the registered clock, so setting it back stamps day 0 in the past.
        clock.Offset = -TimeSpan.FromDays(daysAgo);
        try
        {
            var resolution = await resolver.ResolveAsync(
                new SessionResolutionRequest { UserId = userId, DeviceId = DayZeroDevice, Title = ClimateResearchScript.SessionTitle },
                cancellationToken);
            var session = resolution.Session;
            printer.PrintDayZero(session, resolution, DayZeroDevice);
            foreach (var turn in ClimateResearchScript.DayZero)
            {
                // A question and its answer go in one atomic append, so history never holds half a turn.
                var result = await scope.AppendMessagesAsync(
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

    private async Task ReturnAsync(SessionScope scope, Session session, int tokenBudget, CancellationToken cancellationToken)
    {
        var (question, asked) = await AskAsync(scope, session, paraphrased: indexer is not null, cancellationToken);
        printer.PrintTurn(question);
        if (indexer is not null)
        {
            // A real app runs the indexer as a hosted service (AddSessionKitEmbeddingIndexer); a CLI drains the backlog.
            long embedded = await indexer.DrainAsync(cancellationToken);
            printer.PrintIndexed(embedded, indexer.ModelId ?? "(none)");
        }

        var window = await scope.Context.BuildAsync(
            session.Id,
            new ContextRequest { TokenBudget = tokenBudget, SystemPrompt = ClimateResearchScript.SystemPrompt, Query = question.Content },
            cancellationToken);
        windowPrinter.Print(window);

        if (model is not null)
        {
            // The middleware builds its own window within the same budget, sends it and stores the reply.
            await model.AnswerAsync(session.Id, ClimateResearchScript.SystemPrompt, cancellationToken);
            var reply = await scope.GetLastMessagesAsync(session.Id, 1, cancellationToken);
            printer.PrintTurn(reply[0]);
            printer.PrintSaved(await scope.GetSessionAsync(session.Id, cancellationToken));
            return;
        }

        string answer = await responder.AnswerAsync(window, question.Content, cancellationToken);
        var answered = await scope.AppendMessagesAsync(
            session.Id, [NewMessage.Assistant(answer)], new AppendOptions { ExpectedVersion = asked.Version }, cancellationToken);
        printer.PrintTurn(answered.Messages[0]);
        printer.PrintSaved(answered.Session);
    }

    /// <summary>Stores the user's next question, or returns the one a failed run left unanswered so it is not asked twice.</summary>
    private static async Task<(SessionMessage Question, Session Session)> AskAsync(SessionScope scope, Session session, bool paraphrased, CancellationToken cancellationToken)
    {
        var last = await scope.GetLastMessagesAsync(session.Id, 1, cancellationToken);
        if (last is [{ Role: MessageRole.User } unanswered])
        {
            return (unanswered, session);
        }

        // Stored before the build: a window always includes the newest user turn, which is what it is built to answer.
        var asked = await scope.AppendMessagesAsync(
            session.Id,
            [NewMessage.User(ClimateResearchScript.ReturnQuestionFor(session.MessageCount, paraphrased))],
            new AppendOptions { ExpectedVersion = session.Version },
            cancellationToken);
        return (asked.Messages[0], asked.Session);
    }
}
