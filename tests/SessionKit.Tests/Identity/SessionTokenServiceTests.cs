using System.Buffers.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace SessionKit.Tests.Identity;

[TestFixture]
public sealed class SessionTokenServiceTests
{
    private FakeTimeProvider _time = null!;
    private InMemorySessionStore _store = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        _store = new InMemorySessionStore(timeProvider: _time);
    }

    [TearDown]
    public void TearDown() => _store.Dispose();

    [Test]
    public async Task IssuedToken_ToString_LeavesTheTokenOut()
    {
        var tokens = new SessionTokenService(_store, timeProvider: _time);

        var issued = await tokens.IssueAsync("alice", deviceId: "phone");
        string text = issued.ToString();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(text, Does.Not.Contain(issued.Token[3..]));
            Assert.That(text, Does.Contain("<redacted>").And.Contain(issued.TokenId.ToString()).And.Contain("phone"));
        }
    }

    [Test]
    public async Task Logs_CarryTokenIdsOnly_NeverTokensOrSecrets()
    {
        var logger = new CapturingLogger<SessionTokenService>();
        var tokens = new SessionTokenService(_store, timeProvider: _time, logger: logger);

        var issued = await tokens.IssueAsync("alice");
        var rotated = await tokens.RotateAsync(issued.Token);
        await tokens.ValidateAsync(issued.Token);
        await tokens.ValidateAsync(rotated.Token[..^1]);
        await tokens.ValidateAsync("sk_" + rotated.Token[3..].Replace('A', 'B').Replace('a', 'b'));
        await tokens.RevokeAsync(rotated.Token);
        await tokens.ValidateAsync(rotated.Token);
        await tokens.RevokeAllAsync("alice");

        string secret1 = Base64Url.EncodeToString(Base64Url.DecodeFromChars(issued.Token.AsSpan(3)).AsSpan(16));
        string secret2 = Base64Url.EncodeToString(Base64Url.DecodeFromChars(rotated.Token.AsSpan(3)).AsSpan(16));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(logger.Entries, Has.Count.GreaterThanOrEqualTo(7));
            foreach (string entry in logger.Entries)
            {
                Assert.That(entry, Does.Not.Contain(issued.Token[3..20]).And.Not.Contain(rotated.Token[3..20]));
                Assert.That(entry, Does.Not.Contain(secret1[..16]).And.Not.Contain(secret2[..16]));
                Assert.That(entry, Does.Not.Contain("alice"), "not even the user id");
            }

            Assert.That(logger.Entries, Has.Some.Contains(issued.TokenId.ToString()));
            Assert.That(logger.Entries, Has.Some.Contains("RotatedAway"));
            Assert.That(logger.Entries, Has.Some.Contains("Malformed"));
        }
    }

    [Test]
    public async Task Rotate_CapsTheLifetimeAtTodaysMaximum()
    {
        var generous = new SessionTokenService(_store, new SessionTokenOptions { MaxLifetime = TimeSpan.FromDays(90) }, _time);
        var strict = new SessionTokenService(_store, new SessionTokenOptions { DefaultLifetime = TimeSpan.FromDays(1), MaxLifetime = TimeSpan.FromDays(7) }, _time);
        var issued = await generous.IssueAsync("alice", lifetime: TimeSpan.FromDays(90));

        var rotated = await strict.RotateAsync(issued.Token);

        Assert.That(rotated.ExpiresAt, Is.EqualTo(_time.GetUtcNow().AddDays(7)));
    }

    [Test]
    public void InvalidSessionTokenException_IsASessionKitException_WithTheGenericMessage()
    {
        var ex = new InvalidSessionTokenException();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex, Is.InstanceOf<SessionKitException>());
            Assert.That(ex.Message, Is.EqualTo("invalid or expired token"));
            Assert.That(SessionTokenValidationResult.Invalid.FailureReason, Is.EqualTo(ex.Message));
        }
    }

    [Test]
    public void Constructors_RejectNullStores()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.Throws<ArgumentNullException>(() => _ = new SessionTokenService(null!));
            Assert.Throws<ArgumentNullException>(() => _ = new DeviceRegistry(null!));
        }
    }

    private sealed class CapturingLogger<T> : ILogger<T>
    {
        public List<string> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            lock (Entries)
            {
                Entries.Add($"{formatter(state, exception)} | {values}");
            }
        }
    }
}
