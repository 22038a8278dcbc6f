using System.Globalization;
using System.Text;
using SessionKit;

namespace ResearchAssistant;

/// <summary>Writes what the assistant does to the console: sessions, the conversation, and what was saved.</summary>
internal sealed class ConversationPrinter(TextWriter output, TimeProvider timeProvider)
{
    private const int LineWidth = 100;
    private const string Indent = "    ";

    public void PrintHeader(string databasePath, string userId)
    {
        output.WriteLine("SessionKit research assistant");
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

    public void PrintNewSession(Session session)
    {
        output.WriteLine($"New user: started session {session.Id} \"{session.Title}\".");
        output.WriteLine();
    }

    public void PrintReturningUser(Session session)
    {
        output.WriteLine($"Welcome back, {session.UserId}: I recognise you and continue your latest session.");
        output.WriteLine($"  session:       {session.Id}");
        output.WriteLine($"  title:         {session.Title}");
        output.WriteLine($"  messages:      {session.MessageCount}");
        output.WriteLine($"  last activity: {Describe(session.LastActivityAt)}");
        output.WriteLine();
    }

    public void PrintRemembered(IReadOnlyList<SessionMessage> messages)
    {
        output.WriteLine($"What I remember (the last {messages.Count} messages):");
        PrintMessages(messages);
        output.WriteLine("--- new turn ---");
        output.WriteLine();
    }

    public void PrintMessages(IEnumerable<SessionMessage> messages)
    {
        foreach (var message in messages)
        {
            output.WriteLine($"[{message.Sequence}] {Speaker(message.Role)}:");
            WriteWrapped(message.Content);
            output.WriteLine();
        }
    }

    public void PrintSaved(Session session) =>
        output.WriteLine($"Saved: session {session.Id} now holds {session.MessageCount} messages (version {session.Version}). Run again to continue it.");

    private static string Speaker(MessageRole role) => role switch
    {
        MessageRole.User => "You",
        MessageRole.Assistant => "Assistant",
        MessageRole.System => "System",
        _ => role.ToString(),
    };

    private string Describe(DateTimeOffset time)
    {
        var age = timeProvider.GetUtcNow() - time;
        string ago = age.TotalMinutes < 1 ? "just now"
            : age.TotalHours < 1 ? $"{(int)age.TotalMinutes} min ago"
            : age.TotalDays < 1 ? $"{(int)age.TotalHours} h ago"
            : $"{(int)age.TotalDays} days ago";
        return $"{time.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)} ({ago})";
    }

    private void WriteWrapped(string text)
    {
        var line = new StringBuilder(Indent);
        foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > Indent.Length && line.Length + 1 + word.Length > LineWidth)
            {
                output.WriteLine(line);
                line.Clear().Append(Indent);
            }

            if (line.Length > Indent.Length)
            {
                line.Append(' ');
            }

            line.Append(word);
        }

        output.WriteLine(line);
    }
}
