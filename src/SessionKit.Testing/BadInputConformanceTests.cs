using System.Globalization;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Testing;

/// <summary>
/// A corpus of bad and hostile input for every public operation: null, empty, white space, oversized, malformed (lone
/// surrogates, undefined enums, out-of-range numbers), hostile (control characters, SQL and FTS syntax) and cross-user.
/// Each case checks the exception type, that its message or parameter names the problem, and that nothing observable in the
/// store changed. A backend's test project subclasses this fixture with a store that implements every store interface.
/// </summary>
/// <remarks>
/// One store is seeded once per fixture and shared by every case: since no case may change anything, a case that does
/// fails on its own snapshot comparison, and the next case compares against its own "before".
/// </remarks>
[NonParallelizable]
public abstract partial class BadInputConformanceTests
{
    private static readonly DateTimeOffset StartTime = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private World? _world;

    /// <summary>Creates the store under test over the given clock, with default limits.</summary>
    /// <param name="timeProvider">The fixture's clock.</param>
    /// <returns>A store implementing every store interface.</returns>
    protected abstract SessionStore CreateStore(TimeProvider timeProvider);

    [OneTimeSetUp]
    public async Task SeedAsync()
    {
        var time = new FakeTimeProvider(StartTime);
        _world = await World.SeedAsync(CreateStore(time), time);
    }

    [OneTimeTearDown]
    public async Task DisposeStoreAsync()
    {
        if (_world is not null)
        {
            await _world.Store.DisposeAsync();
        }
    }

    [TestCaseSource(nameof(Cases))]
    public async Task BadInput_IsRejectedClearly_AndChangesNothing(BadCase badCase)
    {
        ArgumentNullException.ThrowIfNull(badCase);
        var world = _world ?? throw new InvalidOperationException("The fixture has not been set up.");
        string before = await world.SnapshotAsync();

        Exception? thrown = null;
        try
        {
            await badCase.Act(world);
        }
        catch (Exception e)
        {
            thrown = e;
        }

        string after = await world.SnapshotAsync();
        using (Assert.EnterMultipleScope())
        {
            if (badCase.Throws is null)
            {
                Assert.That(thrown, Is.Null, $"{badCase.Name}: hostile but valid input is handled, not thrown on");
            }
            else
            {
                Assert.That(thrown, Is.TypeOf(badCase.Throws), $"{badCase.Name}: exception type ({thrown})");
                if (badCase.Param is { } param)
                {
                    Assert.That((thrown as ArgumentException)?.ParamName, Is.EqualTo(param), $"{badCase.Name}: the parameter is named");
                }

                if (badCase.Message is { } message)
                {
                    Assert.That(thrown?.Message, Does.Contain(message).IgnoreCase, $"{badCase.Name}: the message names the problem");
                }
            }

            Assert.That(after, Is.EqualTo(before), $"{badCase.Name}: nothing changed");
        }
    }

    [Test]
    public void Corpus_HasAtLeast300Cases_WithDistinctNames()
    {
        var names = Cases().Select(c => ((BadCase)c.Arguments[0]!).Name).ToList();

        Assert.That(names, Has.Count.GreaterThanOrEqualTo(300));
        Assert.That(names, Is.Unique);
    }

    /// <summary>One case of the corpus.</summary>
    /// <param name="Name">What is tried.</param>
    /// <param name="Act">The operation.</param>
    /// <param name="Throws">The exact exception type, or <see langword="null"/> when the input is valid and must be handled.</param>
    /// <param name="Param">The parameter the exception must name, if any.</param>
    /// <param name="Message">A fragment the message must contain, if any.</param>
    public sealed record BadCase(string Name, Func<World, Task> Act, Type? Throws, string? Param = null, string? Message = null)
    {
        /// <inheritdoc />
        public override string ToString() => Name;
    }

    /// <summary>The seeded store and the services over it that the cases call.</summary>
    public sealed class World
    {
        private World(SessionStore store, FakeTimeProvider time)
        {
            Store = store;
            Time = time;
            var fingerprintKey = Enumerable.Range(1, 32).Select(i => (byte)(i * 7)).ToArray();
            var tokenOptions = new SessionTokenOptions { FingerprintKey = fingerprintKey };
            Tokens = new SessionTokenService(TokenStore, tokenOptions, time);
            Devices = new DeviceRegistry(TokenStore, tokenOptions, time);
            Resolver = new SessionResolver(store, Tokens, Devices, timeProvider: time);
            Exporter = new UserDataExporter(store, store, TokenStore, time);
            Context = new ContextBuilder(store, SharpTokenCounter.Default, new ExtractiveSummarizer(SharpTokenCounter.Default), timeProvider: time);
            Accessor = new SessionAccessor(store, (ISessionAccessStore)store, Context, Devices, Tokens, time);
        }

        public SessionStore Store { get; }

        public FakeTimeProvider Time { get; }

        public ISessionStateStore State => Store;

        public ISessionCorrectionStore Corrections => (ISessionCorrectionStore)Store;

        public ISessionLeaseStore Leases => Store;

        public ISessionPrivacyStore Privacy => Store;

        public ISessionAccessStore Access => (ISessionAccessStore)Store;

        public ISessionTokenStore TokenStore => (ISessionTokenStore)Store;

        public SessionTokenService Tokens { get; }

        public DeviceRegistry Devices { get; }

        public SessionResolver Resolver { get; }

        public UserDataExporter Exporter { get; }

        public ContextBuilder Context { get; }

        public SessionAccessor Accessor { get; }

        /// <summary>Alice's session: three messages, a summary, session and temp state, a grant to an agent.</summary>
        public Guid Alice { get; private set; }

