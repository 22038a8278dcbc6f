using System.Globalization;
using System.Text;
using CsCheck;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using SessionKit.Sqlite;
using SessionKit.Storage;

namespace SessionKit.Reliability.Tests;

/// <summary>
/// Random operation sequences (CsCheck, fixed seeds, so every run replays the same sequences) run against the in-memory and
/// the SQLite store side by side; after every operation both must report the same outcome — the same values, or the same
/// exception type.
/// </summary>
[TestFixture]
internal sealed class ModelBasedTests
{
    private static readonly string[] Words = ["carbon", "ocean", "methane", "forest", "river", "cycle", "ice", "soil"];

    private static readonly Gen<Op> OpGen = Gen.Select(
        Gen.Frequency((4, Gen.Const(OpKind.Append)), (1, Gen.Const(OpKind.Create)), (6, Gen.Int[(int)OpKind.Edit, (int)OpKind.DeleteSession].Select(i => (OpKind)i))),
        Gen.Int[0, 7],
        Gen.Int[0, 12],
        Gen.Int[0, 12],
        Gen.Int[0, 9],
        Gen.Int[0, 3],
        (kind, a, b, c, w, mode) => new Op(kind, a, b, c, w, mode));

    private static readonly Gen<Op[]> Sequences = OpGen.Array[40, 90];

    private string _folder = "";

    internal enum OpKind
    {
        Create,
        Append,
        Edit,
        DeleteMessage,
        Rewind,
        ReadRange,
        ReadLast,
        Count,
        Search,
        SetState,
        GetState,
        DeleteState,
        Update,
        DeleteSession,
    }

