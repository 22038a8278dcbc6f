using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Testing;

/// <summary>
/// The behaviour every <see cref="ISessionTokenStore"/> backend must show, exercised through <see cref="SessionTokenService"/>
/// and <see cref="DeviceRegistry"/>. A backend's test project subclasses this fixture and supplies the store from
/// <see cref="CreateStore"/>; every test gets a fresh store and a fresh <see cref="FakeTimeProvider"/>.
/// </summary>
/// <remarks>
/// Split by topic into partial files: tokens (this file), the bad-token corpus and devices. A backend that keeps data in
/// files overrides <see cref="ReadRawStorage"/> so the tests can check that no raw token, secret or fingerprint reaches them.
/// </remarks>
public abstract partial class SessionTokenConformanceTests
{
    /// <summary>The instant the fake clock starts at in every test.</summary>
    protected static readonly DateTimeOffset StartTime = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The fingerprint key the suite's services use.</summary>
    protected static readonly byte[] FingerprintKey = Enumerable.Range(1, 32).Select(i => (byte)(i * 7)).ToArray();

    private readonly List<ISessionTokenStore> _stores = [];
    private FakeTimeProvider? _time;
    private ISessionTokenStore? _store;
    private SessionTokenService? _tokens;
    private DeviceRegistry? _devices;

    /// <summary>The clock the store and services were created with.</summary>
    protected FakeTimeProvider Time => _time ?? throw new InvalidOperationException("The fixture has not been set up.");

    /// <summary>The store under test.</summary>
    protected ISessionTokenStore Store => _store ?? throw new InvalidOperationException("The fixture has not been set up.");

    /// <summary>The token service over <see cref="Store"/>.</summary>
    protected SessionTokenService Tokens => _tokens ?? throw new InvalidOperationException("The fixture has not been set up.");

    /// <summary>The device registry over <see cref="Store"/>.</summary>
    protected DeviceRegistry Devices => _devices ?? throw new InvalidOperationException("The fixture has not been set up.");

    /// <summary>The options the suite's services use.</summary>
    protected static SessionTokenOptions Options => new() { FingerprintKey = FingerprintKey };

    /// <summary>Creates a new, empty backend (a new file for file-based ones), independent of any created before.</summary>
    /// <param name="timeProvider">The clock.</param>
    /// <returns>The store; the fixture disposes it.</returns>
    protected abstract ISessionTokenStore CreateStore(TimeProvider timeProvider);

    /// <summary>
    /// The raw bytes the backend has written for <paramref name="store"/> (database files, logs…), with any pending writes
    /// flushed; empty for a backend that keeps nothing outside process memory.
    /// </summary>
    /// <param name="store">A store made by <see cref="CreateStore"/>.</param>
    /// <returns>The contents of each file.</returns>
    protected virtual IReadOnlyList<byte[]> ReadRawStorage(ISessionTokenStore store) => [];

    /// <summary>Runs after the stores were disposed, for example to delete temporary files.</summary>
    /// <returns>A task that completes when clean-up is done.</returns>
    protected virtual Task OnTearDownAsync() => Task.CompletedTask;

    /// <summary>Creates the clock, the store and the services for one test.</summary>
    [SetUp]
    public void SetUpStore()
    {
        _time = new FakeTimeProvider(StartTime);
        _store = NewStore();
        _tokens = new SessionTokenService(_store, Options, _time);
        _devices = new DeviceRegistry(_store, Options, _time);
    }

    /// <summary>Disposes every store the test created.</summary>
    /// <returns>A task that completes when they are disposed.</returns>
    [TearDown]
    public async Task TearDownStoresAsync()
    {
        try
        {
            foreach (var store in _stores)
            {
                switch (store)
                {
                    case IAsyncDisposable asyncDisposable:
                        await asyncDisposable.DisposeAsync();
                        break;
                    case IDisposable disposable:
                        disposable.Dispose();
                        break;
                }
            }
        }
        finally
        {
            _stores.Clear();
            _store = null;
            await OnTearDownAsync();
        }
    }

