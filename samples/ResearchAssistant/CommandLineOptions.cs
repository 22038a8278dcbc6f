using System.Globalization;

namespace ResearchAssistant;

/// <summary>What the sample was asked to do on its command line.</summary>
/// <param name="DatabasePath">The SQLite database file; relative paths are resolved against the working directory.</param>
/// <param name="UserId">Who is talking to the assistant; the same id on a later run continues that user's session.</param>
/// <param name="TokenBudget">The most tokens the context window for a reply may cost.</param>
/// <param name="DaysLater">How many days before the first return day 0 is played.</param>
/// <param name="Reset">Delete the database first, so the story starts over.</param>
/// <param name="ShowHelp">Print the usage and exit.</param>
/// <param name="Semantic">Recall by meaning with a local embedding model, and ask the return question in other words.</param>
/// <param name="PostgresConnectionString">A PostgreSQL server to keep the sessions in instead of the SQLite file, or <see langword="null"/>.</param>
internal sealed record CommandLineOptions(string DatabasePath, string UserId, int TokenBudget, int DaysLater, bool Reset, bool ShowHelp, bool Semantic = false, string? PostgresConnectionString = null)
{
    public const string DefaultDatabasePath = "research-assistant.db";

    public const string DefaultUserId = "researcher-ada";

    // Small enough that the day-0 conversation does not fit verbatim, so older turns reach the window as summaries.
    public const int DefaultTokenBudget = 750;

    public const int DefaultDaysLater = 2;

    public const string Usage = """
        Usage: dotnet run --project samples/ResearchAssistant -- [--db PATH] [--user ID] [--budget TOKENS] [--days-later N] [--reset] [--semantic] [--postgres CONNECTION_STRING]

          --db PATH         the SQLite database file (default: research-assistant.db in the current directory); a new
                            file or an existing SessionKit database, never any other file
          --user ID         who is talking to the assistant (default: researcher-ada)
          --budget TOKENS   the token budget of the context window for each reply (default: 750)
          --days-later N    how many days before the first return the day-0 conversation is played (default: 2)
          --reset           delete the database first (only a SessionKit database) and start the story over; with
                            --postgres, erase the user's data instead
          --postgres CS     keep the sessions in PostgreSQL (an Npgsql connection string) instead of the SQLite file:
                            the same story on a server several app instances could share
          --semantic        recall by meaning with all-MiniLM-L6-v2 run locally (no network): the returning user asks
                            in other words, sharing no word with the answer
          --help            show this text

        A new user plays day 0 and comes back N days later in the same run; every later run comes back again with
        another question.
        """;

    /// <summary>Reads the options; throws <see cref="ArgumentException"/> naming the first one that is unknown or has a bad value.</summary>
    public static CommandLineOptions Parse(IReadOnlyList<string> args)
    {
        var options = new CommandLineOptions(DefaultDatabasePath, DefaultUserId, DefaultTokenBudget, DefaultDaysLater, Reset: false, ShowHelp: false);
        for (int i = 0; i < args.Count; i++)
        {
            options = args[i] switch
            {
                "--db" => options with { DatabasePath = ValueOf(args, ref i) },
                "--user" => options with { UserId = ValueOf(args, ref i) },
                "--budget" => options with { TokenBudget = NumberOf(args, ref i, minimum: 1) },
                "--days-later" => options with { DaysLater = NumberOf(args, ref i, minimum: 0) },
                "--reset" => options with { Reset = true },
                "--semantic" => options with { Semantic = true },
                "--postgres" => options with { PostgresConnectionString = ValueOf(args, ref i) },
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

    private static int NumberOf(IReadOnlyList<string> args, ref int index, int minimum)
    {
        string option = args[index];
        string value = ValueOf(args, ref index);
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number < minimum)
        {
            throw new ArgumentException($"{option} needs a whole number of at least {minimum} (was '{value}').");
        }

        return number;
    }
}