    [SetUp]
    public void SetUp()
    {
        _folder = Path.Combine(Path.GetTempPath(), "sessionkit-model", Guid.CreateVersion7().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    [TestCase("000000000001")]
    [TestCase("sessionKit01")]
    [TestCase("sessionKit02")]
    [TestCase("reliability3")]
    [TestCase("aBcDeFgHiJk4")]
    [TestCase("Zz-_Zz-_Zz-5")]
    public async Task RandomOperations_GiveTheSameResults_InMemoryAndOnSqlite(string seed)
    {
        int run = 0;
        await Sequences.SampleAsync(
            async ops =>
            {
                string file = Path.Combine(_folder, $"model-{Interlocked.Increment(ref run)}.db");
                await RunBothAsync(ops, file);
            },
            seed: seed,
            iter: 1,
            threads: 1,
            print: ops => string.Join("; ", ops.Select(o => o.ToString())));
    }

    private static async Task RunBothAsync(Op[] ops, string file)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        var counter = new CharacterTokenCounter();
        await using var memory = new InMemorySessionStore(timeProvider: time, tokenCounter: counter);
        await using var sqlite = new SqliteSessionStore(new SqliteSessionStoreOptions { ConnectionString = $"Data Source={file}" }, null, time, tokenCounter: counter);
        var memorySessions = new List<Guid>();
        var sqliteSessions = new List<Guid>();
        for (int i = 0; i < ops.Length; i++)
        {
            string expected = await ApplyAsync(memory, memorySessions, ops[i]);
            string actual = await ApplyAsync(sqlite, sqliteSessions, ops[i]);
            Assert.That(actual, Is.EqualTo(expected), $"operation {i} ({ops[i]}) gave another result on SQLite than in memory");
            time.Advance(TimeSpan.FromSeconds(1 + (ops[i].W % 3)));
        }

        // And the whole of every session agrees at the end.
        for (int s = 0; s < memorySessions.Count; s++)
        {
            Assert.That(await DescribeAllAsync(sqlite, sqliteSessions, s), Is.EqualTo(await DescribeAllAsync(memory, memorySessions, s)), $"session {s} at the end");
        }
    }

    private static async Task<string> ApplyAsync(SessionStore store, List<Guid> sessions, Op op)
    {
        try
        {
            return await ApplyCoreAsync(store, sessions, op);
        }
        catch (Exception e) when (e is SessionKitException or ArgumentException)
        {
            // The same failure on both: the type is what callers branch on.
            return "threw " + e.GetType().Name;
        }
    }

    private static async Task<string> ApplyCoreAsync(SessionStore store, List<Guid> sessions, Op op)
    {
        string user = "u" + (op.A % 2).ToString(CultureInfo.InvariantCulture);
        if (op.Kind == OpKind.Create || sessions.Count == 0)
        {
            var created = await store.CreateSessionAsync(user, new SessionCreateOptions { Title = op.W % 2 == 0 ? null : "t" + op.W });
            sessions.Add(created.Id);
            return Describe(created, sessions);
        }

        var id = sessions[op.A % sessions.Count];
        var corrections = store;
        switch (op.Kind)
        {
            case OpKind.Append:
            {
                var messages = Enumerable.Range(0, 1 + (op.B % 3))
                    .Select(i => i % 2 == 0 ? NewMessage.User(Text(op.W + i, op.C)) : NewMessage.Assistant(Text(op.W + i + 1, op.C)))
                    .ToArray();
                long? expectedVersion = op.Mode switch
                {
                    1 => (await store.GetSessionAsync(id)).Version,
                    2 => (await store.GetSessionAsync(id)).Version - 1,
                    _ => null,
                };
                string? key = op.Mode == 3 || op.W > 6 ? "key" + (op.W % 3).ToString(CultureInfo.InvariantCulture) : null;
                var result = await store.AppendMessagesAsync(id, messages, new AppendOptions { ExpectedVersion = expectedVersion is 0 ? null : expectedVersion, IdempotencyKey = key });
                return Describe(result.Session, sessions) + " | " + string.Join(" / ", result.Messages.Select(Describe));
            }

            case OpKind.Edit:
                var edit = await corrections.EditMessageAsync(id, 1 + op.B, Text(op.W, op.C), new CorrectionOptions { ExpectedVersion = op.Mode == 2 ? 1 : null });
                return Describe(edit.Session, sessions) + " | " + Describe(edit.Message);
            case OpKind.DeleteMessage:
                return Describe(await corrections.DeleteMessageAsync(id, 1 + op.B), sessions);
            case OpKind.Rewind:
                return Describe(await corrections.RewindAsync(id, op.B), sessions);
            case OpKind.ReadRange:
                var range = await store.GetMessagesAsync(id, 1 + op.B, 1 + op.B + op.C);
                return string.Join(" / ", range.Select(Describe));
            case OpKind.ReadLast:
                var last = await store.GetLastMessagesAsync(id, op.C);
                return string.Join(" / ", last.Select(Describe));
            case OpKind.Count:
                return (await store.CountMessagesAsync(id)).ToString(CultureInfo.InvariantCulture);
            case OpKind.Search:
                var query = new SearchQuery { Text = Words[op.W % Words.Length] + (op.Mode == 1 ? " " + Words[op.C % Words.Length] : ""), Limit = 100, SessionId = op.Mode == 2 ? id : null };
                var hits = await store.SearchAsync(user, query);
                return hits.Items.Count + ": " + string.Join(",", hits.Items.Select(h => $"S{sessions.IndexOf(h.SessionId)}#{h.Sequence}").Order(StringComparer.Ordinal));
            case OpKind.SetState:
            {
                var (scope, scopeId) = StateAddress(op, id, user);
                long? expected = op.C switch { 0 => 0, 1 => 1, 2 => 2, _ => null };
                var entry = await store.SetStateAsync(scope, scopeId, "k" + (op.W % 3).ToString(CultureInfo.InvariantCulture), Text(op.W, op.B), new StateWriteOptions { ExpectedVersion = expected });
                return Describe(entry) + " | " + Describe(await store.GetSessionAsync(id), sessions);
            }

            case OpKind.GetState:
            {
                var (scope, scopeId) = StateAddress(op, id, user);
                var entry = await store.GetStateAsync(scope, scopeId, "k" + (op.W % 3).ToString(CultureInfo.InvariantCulture));
                return entry is null ? "none" : Describe(entry);
            }

            case OpKind.DeleteState:
            {
                var (scope, scopeId) = StateAddress(op, id, user);
                bool deleted = await store.DeleteStateAsync(scope, scopeId, "k" + (op.W % 3).ToString(CultureInfo.InvariantCulture), new StateWriteOptions { ExpectedVersion = op.C == 1 ? 1 : null });
                return deleted.ToString();
            }

            case OpKind.Update:
                return Describe(await store.UpdateSessionAsync(id, new SessionUpdate { Title = "u" + op.W, ExpectedVersion = op.Mode == 2 ? 2 : null }), sessions);
            case OpKind.DeleteSession:
                // Rarely: most sequences should keep their sessions long enough to grow.
                return op.W == 9 && op.Mode == 3 ? (await store.DeleteSessionAsync(id)).ToString() : (await store.FindSessionAsync(id)) is { } found ? Describe(found, sessions) : "gone";
            default:
                throw new ArgumentOutOfRangeException(nameof(op), op.Kind, null);
        }
    }

    private static (StateScope Scope, string ScopeId) StateAddress(Op op, Guid session, string user) =>
        op.Mode % 2 == 0 ? (StateScope.Session, session.ToString()) : (StateScope.User, user);

    private static string Text(int w, int c) =>
        $"{Words[w % Words.Length]} and {Words[(w + c) % Words.Length]} number {c}";

    private static string Describe(Session s, List<Guid> sessions) => string.Create(
        CultureInfo.InvariantCulture,
        $"S{sessions.IndexOf(s.Id)} {s.UserId} '{s.Title}' v{s.Version} last={s.LastSequence} n={s.MessageCount} at={s.LastActivityAt:O} created={s.CreatedAt:O}");

    private static string Describe(SessionMessage m) => string.Create(
        CultureInfo.InvariantCulture,
        $"#{m.Sequence} {m.Role} r{m.Revision} t{m.TokenCount} {m.CreatedAt:O} {m.Content}");

    private static string Describe(StateEntry e) => string.Create(
        CultureInfo.InvariantCulture,
        $"{e.Scope} {e.Key}={e.Value} v{e.Version} {e.UpdatedAt:O}");

    private static async Task<string> DescribeAllAsync(SessionStore store, List<Guid> sessions, int index)
    {
        var found = await store.FindSessionAsync(sessions[index]);
        if (found is null)
        {
            return "gone";
        }

        var text = new StringBuilder(Describe(found, sessions)).AppendLine();
        await foreach (var message in store.ReadAllMessagesAsync(found.Id))
        {
            text.AppendLine(Describe(message));
        }

        foreach (var entry in await store.ListStateAsync(StateScope.Session, found.Id.ToString()))
        {
            text.AppendLine(Describe(entry));
        }

        return text.ToString();
    }

    /// <summary>One generated operation; its numbers pick the session, sequences, words and variant.</summary>
    internal sealed record Op(OpKind Kind, int A, int B, int C, int W, int Mode);

    /// <summary>The same cheap, deterministic counter for both stores, so token counts can be compared too.</summary>
    private sealed class CharacterTokenCounter : ITokenCounter
    {
        public string EncodingName => "chars/4";

        public int RequestOverhead => 3;

        public int CountTokens(string text) => (text.Length + 3) / 4;

        public int CountMessageTokens(MessageRole role, string content, string? name = null) => CountTokens(content) + 4;
    }
}
