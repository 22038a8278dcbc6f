// Multi-device continuation, offline on an SQLite file: Sam starts a conversation on a phone, continues it on a laptop with
// the same context, signs the phone out from the laptop, and the phone's old token is refused. Each run starts on a new
// database: a temp file that is deleted at the end, or a new file named with --db that is kept. An existing file is never
// touched. Exit code 0 means every step behaved as the story says; 2 means the command line was wrong.
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using MultiDevice;
using SessionKit;
using SessionKit.Samples;

const string Usage = """
    Usage: dotnet run --project samples/MultiDevice -- [--db PATH]

      --db PATH   write the story to a NEW SQLite file at PATH and keep it (an existing file is refused, never
                  overwritten); without it the story runs on a temp file that is deleted at the end
      --help      show this text
    """;

string? keptPath = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--help" or "-h":
            Console.WriteLine(Usage);
            return 0;
        case "--db" when i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) && !string.IsNullOrWhiteSpace(args[i + 1]):
            keptPath = args[++i];
            break;
        case "--db":
            return UsageError("--db needs a path.");
        default:
            return UsageError($"Unknown argument '{args[i]}'.");
    }
}

if (keptPath is not null && SampleDatabaseFile.ProblemWithNew(keptPath) is { } problem)
{
    return UsageError(problem);
}

string databasePath = keptPath ?? SampleDatabaseFile.NewTempPath("sessionkit-multidevice");
bool ok;
try
{
    ok = await RunStoryAsync(databasePath);
}
finally
{
    if (keptPath is null)
    {
        SampleDatabaseFile.Delete(databasePath);
    }
}

Console.WriteLine(ok ? "Every step behaved as expected." : "A step did not behave as expected (see above).");
if (keptPath is not null)
{
    Console.WriteLine($"The database is kept at {Path.GetFullPath(keptPath)}.");
}

return ok ? 0 : 1;

static async Task<bool> RunStoryAsync(string databasePath)
{
    var clock = new StoryClock();
    await using var services = new ServiceCollection()
        .AddSingleton<TimeProvider>(clock)
        .AddSessionKit(o =>
        {
            o.Resolver.InactivityWindow = TimeSpan.FromHours(12);
            // Device fingerprints are kept only as HMACs under this key. A real app loads it from its secret store; a key
            // in source code would let anyone who reads it test guesses against stored fingerprints.
            o.SessionTokens.FingerprintKeyBase64 = "c2Vzc2lvbmtpdC1tdWx0aS1kZXZpY2Utc2FtcGxlLWtleS0wMQ==";
        })
        .UseSqlite(new SqliteConnectionStringBuilder { DataSource = databasePath }.ConnectionString)
        .Services
        .BuildServiceProvider();

    var story = new MultiDeviceStory(
        services.GetRequiredService<ISessionResolver>(),
        services.GetRequiredService<ISessionAccessor>(),
        services.GetRequiredService<ISessionTokenService>(),
        clock,
        Console.Out);
    Console.WriteLine($"SessionKit multi-device sample (offline, SQLite file {Path.GetFullPath(databasePath)})");
    Console.WriteLine();
    return await story.RunAsync();
}

static int UsageError(string message)
{
    Console.Error.WriteLine(message);
    Console.Error.WriteLine(Usage);
    return 2;
}
