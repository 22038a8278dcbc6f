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

    public void PrintHeader(string databasePath, string userId)
    {
        output.WriteLine("SessionKit research assistant (offline: embedded SQLite, scripted assistant, no key, no network)");
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

    public void PrintDayZero(Session session)
    {
        output.WriteLine($"=== Day 0, {Timestamp(clock.GetUtcNow())}: a new user, so a new session ===");
        output.WriteLine($"Started session {session.Id} \"{session.Title}\".");
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

    public void PrintSaved(Session session) =>
        output.WriteLine($"Saved: session {session.Id} now holds {session.MessageCount} messages. Run again to come back with another question.");

    private string Describe(DateTimeOffset time) => $"{Timestamp(time)} ({ElapsedTime.Ago(clock.GetUtcNow() - time)})";

    private static string Timestamp(DateTimeOffset time) => time.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
