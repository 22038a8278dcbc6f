using System.Globalization;
using SessionKit;

namespace ResearchAssistant;

/// <summary>Writes the story to the console: who is here, the day-0 conversation, the return and what was saved.</summary>
internal sealed class ConversationPrinter(TextWriter output, TimeProvider clock)
{
    private const string Indent = "      ";

    public static string Speaker(MessageRole role) => role switch
    {
        MessageRole.User => "you",
        MessageRole.Assistant => "assistant",
        MessageRole.System => "system",
        _ => role.ToString().ToLowerInvariant(),
    };

    public void PrintHeader(string databasePath, string userId, string? model = null)
    {
        output.WriteLine(model is null
            ? "SessionKit research assistant (offline: embedded SQLite, scripted assistant, no key, no network)"
            : $"SessionKit research assistant (embedded SQLite; answers from {model})");
        output.WriteLine($"  database: {databasePath}");
        output.WriteLine($"  user:     {userId}");
        output.WriteLine();
    }

    public void PrintSessionList(string userId, IReadOnlyList<Session> sessions)
    {
        output.WriteLine($"Sessions of {userId}, newest activity first:");
        if (sessions.Count == 0)
        {
            output.WriteLine("  (none yet)");
        }

        foreach (var session in sessions)
        {
            output.WriteLine($"  {session.Id}  \"{session.Title}\"  {session.MessageCount} messages, last active {Describe(session.LastActivityAt)}");
        }

        output.WriteLine();
    }

    public void PrintDayZero(Session session, SessionResolutionResult resolution, string device)
    {
        output.WriteLine($"=== Day 0, {Timestamp(clock.GetUtcNow())}: a new user signs in on their {device} ===");
        output.WriteLine($"Resolver: {Explain(resolution)} -> started session {session.Id} \"{session.Title}\".");
    }

    public void PrintResolution(SessionResolutionResult resolution, string device)
    {
        output.WriteLine($"Signed in on the {device}. Resolver: {Explain(resolution)} -> session {resolution.Session.Id}.");
        output.WriteLine();
    }

    /// <summary>One line per message, cut to the console width: day 0 is the backdrop, not the point.</summary>
    public void PrintCompact(IEnumerable<SessionMessage> messages)
    {
        foreach (var message in messages)
        {
            string prefix = $"  #{message.Sequence,-3} {Speaker(message.Role),-10} ";
            output.WriteLine(prefix + ConsoleText.Preview(message.Content, ConsoleText.LineWidth - prefix.Length));
        }
    }

    public void PrintDaysLater(int days)
    {
        output.WriteLine();
        output.WriteLine($"=== {ElapsedTime.Capitalized(ElapsedTime.Amount(TimeSpan.FromDays(days)))} later: the user comes back ===");
    }

    public void PrintWelcomeBack(Session session)
    {
        output.WriteLine(
            $"Welcome back, {session.UserId}! Your last activity was {ElapsedTime.Ago(clock.GetUtcNow() - session.LastActivityAt)}, "
            + $"in \"{session.Title}\" ({session.MessageCount} messages).");
        output.WriteLine();
    }

    /// <summary>A message in full, wrapped: the return's question and answer are the point.</summary>
    public void PrintTurn(SessionMessage message)
    {
        output.WriteLine($"#{message.Sequence} {Speaker(message.Role)}:");
        foreach (string line in ConsoleText.Wrap(message.Content, Indent))
        {
            output.WriteLine(line);
        }

        output.WriteLine();
    }

    public void PrintIndexed(long embedded, string modelId)
    {
        output.WriteLine($"  [recall by meaning: {embedded} new message(s) and summaries embedded with {modelId}, locally]");
        output.WriteLine();
    }

    public void PrintSaved(Session session) =>
        output.WriteLine($"Saved: session {session.Id} now holds {session.MessageCount} messages. Run again to come back with another question.");

    private static string Explain(SessionResolutionResult resolution) => resolution.Reason switch
    {
        SessionResolutionReason.NewUser => "a user with no sessions yet, so a new session",
        SessionResolutionReason.ContinuedOnNewDevice => "the same user on a new device, within the inactivity window, so the session continues",
        SessionResolutionReason.ContinuedLatestSession => "the same user, within the inactivity window, so the session continues",
        SessionResolutionReason.NewAfterInactivity => $"the inactivity window has passed, so a new session linked to {resolution.PreviousSessionId} (its summaries and search stay reachable)",
        SessionResolutionReason.NewOnNewDevice => "a new device that does not continue sessions, so a new session",
        _ => resolution.Reason.ToString(),
    };

    private string Describe(DateTimeOffset time) => $"{Timestamp(time)} ({ElapsedTime.Ago(clock.GetUtcNow() - time)})";

    private static string Timestamp(DateTimeOffset time) => time.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
