using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Testing;

// An expired session (idle timeout, absolute lifetime, per-session override) is never continued.
public abstract partial class SessionResolverConformanceTests
{
    [Test]
    public async Task ExpiredByAbsoluteLifetime_IsNotContinued_EvenWhenActive()
    {
        var resolver = ExpiringResolver(new RetentionOptions { AbsoluteLifetime = TimeSpan.FromHours(2) });
        var first = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = "alice" });
        for (int i = 0; i < 5; i++)
        {
            Time.Advance(TimeSpan.FromMinutes(25));
            await Store.AppendMessageAsync(first.Session.Id, NewMessage.User($"still talking {i}"));
        }

        var second = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = "alice" });

        Assert.That(second.IsNew, Is.True);
        Assert.That(second.Reason, Is.EqualTo(SessionResolutionReason.NewAfterInactivity));
        Assert.That(second.PreviousSessionId, Is.EqualTo(first.Session.Id));
    }

    [Test]
    public async Task ExpiredByIdleTimeout_IsNotContinued_ThroughItsToken()
    {
        var resolver = ExpiringResolver(new RetentionOptions { IdleTimeout = TimeSpan.FromMinutes(10) }, new SessionResolverOptions { InactivityWindow = TimeSpan.FromDays(7) });
        var first = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = "alice" });
        Time.Advance(TimeSpan.FromMinutes(10));

        var second = await resolver.ResolveAsync(new SessionResolutionRequest { SessionToken = first.IssuedToken!.Token });

        Assert.That(second.IsNew, Is.True);
        Assert.That(second.Session.Id, Is.Not.EqualTo(first.Session.Id));
    }

    [Test]
    public async Task SessionWithANeverExpiresOverride_IsContinuedPastTheTimeout()
    {
        var resolver = ExpiringResolver(new RetentionOptions { IdleTimeout = TimeSpan.FromMinutes(10) }, new SessionResolverOptions { InactivityWindow = TimeSpan.FromDays(7) });
        var first = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = "alice" });
        await Store.UpdateSessionAsync(first.Session.Id, new SessionUpdate
        {
            Metadata = SessionExpiryPolicy.WithOverride(first.Session.Metadata, new SessionRetentionOverride { IdleTimeout = Timeout.InfiniteTimeSpan }),
        });
        Time.Advance(TimeSpan.FromDays(1));

        var second = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = "alice" });

        Assert.That(second.IsNew, Is.False);
        Assert.That(second.Session.Id, Is.EqualTo(first.Session.Id));
    }

    [Test]
    public async Task WithinBothWindows_TheSessionIsContinued()
    {
        var resolver = ExpiringResolver(new RetentionOptions { IdleTimeout = TimeSpan.FromHours(1), AbsoluteLifetime = TimeSpan.FromDays(1) });
        var first = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = "alice" });
        Time.Advance(TimeSpan.FromMinutes(20));

        var second = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = "alice" });

        Assert.That(second.Session.Id, Is.EqualTo(first.Session.Id));
    }

    private SessionResolver ExpiringResolver(RetentionOptions retention, SessionResolverOptions? options = null) =>
        new(Store, Tokens(), new DeviceRegistry((ISessionTokenStore)Store, TokenOptions, Time), options, Time, new SessionExpiryPolicy(retention, Time));
}
