namespace ResearchAssistant;

/// <summary>What the sample was asked to do on its command line.</summary>
/// <param name="DatabasePath">The SQLite database file; relative paths are resolved against the working directory.</param>
/// <param name="UserId">Who is talking to the assistant; the same id on a later run continues that user's session.</param>
/// <param name="Reset">Delete the database first, so the conversation starts over.</param>
/// <param name="ShowHelp">Print the usage and exit.</param>
internal sealed record CommandLineOptions(string DatabasePath, string UserId, bool Reset, bool ShowHelp)
{
    public const string DefaultDatabasePath = "research-assistant.db";

    public const string DefaultUserId = "researcher-ada";

    public const string Usage = """
        Usage: dotnet run --project samples/ResearchAssistant -- [--db PATH] [--user ID] [--reset]

          --db PATH   the SQLite database file (default: research-assistant.db in the current directory)
          --user ID   who is talking to the assistant (default: researcher-ada)
          --reset     delete the database first and start a new conversation
          --help      show this text

        Run it twice: the second run recognises the user and continues the same session.
        """;

    /// <summary>Reads the options; throws <see cref="ArgumentException"/> naming the first one that is unknown or lacks its value.</summary>
    public static CommandLineOptions Parse(IReadOnlyList<string> args)
    {
        var options = new CommandLineOptions(DefaultDatabasePath, DefaultUserId, Reset: false, ShowHelp: false);
        for (int i = 0; i < args.Count; i++)
        {
            options = args[i] switch
            {
                "--db" => options with { DatabasePath = ValueOf(args, ref i) },
                "--user" => options with { UserId = ValueOf(args, ref i) },
                "--reset" => options with { Reset = true },
                "--help" or "-h" => options with { ShowHelp = true },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'."),
            };
        }

        return options;
    }

    private static string ValueOf(IReadOnlyList<string> args, ref int index)
    {
        string option = args[index];
        if (index + 1 >= args.Count || string.IsNullOrWhiteSpace(args[index + 1]) || args[index + 1].StartsWith("--", StringComparison.Ordinal))
        {
            throw new ArgumentException($"{option} needs a value.");
        }

        return args[++index];
    }
}