        /// <summary>Bob's session, with a word only he wrote.</summary>
        public Guid Bob { get; private set; }

        /// <summary>A valid token of alice's.</summary>
        public string AliceToken { get; private set; } = "";

        /// <summary>A valid anonymous visitor's token.</summary>
        public string VisitorToken { get; private set; } = "";

        public string VisitorUserId { get; private set; } = "";

        /// <summary>Users whose data the snapshot covers.</summary>
        public IReadOnlyList<string> Users => ["alice", "bob", "mallory", VisitorUserId];

        public SessionScope Scope(string userId) => Accessor.ForCaller(SessionCaller.User(userId));

        public static async Task<World> SeedAsync(SessionStore store, FakeTimeProvider time)
        {
            var world = new World(store, time);
            var alice = await store.CreateSessionAsync("alice", new SessionCreateOptions { Title = "climate", Metadata = new Dictionary<string, string> { ["topic"] = "carbon" } });
            await store.AppendMessagesAsync(alice.Id, [
                NewMessage.User("Tell me about the carbon cycle."),
                NewMessage.Assistant("The carbon cycle moves carbon between the atmosphere, oceans, soil and living things."),
                NewMessage.User("And methane?"),
            ]);
            await store.SaveSummaryAsync(alice.Id, new NewSummary(1, 2, 1, "Carbon cycle basics.", "test"));
            var bob = await store.CreateSessionAsync("bob", new SessionCreateOptions { Title = "secret" });
            await store.AppendMessagesAsync(bob.Id, [NewMessage.User("Only bob knows the zebrafish password.")]);
            await store.SetStateAsync(StateScope.Session, alice.Id.ToString(), "plan", "v1");
            await store.SetStateAsync(StateScope.Temp, alice.Id.ToString(), "draft", "d1");
            await store.SetStateAsync(StateScope.User, "alice", "prefs", "light");
            await store.SetStateAsync(StateScope.App, null, "motd", "hello");
            await world.Access.SaveGrantAsync(new SessionGrant { OwnerUserId = "alice", SessionId = alice.Id, Grantee = SessionCaller.Agent("reader"), Access = SessionAccess.Read, GrantedAt = StartTime });
            await world.Devices.RegisterAsync("alice", new DeviceRegistration { DeviceId = "phone", DisplayName = "Alice's phone" });
            world.Alice = alice.Id;
            world.Bob = bob.Id;
            world.AliceToken = (await world.Tokens.IssueAsync("alice", alice.Id, "phone")).Token;
            var visitor = await world.Resolver.ResolveAsync(new SessionResolutionRequest());
            world.VisitorToken = visitor.IssuedToken!.Token;
            world.VisitorUserId = visitor.Session.UserId;
            return world;
        }

        /// <summary>Everything a caller can observe, as text: sessions, messages, revisions, summaries, state, grants, devices, tokens.</summary>
        public async Task<string> SnapshotAsync()
        {
            var text = new StringBuilder();
            foreach (string user in Users)
            {
                text.Append("user ").AppendLine(user);
                string? cursor = null;
                do
                {
                    var page = await Store.ListSessionsAsync(user, new SessionListOptions { PageSize = 100, Cursor = cursor });
                    foreach (var session in page.Items)
                    {
                        await AppendSessionAsync(text, session);
                    }

                    cursor = page.NextCursor;
                }
                while (cursor is not null);

                foreach (var entry in await State.ListStateAsync(StateScope.User, user))
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"  ustate {entry.Key}={entry.Value} v{entry.Version}");
                }

                foreach (var grant in await Access.ListGrantsAsync(user))
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"  grant {grant.SessionId} {grant.Grantee} {grant.Access} {grant.ExpiresAt:O}");
                }

                foreach (var device in await TokenStore.ListDevicesAsync(user))
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"  device {device.DeviceId} {device.DisplayName} {device.LastSeenAt:O} {Convert.ToHexString(device.FingerprintHash.Span)}");
                }

                foreach (var token in await Privacy.ListUserTokensAsync(user))
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"  token {token.TokenId} {token.SessionId} {token.DeviceId} {token.ExpiresAt:O} {token.RevokedAt:O} {token.ReplacedBy}");
                }
            }

            foreach (var entry in await State.ListStateAsync(StateScope.App, null))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"app {entry.Key}={entry.Value} v{entry.Version}");
            }

            return text.ToString();
        }

        private async Task AppendSessionAsync(StringBuilder text, Session session)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  session {session.Id} v{session.Version} '{session.Title}' last={session.LastSequence} count={session.MessageCount} at={session.LastActivityAt:O} from={session.ContinuesFromSessionId}");
            foreach (var (key, value) in session.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"    meta {key}={value}");
            }

            await foreach (var message in Store.ReadAllMessagesAsync(session.Id))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"    #{message.Sequence} {message.Role} {message.AuthorId} r{message.Revision} {message.Content}");
                if (message.Revision > 1)
                {
                    foreach (var revision in await Corrections.GetMessageRevisionsAsync(session.Id, message.Sequence))
                    {
                        text.AppendLine(CultureInfo.InvariantCulture, $"      rev {revision.Revision} {revision.Content}");
                    }
                }
            }

            foreach (var summary in await Store.GetSummariesAsync(session.Id))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"    summary [{summary.FromSequence},{summary.ToSequence}] L{summary.Level} {summary.Content}");
            }

            foreach (var scope in new[] { StateScope.Session, StateScope.Temp })
            {
                foreach (var entry in await State.ListStateAsync(scope, session.Id.ToString()))
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"    {scope} {entry.Key}={entry.Value} v{entry.Version}");
                }
            }
        }
    }
}
