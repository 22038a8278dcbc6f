// The SessionKit demo: a research assistant that remembers a user's conversation across runs. It starts small (store,
// list, continue); later issues grow it with a token-budgeted context window, summaries of older turns and recall of
// old details by query.
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using ResearchAssistant;
using SessionKit;

CommandLineOptions options;
try
{
    options = CommandLineOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(CommandLineOptions.Usage);
    return 2;
}

if (options.ShowHelp)
{
    Console.WriteLine(CommandLineOptions.Usage);
    return 0;
}

if (options.Reset)
{
    int deleted = DatabaseFiles.Delete(options.DatabasePath);
    Console.WriteLine($"--reset: deleted {deleted} database file(s) at {Path.GetFullPath(options.DatabasePath)}.");
}

string connectionString = new SqliteConnectionStringBuilder { DataSource = options.DatabasePath }.ConnectionString;
await using var services = new ServiceCollection()
    .AddSessionKit()
    .UseSqlite(connectionString)
    .Services
    .BuildServiceProvider();

var printer = new ConversationPrinter(Console.Out, TimeProvider.System);
printer.PrintHeader(Path.GetFullPath(options.DatabasePath), options.UserId);

var assistant = new ResearchAssistantApp(services.GetRequiredService<ISessionStore>(), printer);
await assistant.RunAsync(options.UserId);
return 0;
