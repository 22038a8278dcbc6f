using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Testing;

// Erasing a user or a session: everything goes, nothing of anyone else does.
public abstract partial class SessionStoreConformanceTests
{
    /// <summary>The store under test as its privacy operations.</summary>
    protected ISessionPrivacyStore Privacy => Store as ISessionPrivacyStore ?? throw new InvalidOperationException("The store does not implement ISessionPrivacyStore.");

    /// <summary>The store under test as its retention primitives.</summary>
    protected ISessionRetentionStore Retention => Store as ISessionRetentionStore ?? throw new InvalidOperationException("The store does not implement ISessionRetentionStore.");

    /// <summary>The store under test as its token and device store.</summary>
    protected ISessionTokenStore Identity => Store as ISessionTokenStore ?? throw new InvalidOperationException("The store does not implement ISessionTokenStore.");

    [Test]
    public async Task EraseUser_RemovesEverySessionMessageSummaryTokenAndDevice()
    {
        var planted = await PlantUserAsync("alice", "zebrafinch quokka");

        var result = await Privacy.EraseUserAsync("alice");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result, Is.EqualTo(new EraseResult { Sessions = 2, Messages = 6, Summaries = 1, Tokens = 2, Devices = 1 }));
            Assert.That(await ListIdsAsync("alice"), Is.Empty);
            Assert.That(await Store.FindSessionAsync(planted.Sessions[0]), Is.Null);
            Assert.That(await Store.FindSessionAsync(planted.Sessions[1]), Is.Null);
            Assert.That((await Store.SearchAsync("alice", new SearchQuery { Text = "zebrafinch" })).Items, Is.Empty);
            Assert.That(await Identity.FindTokenAsync(planted.Tokens[0]), Is.Null);
            Assert.That(await Identity.FindTokenAsync(planted.Tokens[1]), Is.Null);
            Assert.That(await Identity.ListDevicesAsync("alice"), Is.Empty);
            Assert.That(await Privacy.ListUserTokensAsync("alice"), Is.Empty);
        }
    }

    [Test]
    public async Task EraseUser_LeavesOtherUsersIntact()
    {
        await PlantUserAsync("alice", "zebrafinch quokka");
        var bob = await PlantUserAsync("bob", "zebrafinch wombat");

        await Privacy.EraseUserAsync("alice");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await ListIdsAsync("bob"), Is.EquivalentTo(bob.Sessions));
            Assert.That(await Store.CountMessagesAsync(bob.Sessions[0]), Is.EqualTo(3));
            Assert.That(await Store.GetSummariesAsync(bob.Sessions[0]), Has.Count.EqualTo(1));
            Assert.That((await Store.SearchAsync("bob", new SearchQuery { Text = "zebrafinch" })).Items, Has.Count.EqualTo(2));
            Assert.That(await Identity.FindTokenAsync(bob.Tokens[0]), Is.Not.Null);
            Assert.That(await Identity.ListDevicesAsync("bob"), Has.Count.EqualTo(1));
            Assert.That(await Privacy.ListUserTokensAsync("bob"), Has.Count.EqualTo(2));
        }
    }

    [Test]
    public async Task EraseUser_OfUnknownUser_IsANoOpWithZeroCounts()
    {
        await PlantUserAsync("bob", "wombat");

        var result = await Privacy.EraseUserAsync("nobody");

        Assert.That(result, Is.EqualTo(EraseResult.None));
        Assert.That(result.Any, Is.False);
        Assert.That(await ListIdsAsync("bob"), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task EraseUser_Twice_SecondIsANoOp()
    {
        await PlantUserAsync("alice", "quokka");
        await Privacy.EraseUserAsync("alice");

        Assert.That(await Privacy.EraseUserAsync("alice"), Is.EqualTo(EraseResult.None));
    }

    [Test]
    public async Task EraseUser_ThenTheUserCanStartAgain()
    {
        await PlantUserAsync("alice", "quokka");
        await Privacy.EraseUserAsync("alice");

        var fresh = await CreateSessionAsync("alice");
        await AppendAsync(fresh.Id, "a new beginning");

        Assert.That(await ListIdsAsync("alice"), Is.EqualTo(new[] { fresh.Id }));
        Assert.That((await Store.SearchAsync("alice", new SearchQuery { Text = "quokka" })).Items, Is.Empty);
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("  ")]
    public void EraseUser_WithBlankUserId_Throws(string? userId) =>
        Assert.CatchAsync<ArgumentException>(() => Privacy.EraseUserAsync(userId!));

    [Test]
    public void EraseUser_WithCancelledToken_Throws() =>
        Assert.CatchAsync<OperationCanceledException>(() => Privacy.EraseUserAsync("alice", CancelledToken()));

    [Test]
    public async Task EraseUser_AfterDispose_ThrowsObjectDisposedException()
    {
        await DisposeStoreAsync();

        Assert.ThrowsAsync<ObjectDisposedException>(() => Privacy.EraseUserAsync("alice"));
    }

    [Test]
    public async Task EraseSession_RemovesOnlyThatSession()
    {
        var planted = await PlantUserAsync("alice", "zebrafinch quokka");

        var result = await Privacy.EraseSessionAsync(planted.Sessions[0]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result, Is.EqualTo(new EraseResult { Sessions = 1, Messages = 3, Summaries = 1 }));
            Assert.That(await ListIdsAsync("alice"), Is.EqualTo(new[] { planted.Sessions[1] }));
            Assert.That((await Store.SearchAsync("alice", new SearchQuery { Text = "zebrafinch" })).Items.Select(h => h.Message.SessionId), Is.EqualTo(new[] { planted.Sessions[1] }));
            Assert.That(await Identity.ListDevicesAsync("alice"), Has.Count.EqualTo(1));
        }
    }

    [Test]
    public async Task EraseSession_OfUnknownSession_IsANoOp() =>
        Assert.That(await Privacy.EraseSessionAsync(Guid.CreateVersion7()), Is.EqualTo(EraseResult.None));

    [Test]
    public void EraseSession_WithEmptyId_Throws() =>
        Assert.ThrowsAsync<ArgumentException>(() => Privacy.EraseSessionAsync(Guid.Empty));

    [Test]
    public async Task EraseSessions_SkipsUnknownAndDuplicateIds()
    {
        var planted = await PlantUserAsync("alice", "quokka");

        var result = await Retention.EraseSessionsAsync([planted.Sessions[0], Guid.CreateVersion7(), planted.Sessions[0], planted.Sessions[1]]);

        Assert.That(result.Sessions, Is.EqualTo(2));
        Assert.That(await ListIdsAsync("alice"), Is.Empty);
    }

    [Test]
    public void EraseSessions_WithBadArguments_Throws()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.ThrowsAsync<ArgumentNullException>(() => Retention.EraseSessionsAsync(null!));
            Assert.ThrowsAsync<ArgumentException>(() => Retention.EraseSessionsAsync([]));
            Assert.ThrowsAsync<ArgumentException>(() => Retention.EraseSessionsAsync([Guid.Empty]));
            Assert.ThrowsAsync<ArgumentException>(() => Retention.EraseSessionsAsync(Enumerable.Range(0, ISessionRetentionStore.MaxBatchSize + 1).Select(_ => Guid.CreateVersion7()).ToList()));
        }
    }

    [Test]
    public async Task ListUserTokens_ReturnsOnlyThatUsersTokensOldestFirst()
    {
        var alice = await PlantUserAsync("alice", "quokka");
        await PlantUserAsync("bob", "wombat");

        var tokens = await Privacy.ListUserTokensAsync("alice");

        Assert.That(tokens.Select(t => t.TokenId), Is.EqualTo(alice.Tokens));
        Assert.ThrowsAsync<ArgumentException>(() => Privacy.ListUserTokensAsync(" "));
    }

    /// <summary>
    /// Gives <paramref name="userId"/> two sessions of three messages (each containing <paramref name="words"/>, once in the
    /// first message of each), a summary on the first session, two tokens and one device.
    /// </summary>
    /// <param name="userId">The user.</param>
    /// <param name="words">Distinctive words to plant.</param>
    /// <returns>The ids created.</returns>
    protected async Task<PlantedUser> PlantUserAsync(string userId, string words)
    {
        var sessions = new List<Guid>();
        for (int i = 0; i < 2; i++)
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            var session = await Store.CreateSessionAsync(userId, new SessionCreateOptions { Title = $"{words} title {i}", Metadata = new Dictionary<string, string> { ["topic"] = words } });
            await Store.AppendMessagesAsync(session.Id, [NewMessage.User($"I keep thinking about {words} today."), NewMessage.Assistant("Tell me more."), NewMessage.User("It is a long story.")]);
            sessions.Add(session.Id);
        }

        await Store.SaveSummaryAsync(sessions[0], new NewSummary(1, 2, 1, $"The user talked about {words}.", "test"));
        var tokens = new List<Guid>();
        for (int i = 0; i < 2; i++)
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            var now = Time.GetUtcNow();
            var token = new SessionTokenRecord
            {
                TokenId = Guid.CreateVersion7(now),
                SecretHash = new byte[32],
                UserId = userId,
                SessionId = sessions[i],
                DeviceId = "phone",
                CreatedAt = now,
                ExpiresAt = now.AddDays(1),
            };
            await Identity.SaveTokenAsync(token);
            tokens.Add(token.TokenId);
        }

        await Identity.UpsertDeviceAsync(new DeviceRecord { UserId = userId, DeviceId = "phone", DisplayName = $"{userId}'s phone", FirstSeenAt = Time.GetUtcNow(), LastSeenAt = Time.GetUtcNow() });
        return new PlantedUser(sessions, tokens);
    }

    /// <summary>What <see cref="PlantUserAsync"/> created.</summary>
    /// <param name="Sessions">The session ids, oldest first.</param>
    /// <param name="Tokens">The token ids, oldest first.</param>
    protected sealed record PlantedUser(IReadOnlyList<Guid> Sessions, IReadOnlyList<Guid> Tokens);
}