    /// <summary>Creates another independent store on the same clock; the fixture disposes it.</summary>
    /// <returns>The store.</returns>
    protected ISessionTokenStore NewStore()
    {
        var store = CreateStore(Time);
        _stores.Add(store);
        return store;
    }

    /// <summary>Creates a session of <paramref name="userId"/> in the store under test (every built-in token store is also its session store).</summary>
    /// <param name="userId">The owner.</param>
    /// <returns>The session id.</returns>
    protected async Task<Guid> NewSessionAsync(string userId) => (await ((ISessionStore)Store).CreateSessionAsync(userId)).Id;

    [Test]
    public async Task Issue_ForAnUnknownSession_ThrowsSessionNotFound_AndStoresNoToken()
    {
        var unknown = Guid.CreateVersion7(StartTime);

        var thrown = Assert.ThrowsAsync<SessionNotFoundException>(() => Tokens.IssueAsync("alice", unknown));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(thrown!.SessionId, Is.EqualTo(unknown));
            Assert.That(await Tokens.RevokeAllAsync("alice"), Is.Zero, "no token was stored");
        }
    }

    [Test]
    public async Task Issue_ForAnotherUsersSession_ThrowsAccessDenied_AndStoresNoToken()
    {
        var bobs = await NewSessionAsync("bob");

        var thrown = Assert.ThrowsAsync<SessionAccessDeniedException>(() => Tokens.IssueAsync("alice", bobs, "phone"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(thrown!.SessionId, Is.EqualTo(bobs));
            Assert.That(thrown.Message, Does.Contain("alice").And.Contain(bobs.ToString()));
            Assert.That(await Tokens.RevokeAllAsync("alice"), Is.Zero, "no token was stored");
            Assert.That(await Tokens.RevokeAllAsync("bob"), Is.Zero);
        }
    }

    [Test]
    public async Task Issue_ForADeletedSession_ThrowsSessionNotFound()
    {
        var sessionId = await NewSessionAsync("alice");
        await ((ISessionStore)Store).DeleteSessionAsync(sessionId);

        Assert.ThrowsAsync<SessionNotFoundException>(() => Tokens.IssueAsync("alice", sessionId));
        Assert.That(await Tokens.RevokeAllAsync("alice"), Is.Zero);
    }

    /// <summary>The id and secret a token carries, decoded as documented: <c>sk_</c> + base64url(16-byte id ‖ 32-byte secret).</summary>
    /// <param name="token">A token.</param>
    /// <returns>The id bytes and the secret.</returns>
    protected static (byte[] Id, byte[] Secret) Decode(string token)
    {
        Assert.That(token, Does.StartWith("sk_"));
        byte[] payload = Base64Url.DecodeFromChars(token.AsSpan(3));
        Assert.That(payload, Has.Length.EqualTo(48));
        return (payload[..16], payload[16..]);
    }

    /// <summary>A token in the documented format with the given id and secret bytes.</summary>
    /// <param name="id">16 bytes.</param>
    /// <param name="secret">32 bytes.</param>
    /// <returns>The token text.</returns>
    protected static string Encode(byte[] id, byte[] secret) => "sk_" + Base64Url.EncodeToString([.. id, .. secret]);

    /// <summary>Whether <paramref name="needle"/> occurs anywhere in <paramref name="haystack"/>.</summary>
    /// <param name="haystack">The bytes searched.</param>
    /// <param name="needle">The bytes looked for.</param>
    /// <returns><see langword="true"/> if found.</returns>
    protected static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    [Test]
    public async Task Issue_ThenValidate_ReturnsTheUserSessionAndDevice()
    {
        var sessionId = await NewSessionAsync("alice");

        var issued = await Tokens.IssueAsync("alice", sessionId, "phone");
        var validation = await Tokens.ValidateAsync(issued.Token);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(validation.IsValid, Is.True);
            Assert.That(validation.UserId, Is.EqualTo("alice"));
            Assert.That(validation.SessionId, Is.EqualTo(sessionId));
            Assert.That(validation.DeviceId, Is.EqualTo("phone"));
            Assert.That(validation.TokenId, Is.EqualTo(issued.TokenId));
            Assert.That(validation.ExpiresAt, Is.EqualTo(issued.ExpiresAt));
            Assert.That(validation.FailureReason, Is.Null);
            Assert.That(issued.UserId, Is.EqualTo("alice"));
            Assert.That(issued.SessionId, Is.EqualTo(sessionId));
            Assert.That(issued.DeviceId, Is.EqualTo("phone"));
            Assert.That(issued.CreatedAt, Is.EqualTo(StartTime));
            Assert.That(issued.ExpiresAt, Is.EqualTo(StartTime + new SessionTokenOptions().DefaultLifetime));
        }
    }

    [Test]
    public async Task Issue_WithoutSessionOrDevice_ValidatesWithNeither()
    {
        var issued = await Tokens.IssueAsync("alice");

        var validation = await Tokens.ValidateOrThrowAsync(issued.Token);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(validation.UserId, Is.EqualTo("alice"));
            Assert.That(validation.SessionId, Is.Null);
            Assert.That(validation.DeviceId, Is.Null);
        }
    }

    [Test]
    public async Task Issue_ReturnsAUrlSafeTokenOfTheDocumentedFormat_WithA256BitSecret()
    {
        var issued = await Tokens.IssueAsync("alice");
        var (id, secret) = Decode(issued.Token);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(issued.Token, Has.Length.EqualTo(67));
            Assert.That(issued.Token, Does.Match("^sk_[A-Za-z0-9_-]{64}$"));
            Assert.That(new Guid(id, bigEndian: true), Is.EqualTo(issued.TokenId));
            Assert.That(issued.TokenId.Version, Is.EqualTo(7));
            Assert.That(secret, Has.Length.EqualTo(32));
        }
    }

    [Test]
    public async Task Issue_ManyTokens_GivesDistinctIdsAndSecrets()
    {
        var tokens = new List<IssuedSessionToken>();
        for (int i = 0; i < 50; i++)
        {
            tokens.Add(await Tokens.IssueAsync("alice"));
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(tokens.Select(t => t.TokenId), Is.Unique);
            Assert.That(tokens.Select(t => Convert.ToHexString(Decode(t.Token).Secret)), Is.Unique);
        }
    }

    [Test]
    public async Task Validate_IsValidUntilOneTickBeforeExpiry_AndInvalidFromExpiryOn()
    {
        var issued = await Tokens.IssueAsync("alice", lifetime: TimeSpan.FromHours(1));

        Time.Advance(TimeSpan.FromHours(1) - TimeSpan.FromTicks(1));
        var justBefore = await Tokens.ValidateAsync(issued.Token);
        Time.Advance(TimeSpan.FromTicks(1));
        var atExpiry = await Tokens.ValidateAsync(issued.Token);
        Time.Advance(TimeSpan.FromDays(1));
        var after = await Tokens.ValidateAsync(issued.Token);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(issued.ExpiresAt, Is.EqualTo(StartTime.AddHours(1)));
            Assert.That(justBefore.IsValid, Is.True);
            Assert.That(atExpiry, Is.EqualTo(SessionTokenValidationResult.Invalid));
            Assert.That(after, Is.EqualTo(SessionTokenValidationResult.Invalid));
        }
    }

    [Test]
    public async Task Issue_WithALifetimeBeyondTheMaximumOrNotPositive_Throws()
    {
        var max = new SessionTokenOptions().MaxLifetime;

        using (Assert.EnterMultipleScope())
        {
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Tokens.IssueAsync("alice", lifetime: max + TimeSpan.FromTicks(1)));
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Tokens.IssueAsync("alice", lifetime: TimeSpan.Zero));
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Tokens.IssueAsync("alice", lifetime: TimeSpan.FromSeconds(-1)));
            Assert.ThrowsAsync<ArgumentException>(() => Tokens.IssueAsync(" "));
            Assert.ThrowsAsync<ArgumentException>(() => Tokens.IssueAsync("alice", Guid.Empty));
            Assert.ThrowsAsync<ArgumentException>(() => Tokens.IssueAsync("alice", deviceId: ""));
            Assert.ThrowsAsync<ArgumentException>(() => Tokens.IssueAsync(new string('a', new SessionLimits().MaxIdLength + 1)));
        }

        Assert.That((await Tokens.IssueAsync("alice", lifetime: max)).ExpiresAt, Is.EqualTo(StartTime + max));
    }

    [Test]
    public async Task Rotate_InvalidatesTheOldToken_AndIssuesAValidOneWithTheSameBindingsAndLifetime()
    {
        var sessionId = await NewSessionAsync("alice");
        var old = await Tokens.IssueAsync("alice", sessionId, "laptop", TimeSpan.FromHours(2));
        Time.Advance(TimeSpan.FromMinutes(30));

        var rotated = await Tokens.RotateAsync(old.Token);
        var oldRecord = await Store.FindTokenAsync(old.TokenId);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rotated.Token, Is.Not.EqualTo(old.Token));
            Assert.That(rotated.TokenId, Is.Not.EqualTo(old.TokenId));
            Assert.That((await Tokens.ValidateAsync(old.Token)).IsValid, Is.False);
            var validation = await Tokens.ValidateAsync(rotated.Token);
            Assert.That(validation.IsValid, Is.True);
            Assert.That(validation.UserId, Is.EqualTo("alice"));
            Assert.That(validation.SessionId, Is.EqualTo(sessionId));
            Assert.That(validation.DeviceId, Is.EqualTo("laptop"));
            Assert.That(rotated.ExpiresAt, Is.EqualTo(Time.GetUtcNow().AddHours(2)));
            Assert.That(oldRecord!.RevokedAt, Is.EqualTo(Time.GetUtcNow()));
            Assert.That(oldRecord.ReplacedBy, Is.EqualTo(rotated.TokenId));
            Assert.ThrowsAsync<InvalidSessionTokenException>(() => Tokens.RotateAsync(old.Token));
        }
    }

    [Test]
    public async Task Rotate_Concurrently_HasExactlyOneWinner()
    {
        for (int round = 0; round < 20; round++)
        {
            var issued = await Tokens.IssueAsync("alice");
            using var start = new ManualResetEventSlim();
            var attempts = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                start.Wait();
                try
                {
                    return await Tokens.RotateAsync(issued.Token);
                }
                catch (InvalidSessionTokenException)
                {
                    return null;
                }
            })).ToArray();
            start.Set();
            var results = await Task.WhenAll(attempts);

            var winners = results.Where(r => r is not null).ToList();
            Assert.That(winners, Has.Count.EqualTo(1), $"round {round}");
            Assert.That((await Tokens.ValidateAsync(winners[0]!.Token)).IsValid, Is.True);
            Assert.That((await Tokens.ValidateAsync(issued.Token)).IsValid, Is.False);
        }
    }

    [Test]
    public async Task Rotate_ExpiredOrRevokedToken_Throws_AndStoresNothing()
    {
        var expiring = await Tokens.IssueAsync("alice", lifetime: TimeSpan.FromMinutes(5));
        var revoked = await Tokens.IssueAsync("alice");
        await Tokens.RevokeAsync(revoked.Token);
        Time.Advance(TimeSpan.FromMinutes(5));

        using (Assert.EnterMultipleScope())
        {
            Assert.ThrowsAsync<InvalidSessionTokenException>(() => Tokens.RotateAsync(expiring.Token));
            Assert.ThrowsAsync<InvalidSessionTokenException>(() => Tokens.RotateAsync(revoked.Token));
        }

        Assert.That(await Tokens.RevokeAllAsync("alice"), Is.EqualTo(1), "only the expired token was still unrevoked; no replacement was stored");
    }

    [Test]
    public async Task Store_RotateTokenAsync_RefusesExpiredRevokedAndUnknownTokens_AndAReplacementForAnotherUser()
    {
        var live = await Tokens.IssueAsync("alice", lifetime: TimeSpan.FromHours(1));
        SessionTokenRecord Replacement(string userId) => new()
        {
            TokenId = Guid.CreateVersion7(Time.GetUtcNow()),
            SecretHash = SHA256.HashData(RandomNumberGenerator.GetBytes(32)),
            UserId = userId,
            CreatedAt = Time.GetUtcNow(),
            ExpiresAt = Time.GetUtcNow().AddHours(1),
        };

        Assert.ThrowsAsync<ArgumentException>(() => Store.RotateTokenAsync(live.TokenId, Replacement("mallory"), Time.GetUtcNow()));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Store.RotateTokenAsync(Guid.CreateVersion7(), Replacement("alice"), Time.GetUtcNow()), Is.False);
            Assert.That(await Store.RotateTokenAsync(live.TokenId, Replacement("alice"), live.ExpiresAt), Is.False, "expired at now");
            Assert.That((await Tokens.ValidateAsync(live.Token)).IsValid, Is.True, "a refused rotation changes nothing");
            Assert.That(await Store.RotateTokenAsync(live.TokenId, Replacement("alice"), Time.GetUtcNow()), Is.True);
            Assert.That(await Store.RotateTokenAsync(live.TokenId, Replacement("alice"), Time.GetUtcNow()), Is.False, "rotated already");
        }
    }

    [Test]
    public async Task Revoke_RevokesThatTokenOnly()
    {
        var first = await Tokens.IssueAsync("alice");
        var second = await Tokens.IssueAsync("alice");

        bool revoked = await Tokens.RevokeAsync(first.Token);
        bool again = await Tokens.RevokeAsync(first.Token);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(revoked, Is.True);
            Assert.That(again, Is.False);
            Assert.That((await Tokens.ValidateAsync(first.Token)).IsValid, Is.False);
            Assert.That((await Tokens.ValidateAsync(second.Token)).IsValid, Is.True);
            Assert.That((await Store.FindTokenAsync(first.TokenId))!.RevokedAt, Is.EqualTo(StartTime));
            Assert.That((await Store.FindTokenAsync(first.TokenId))!.ReplacedBy, Is.Null);
        }
    }

    [Test]
    public async Task RevokeAll_RevokesEveryTokenOfTheUser_AndNoOtherUsers()
    {
        var alice = new[] { await Tokens.IssueAsync("alice"), await Tokens.IssueAsync("alice", deviceId: "phone"), await Tokens.IssueAsync("alice", await NewSessionAsync("alice")) };
        var bob = await Tokens.IssueAsync("bob");
        var aliceUpper = await Tokens.IssueAsync("Alice");

        int count = await Tokens.RevokeAllAsync("alice");
        int again = await Tokens.RevokeAllAsync("alice");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(count, Is.EqualTo(3));
            Assert.That(again, Is.Zero);
            foreach (var token in alice)
            {
                Assert.That((await Tokens.ValidateAsync(token.Token)).IsValid, Is.False);
            }

            Assert.That((await Tokens.ValidateAsync(bob.Token)).UserId, Is.EqualTo("bob"));
            Assert.That((await Tokens.ValidateAsync(aliceUpper.Token)).UserId, Is.EqualTo("Alice"), "user ids are case-sensitive");
            Assert.That(await Tokens.RevokeAllAsync("nobody"), Is.Zero);
        }
    }

    [Test]
    public async Task ForgetDevice_RevokesTheTokensBoundToIt_AndNoOthers()
    {
        await Devices.RegisterAsync("alice", new DeviceRegistration { DeviceId = "phone" });
        await Devices.RegisterAsync("alice", new DeviceRegistration { DeviceId = "laptop" });
        var phone = await Tokens.IssueAsync("alice", deviceId: "phone");
        var phone2 = await Tokens.IssueAsync("alice", deviceId: "phone");
        var laptop = await Tokens.IssueAsync("alice", deviceId: "laptop");
        var unbound = await Tokens.IssueAsync("alice");
        var bobPhone = await Tokens.IssueAsync("bob", deviceId: "phone");

        bool forgotten = await Devices.ForgetAsync("alice", "phone");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(forgotten, Is.True);
            Assert.That((await Tokens.ValidateAsync(phone.Token)).IsValid, Is.False);
            Assert.That((await Tokens.ValidateAsync(phone2.Token)).IsValid, Is.False);
            Assert.That((await Tokens.ValidateAsync(laptop.Token)).IsValid, Is.True);
            Assert.That((await Tokens.ValidateAsync(unbound.Token)).IsValid, Is.True);
            Assert.That((await Tokens.ValidateAsync(bobPhone.Token)).IsValid, Is.True, "another user's device of the same id");
            Assert.That((await Devices.ListAsync("alice")).Select(d => d.DeviceId), Is.EqualTo(new[] { "laptop" }));
        }
    }

    [Test]
    public async Task Storage_KeepsOnlyTheSecretsHash_NeverTheTokenOrTheSecret()
    {
        var issued = await Tokens.IssueAsync("alice", await NewSessionAsync("alice"), "phone");
        var (_, secret) = Decode(issued.Token);

        var record = await Store.FindTokenAsync(issued.TokenId);

        Assert.That(record, Is.Not.Null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(record!.SecretHash.ToArray(), Is.EqualTo(SHA256.HashData(secret)));
            Assert.That(record.UserId, Is.EqualTo("alice"));
            Assert.That(record.DeviceId, Is.EqualTo("phone"));
            Assert.That(record.ToString(), Does.Not.Contain(issued.Token[3..]).And.Not.Contain(Base64Url.EncodeToString(secret)));
        }

        var files = ReadRawStorage(Store);
        var needles = new Dictionary<string, byte[]>
        {
            ["token"] = System.Text.Encoding.UTF8.GetBytes(issued.Token),
            ["token without prefix"] = System.Text.Encoding.UTF8.GetBytes(issued.Token[3..]),
            ["secret as base64url"] = System.Text.Encoding.UTF8.GetBytes(Base64Url.EncodeToString(secret)),
            ["secret as base64"] = System.Text.Encoding.UTF8.GetBytes(Convert.ToBase64String(secret)),
            ["secret as hex"] = System.Text.Encoding.UTF8.GetBytes(Convert.ToHexString(secret)),
            ["secret bytes"] = secret,
        };
        using (Assert.EnterMultipleScope())
        {
            foreach (var (name, needle) in needles)
            {
                Assert.That(files.Any(f => Contains(f, needle)), Is.False, $"the {name} reached storage");
            }

            if (files.Count > 0)
            {
                Assert.That(files.Any(f => Contains(f, SHA256.HashData(secret))), Is.True, "the scan must find the hash it did store (the scan works)");
            }
        }
    }

    [Test]
    public async Task Store_FindTokenAsync_ReturnsTheRecordAsSaved_AndNullForAnUnknownId()
    {
        var record = new SessionTokenRecord
        {
            TokenId = Guid.CreateVersion7(StartTime),
            SecretHash = SHA256.HashData("x"u8),
            UserId = "alice",
            SessionId = await NewSessionAsync("alice"),
            DeviceId = "phone",
            CreatedAt = StartTime.ToOffset(TimeSpan.FromHours(2)),
            ExpiresAt = StartTime.AddTicks(12345),
        };

        await Store.SaveTokenAsync(record);
        var found = await Store.FindTokenAsync(record.TokenId);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(found, Is.EqualTo(record with { SecretHash = found!.SecretHash }));
            Assert.That(found.CreatedAt.Offset, Is.EqualTo(TimeSpan.Zero), "times come back in UTC");
            Assert.That(found.SecretHash.ToArray(), Is.EqualTo(record.SecretHash.ToArray()));
            Assert.That(await Store.FindTokenAsync(Guid.CreateVersion7()), Is.Null);
            Assert.ThrowsAsync<SessionKitException>(() => Store.SaveTokenAsync(record));
        }
    }

    [Test]
    public void Store_RejectsInvalidTokenRecords()
    {
        var valid = new SessionTokenRecord
        {
            TokenId = Guid.CreateVersion7(StartTime),
            SecretHash = new byte[32],
            UserId = "alice",
            CreatedAt = StartTime,
            ExpiresAt = StartTime.AddHours(1),
        };

        using (Assert.EnterMultipleScope())
        {
            Assert.ThrowsAsync<ArgumentNullException>(() => Store.SaveTokenAsync(null!));
            Assert.ThrowsAsync<ArgumentException>(() => Store.SaveTokenAsync(valid with { TokenId = Guid.Empty }));
            Assert.ThrowsAsync<ArgumentException>(() => Store.SaveTokenAsync(valid with { SecretHash = new byte[31] }));
            Assert.ThrowsAsync<ArgumentException>(() => Store.SaveTokenAsync(valid with { UserId = " " }));
            Assert.ThrowsAsync<ArgumentException>(() => Store.SaveTokenAsync(valid with { SessionId = Guid.Empty }));
            Assert.ThrowsAsync<ArgumentException>(() => Store.SaveTokenAsync(valid with { DeviceId = "" }));
            Assert.ThrowsAsync<ArgumentException>(() => Store.SaveTokenAsync(valid with { ExpiresAt = StartTime }));
            Assert.ThrowsAsync<ArgumentException>(() => Store.FindTokenAsync(Guid.Empty));
            Assert.ThrowsAsync<ArgumentException>(() => Store.RevokeUserTokensAsync("", StartTime));
        }
    }

    [Test]
    public void NullToken_ThrowsArgumentNullException_FromEveryOperation()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.ThrowsAsync<ArgumentNullException>(() => Tokens.ValidateAsync(null!));
            Assert.ThrowsAsync<ArgumentNullException>(() => Tokens.ValidateOrThrowAsync(null!));
            Assert.ThrowsAsync<ArgumentNullException>(() => Tokens.RotateAsync(null!));
            Assert.ThrowsAsync<ArgumentNullException>(() => Tokens.RevokeAsync(null!));
        }
    }

    [Test]
    public async Task ValidateOrThrow_ReturnsTheValidation_OrThrowsTheGenericException()
    {
        var issued = await Tokens.IssueAsync("alice");
        await Tokens.RevokeAsync((await Tokens.IssueAsync("alice")).Token);

        var validation = await Tokens.ValidateOrThrowAsync(issued.Token);
        var ex = Assert.ThrowsAsync<InvalidSessionTokenException>(() => Tokens.ValidateOrThrowAsync(issued.Token[..^1]));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(validation.UserId, Is.EqualTo("alice"));
            Assert.That(ex!.Message, Is.EqualTo(SessionTokenValidationResult.InvalidReason));
            Assert.That(ex, Is.InstanceOf<SessionKitException>());
        }
    }

    [Test]
    public async Task AfterDisposal_OperationsThrowObjectDisposedException()
    {
        var issued = await Tokens.IssueAsync("alice");
        await ((IAsyncDisposable)Store).DisposeAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.ThrowsAsync<ObjectDisposedException>(() => Tokens.ValidateAsync(issued.Token));
            Assert.ThrowsAsync<ObjectDisposedException>(() => Tokens.IssueAsync("alice"));
            Assert.ThrowsAsync<ObjectDisposedException>(() => Devices.ListAsync("alice"));
        }
    }
}
