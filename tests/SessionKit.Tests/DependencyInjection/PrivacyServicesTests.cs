using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Tests.DependencyInjection;

[TestFixture]
public sealed class PrivacyServicesTests
{
    [Test]
    public async Task AddSessionKit_RegistersEraseExportAndSweepOverTheConfiguredStore()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSessionKit(o => o.Retention.IdleTimeout = TimeSpan.FromDays(7)).UseInMemory();
        await using var provider = services.BuildServiceProvider(validateScopes: true);
        var store = provider.GetRequiredService<ISessionStore>();
        var session = await store.CreateSessionAsync("alice");
        time.Advance(TimeSpan.FromDays(8));

        var swept = await provider.GetRequiredService<ISessionSweeper>().SweepAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(provider.GetRequiredService<ISessionPrivacyStore>(), Is.SameAs(store));
            Assert.That(provider.GetRequiredService<ISessionRetentionStore>(), Is.SameAs(store));
            Assert.That(provider.GetRequiredService<IUserDataExporter>(), Is.InstanceOf<UserDataExporter>());
            Assert.That(provider.GetRequiredService<SessionExpiryPolicy>().IsExpired(session), Is.True);
            Assert.That(swept.SessionsExpired, Is.EqualTo(1));
        }
    }

    [Test]
    public void AddSessionKit_WithInvalidRetention_FailsValidationNamingTheSetting()
    {
        var services = new ServiceCollection();
        services.AddSessionKit(o => o.Retention.MessageRetention = TimeSpan.FromDays(-1)).UseInMemory();
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => _ = provider.GetRequiredService<IOptions<SessionKitOptions>>().Value);
        Assert.That(ex!.Message, Does.Contain("SessionKitOptions.Retention.MessageRetention"));
    }
}
