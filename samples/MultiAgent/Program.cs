using SessionKit;
using SessionKit.Samples;
using SessionKit.Sqlite;

// Two agents share one session: a researcher collects findings, a writer drafts from them. They coordinate through the
// session's shared state, its change feed and a lease; the researcher corrects one of its findings after the first draft,
// and the writer redrafts from the corrected history. Offline, no model calls: a temp SQLite file deleted at the end, or
// the SessionKit database named with --db (a new file is created and kept; any other existing file is refused).
const string Usage = """
    Usage: dotnet run --project samples/MultiAgent -- [--db PATH]

      --db PATH   keep the session in the SQLite file at PATH: a new file, or an existing SessionKit database (a new
                  session is added); any other existing file is refused, never overwritten. Without it the sample runs
                  on a temp file that is deleted at the end.
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

if (keptPath is not null && SampleDatabaseFile.ProblemWith(keptPath) is { } problem)
{
    return UsageError(problem);
}

string path = keptPath ?? SampleDatabaseFile.NewTempPath("sessionkit-multiagent");
try
{
    await RunAsync(path);
}
finally
{
    if (keptPath is null)
    {
        SampleDatabaseFile.Delete(path);
    }
}

return 0;

static async Task RunAsync(string path)
{
    await using var store = new SqliteSessionStore(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = path }.ConnectionString);

    var session = await store.CreateSessionAsync("ada", new SessionCreateOptions { Title = "Coral reefs brief" });
    string scope = session.Id.ToString();
    await store.AppendMessagesAsync(session.Id, [new NewMessage(MessageRole.User, "Write me a short brief on coral bleaching.") { AuthorId = "ada" }]);

    using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
    var writer = Task.Run(() => WriterAsync(store, session.Id, stop.Token));
    await ResearcherAsync(store, session.Id, stop.Token);
    await writer;

    Console.WriteLine($"Session {session.Id} — history with authors and revisions:");
    SessionMessage? finalDraft = null;
    await foreach (var message in store.ReadAllMessagesAsync(session.Id))
    {
        Console.WriteLine($"  #{message.Sequence} [{message.Role}] by {message.AuthorId ?? "?"} (revision {message.Revision}): {message.Content}");
        foreach (var revision in await store.GetMessageRevisionsAsync(session.Id, message.Sequence))
        {
            Console.WriteLine($"      revision {revision.Revision}, replaced by {revision.ReplacedBy ?? "?"}: {revision.Content}");
        }

        finalDraft = message.AuthorId == "writer" ? message : finalDraft;
    }

    Console.WriteLine("Shared state:");
    foreach (var entry in await store.ListStateAsync(StateScope.Session, scope))
    {
        Console.WriteLine($"  {entry.Key} = {entry.Value} (version {entry.Version}, by {entry.UpdatedBy})");
    }

    Console.WriteLine($"Final draft (#{finalDraft?.Sequence}): {finalDraft?.Content}");
}

static int UsageError(string message)
{
    Console.Error.WriteLine(message);
    Console.Error.WriteLine(Usage);
    return 2;
}

static async Task ResearcherAsync(SqliteSessionStore store, Guid sessionId, CancellationToken cancellationToken)
{
    string scope = sessionId.ToString();
    var lease = await AcquireAsync(store, sessionId, "researcher", cancellationToken);
    var findings = await store.AppendMessagesAsync(
        sessionId,
        [
            new NewMessage(MessageRole.Assistant, "Finding: bleaching starts when water stays 1 °C above the summer maximum for about a week.") { AuthorId = "researcher" },
            new NewMessage(MessageRole.Assistant, "Finding: the 2016 event bleached about 10% of the Great Barrier Reef.") { AuthorId = "researcher" },
        ],
        new AppendOptions { IdempotencyKey = "research-1" },
        cancellationToken);
    await store.SetStateAsync(StateScope.Session, scope, "findings", "ready", new StateWriteOptions { ExpectedVersion = 0, UpdatedBy = "researcher" }, cancellationToken);
    await store.ReleaseLeaseAsync(lease, cancellationToken);

    // Wait for the writer's draft, then correct the second finding (the 2016 figure was about 30%, not 10%).
    await foreach (var change in store.WatchChangesAsync(sessionId, findings.Session.Version, cancellationToken))
    {
        if (change is { Kind: SessionChangeKind.StateSet, StateKey: "status" })
        {
            break;
        }
    }

    lease = await AcquireAsync(store, sessionId, "researcher", cancellationToken);
    long corrected = findings.Messages[1].Sequence;
    await store.EditMessageAsync(sessionId, corrected, "Finding: the 2016 event bleached about 30% of the Great Barrier Reef's corals.", new CorrectionOptions { AuthorId = "researcher" }, cancellationToken);
    await store.SetStateAsync(StateScope.Session, scope, "findings", "corrected", new StateWriteOptions { ExpectedVersion = 1, UpdatedBy = "researcher" }, cancellationToken);
    await store.ReleaseLeaseAsync(lease, cancellationToken);
}

static async Task WriterAsync(SqliteSessionStore store, Guid sessionId, CancellationToken cancellationToken)
{
    string scope = sessionId.ToString();
    await foreach (var change in store.WatchChangesAsync(sessionId, 0, cancellationToken))
    {
        if (change is { Kind: SessionChangeKind.StateSet, StateKey: "findings" })
        {
            break;
        }
    }

    var lease = await AcquireAsync(store, sessionId, "writer", cancellationToken);
    var drafted = await AppendDraftAsync(store, sessionId, "Draft: ", cancellationToken);
    await store.SetStateAsync(StateScope.Session, scope, "status", "drafted", new StateWriteOptions { ExpectedVersion = 0, UpdatedBy = "writer" }, cancellationToken);
    await store.ReleaseLeaseAsync(lease, cancellationToken);

    // A finding may be corrected after the draft: wait for the researcher's word, then redraft from the corrected history,
    // so the brief ends on what the researcher stands by.
    await foreach (var change in store.WatchChangesAsync(sessionId, drafted.Session.Version, cancellationToken))
    {
        if (change is { Kind: SessionChangeKind.StateSet, StateKey: "findings" })
        {
            break;
        }
    }

    lease = await AcquireAsync(store, sessionId, "writer", cancellationToken);
    await AppendDraftAsync(store, sessionId, "Revised draft: ", cancellationToken);
    await store.SetStateAsync(StateScope.Session, scope, "status", "final", new StateWriteOptions { ExpectedVersion = 1, UpdatedBy = "writer" }, cancellationToken);
    await store.ReleaseLeaseAsync(lease, cancellationToken);
}

static async Task<AppendResult> AppendDraftAsync(SqliteSessionStore store, Guid sessionId, string heading, CancellationToken cancellationToken)
{
    var findings = new List<string>();
    await foreach (var message in store.ReadAllMessagesAsync(sessionId, cancellationToken))
    {
        if (message.AuthorId == "researcher")
        {
            findings.Add(message.Content["Finding: ".Length..]);
        }
    }

    return await store.AppendMessagesAsync(sessionId, [new NewMessage(MessageRole.Assistant, heading + string.Join(" ", findings)) { AuthorId = "writer" }], cancellationToken: cancellationToken);
}

// Agents take turns: retry the lease until the other agent releases it (or it lapses).
static async Task<SessionLease> AcquireAsync(SqliteSessionStore store, Guid sessionId, string agent, CancellationToken cancellationToken)
{
    while (true)
    {
        if (await store.TryAcquireLeaseAsync(sessionId, agent, TimeSpan.FromSeconds(30), cancellationToken) is { } lease)
        {
            return lease;
        }

        await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
    }
}
