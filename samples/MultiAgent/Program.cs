using SessionKit;
using SessionKit.Sqlite;

// Two agents share one session: a researcher collects findings, a writer drafts from them. They coordinate through the
// session's shared state, its change feed and a lease, and the researcher corrects one of its earlier findings.
// Offline: a SQLite file (the first argument, or a temp file), no model calls.
string path = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), $"sessionkit-multiagent-{Environment.ProcessId}.db");
await using var store = new SqliteSessionStore($"Data Source={path}");

var session = await store.CreateSessionAsync("ada", new SessionCreateOptions { Title = "Coral reefs brief" });
string scope = session.Id.ToString();
await store.AppendMessagesAsync(session.Id, [new NewMessage(MessageRole.User, "Write me a short brief on coral bleaching.") { AuthorId = "ada" }]);

using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
var writer = Task.Run(() => WriterAsync(store, session.Id, stop.Token));
await ResearcherAsync(store, session.Id, stop.Token);
await writer;

Console.WriteLine($"Session {session.Id} — history with authors and revisions:");
await foreach (var message in store.ReadAllMessagesAsync(session.Id))
{
    Console.WriteLine($"  #{message.Sequence} [{message.Role}] by {message.AuthorId ?? "?"} (revision {message.Revision}): {message.Content}");
    foreach (var revision in await store.GetMessageRevisionsAsync(session.Id, message.Sequence))
    {
        Console.WriteLine($"      revision {revision.Revision}, replaced by {revision.ReplacedBy ?? "?"}: {revision.Content}");
    }
}

Console.WriteLine("Shared state:");
foreach (var entry in await store.ListStateAsync(StateScope.Session, scope))
{
    Console.WriteLine($"  {entry.Key} = {entry.Value} (version {entry.Version}, by {entry.UpdatedBy})");
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
    var findings = new List<string>();
    await foreach (var message in store.ReadAllMessagesAsync(sessionId, cancellationToken))
    {
        if (message.AuthorId == "researcher")
        {
            findings.Add(message.Content["Finding: ".Length..]);
        }
    }

    await store.AppendMessagesAsync(sessionId, [new NewMessage(MessageRole.Assistant, "Draft: " + string.Join(" ", findings)) { AuthorId = "writer" }], cancellationToken: cancellationToken);
    await store.SetStateAsync(StateScope.Session, scope, "status", "drafted", new StateWriteOptions { UpdatedBy = "writer" }, cancellationToken);
    await store.ReleaseLeaseAsync(lease, cancellationToken);
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
