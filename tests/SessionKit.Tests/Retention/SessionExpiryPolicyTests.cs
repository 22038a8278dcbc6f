using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace SessionKit.Tests.Retention;

[TestFixture]
public sealed class SessionExpiryPolicyTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public void GetExpiresAt_IsTheEarlierOfIdleAndAbsoluteEnds()
    {
        var policy = new SessionExpiryPolicy(new RetentionOptions { IdleTimeout = TimeSpan.FromDays(7), AbsoluteLifetime = TimeSpan.FromDays(30) });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(policy.GetExpiresAt(Session(created: Start, lastActivity: Start)), Is.EqualTo(Start.AddDays(7)));
            Assert.That(policy.GetExpiresAt(Session(created: Start, lastActivity: Start.AddDays(28))), Is.EqualTo(Start.AddDays(30)));
        }
    }

    [Test]
    public void WithoutPolicies_NothingExpires()
    {
        var policy = new SessionExpiryPolicy();

        Assert.That(policy.GetExpiresAt(Session(Start, Start)), Is.Null);
        Assert.That(policy.IsExpired(Session(Start, Start), DateTimeOffset.MaxValue), Is.False);
        Assert.That(policy.GetMessageRetention(Session(Start, Start)), Is.Null);
    }

    [Test]
    public void IsExpired_UsesTheInjectedClock()
    {
        var time = new FakeTimeProvider(Start);
        var policy = new SessionExpiryPolicy(new RetentionOptions { IdleTimeout = TimeSpan.FromDays(7) }, time);
        var session = Session(Start, Start);

        Assert.That(policy.IsExpired(session), Is.False);
        time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromTicks(1));
        Assert.That(policy.IsExpired(session), Is.False);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.That(policy.IsExpired(session), Is.True);
    }

    [Test]
    public void Overrides_ReplaceDisableOrKeepTheDefaults()
    {
        var policy = new SessionExpiryPolicy(new RetentionOptions { IdleTimeout = TimeSpan.FromDays(7), AbsoluteLifetime = TimeSpan.FromDays(30), MessageRetention = TimeSpan.FromDays(90) });
        var metadata = SessionExpiryPolicy.WithOverride(
            new Dictionary<string, string> { ["app"] = "kept" },
            new SessionRetentionOverride { IdleTimeout = TimeSpan.FromHours(1), AbsoluteLifetime = Timeout.InfiniteTimeSpan });
        var session = Session(Start, Start) with { Metadata = metadata };

        using (Assert.EnterMultipleScope())
        {
            Assert.That(policy.GetExpiresAt(session), Is.EqualTo(Start.AddHours(1)));
            Assert.That(policy.GetExpiresAt(session with { Metadata = SessionExpiryPolicy.WithOverride(metadata, new SessionRetentionOverride { IdleTimeout = Timeout.InfiniteTimeSpan, AbsoluteLifetime = Timeout.InfiniteTimeSpan }) }), Is.Null);
            Assert.That(policy.GetMessageRetention(session), Is.EqualTo(TimeSpan.FromDays(90)));
            Assert.That(metadata["app"], Is.EqualTo("kept"));
            Assert.That(SessionExpiryPolicy.ReadOverride(session), Is.EqualTo(new SessionRetentionOverride { IdleTimeout = TimeSpan.FromHours(1), AbsoluteLifetime = Timeout.InfiniteTimeSpan }));
        }
    }

    [Test]
    public void WithOverride_WithNullSettings_RemovesEarlierOverrides()
    {
        var metadata = SessionExpiryPolicy.WithOverride(null, new SessionRetentionOverride { IdleTimeout = TimeSpan.FromHours(1) });

        var cleared = SessionExpiryPolicy.WithOverride(metadata, new SessionRetentionOverride());

        Assert.That(cleared, Is.Empty);
    }

    [TestCase("bogus")]
    [TestCase("-1.00:00:00")]
    [TestCase("00:00:00")]
    public void MalformedOverride_CountsAsNone(string value)
    {
        var policy = new SessionExpiryPolicy(new RetentionOptions { IdleTimeout = TimeSpan.FromDays(7) });
        var session = Session(Start, Start) with { Metadata = new Dictionary<string, string> { [SessionExpiryPolicy.IdleTimeoutMetadataKey] = value } };

        Assert.That(policy.GetExpiresAt(session), Is.EqualTo(Start.AddDays(7)));
    }

    [Test]
    public void HugeDurations_SaturateInsteadOfOverflowing()
    {
        var policy = new SessionExpiryPolicy(new RetentionOptions { IdleTimeout = RetentionOptions.MaxDuration });
        var late = DateTimeOffset.MaxValue.AddDays(-1);

        Assert.That(policy.GetExpiresAt(Session(late, late)), Is.EqualTo(DateTimeOffset.MaxValue));
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void WithOverride_WithANonPositiveDuration_Throws(int seconds)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => SessionExpiryPolicy.WithOverride(null, new SessionRetentionOverride { MessageRetention = TimeSpan.FromSeconds(seconds) }));
        Assert.That(ex!.Message, Does.Contain("MessageRetention"));
        Assert.That(ex.ParamName, Is.EqualTo("retention"));
    }

    [Test]
    public void WithOverride_WithNull_Throws() =>
        Assert.Throws<ArgumentNullException>(() => SessionExpiryPolicy.WithOverride(null, null!));

    [Test]
    public void Validate_NamesEveryBadSetting()
    {
        var options = new RetentionOptions
        {
            IdleTimeout = TimeSpan.Zero,
            AbsoluteLifetime = TimeSpan.FromDays(-1),
            MessageRetention = RetentionOptions.MaxDuration + TimeSpan.FromDays(1),
            MessageRetentionMode = (MessageRetentionMode)9,
        };

        var failures = options.Validate("Opts");

        Assert.That(failures, Has.Count.EqualTo(4));
        Assert.That(failures, Has.Some.StartsWith("Opts.IdleTimeout"));
        Assert.That(failures, Has.Some.StartsWith("Opts.AbsoluteLifetime"));
        Assert.That(failures, Has.Some.StartsWith("Opts.MessageRetention "));
        Assert.That(failures, Has.Some.StartsWith("Opts.MessageRetentionMode"));
    }

    [Test]
    public void Constructor_WithInvalidOptions_ThrowsArgumentException()
    {
        var ex = Assert.Throws<ArgumentException>(() => new SessionExpiryPolicy(new RetentionOptions { IdleTimeout = TimeSpan.Zero }));
        Assert.That(ex!.Message, Does.Contain("IdleTimeout"));
    }

    [Test]
    public void Constructor_CopiesTheOptions()
    {
        var options = new RetentionOptions { IdleTimeout = TimeSpan.FromDays(1) };
        var policy = new SessionExpiryPolicy(options);
        options.IdleTimeout = TimeSpan.FromDays(100);

        Assert.That(policy.GetExpiresAt(Session(Start, Start)), Is.EqualTo(Start.AddDays(1)));
    }

    [Test]
    public void NullSession_Throws()
    {
        var policy = new SessionExpiryPolicy();

        Assert.Throws<ArgumentNullException>(() => policy.GetExpiresAt(null!));
        Assert.Throws<ArgumentNullException>(() => policy.GetMessageRetention(null!));
        Assert.Throws<ArgumentNullException>(() => SessionExpiryPolicy.ReadOverride(null!));
    }

    [Test]
    public void Sweeper_WithNullArguments_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new SessionSweeper(null!, new SessionExpiryPolicy()));
        Assert.Throws<ArgumentNullException>(() => new SessionSweeper(new InMemorySessionStore(), null!));
    }

    private static Session Session(DateTimeOffset created, DateTimeOffset lastActivity) => new()
    {
        Id = Guid.CreateVersion7(created),
        UserId = "alice",
        CreatedAt = created,
        LastActivityAt = lastActivity,
        Version = 1,
    };
}
