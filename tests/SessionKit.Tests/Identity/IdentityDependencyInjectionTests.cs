using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using SessionKit.Testing;
using SessionKit.Storage;

namespace SessionKit.Tests.Identity;

[TestFixture]
public sealed class IdentityDependencyInjectionTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task UseInMemory_RegistersTokensAndDevices_OverTheSameStore_WithTheContainersClockAndOptions()
    {
        var time = new FakeTimeProvider(Start);
        var services = new ServiceCollection().AddSingleton<TimeProvider>(time);
        services.AddSessionKit(o =>
        {
            o.SessionTokens.DefaultLifetime = TimeSpan.FromHours(8);
            o.SessionTokens.FingerprintKeyBase64 = Convert.ToBase64String(Enumerable.Repeat((byte)42, 32).ToArray());
        }).UseInMemory();
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        var tokens = provider.GetRequiredService<ISessionTokenService>();
        var devices = provider.GetRequiredService<IDeviceRegistry>();
        var issued = await tokens.IssueAsync("alice");
        var device = await devices.RegisterAsync("alice", new DeviceRegistration { Fingerprint = new Dictionary<string, string> { ["os"] = "linux" } });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(tokens, Is.InstanceOf<SessionTokenService>());
            Assert.That(provider.GetRequiredService<ISessionTokenService>(), Is.SameAs(tokens));
            Assert.That(provider.GetRequiredService<ISessionTokenStore>(), Is.SameAs(provider.GetRequiredService<ISessionStore>()));
            Assert.That(issued.ExpiresAt, Is.EqualTo(Start.AddHours(8)));
            Assert.That((await tokens.ValidateAsync(issued.Token)).UserId, Is.EqualTo("alice"));
            Assert.That(device.HasFingerprint, Is.True);
            Assert.That((await devices.RecognizeAsync("alice", new Dictionary<string, string> { ["OS"] = "linux" }))?.DeviceId, Is.EqualTo(device.DeviceId));
        }

        time.Advance(TimeSpan.FromHours(8));
        Assert.That((await tokens.ValidateAsync(issued.Token)).IsValid, Is.False);
    }

    [Test]
    public async Task AStoreWithoutTokenSupport_GivesAClearErrorNamingTheInterface()
    {
        var services = new ServiceCollection();
        services.AddSessionKit().UseStore(_ => new ReadCountingStore(new InMemorySessionStore()));
        await using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ISessionTokenService>());

        Assert.That(ex!.Message, Does.Contain(nameof(ISessionTokenStore)).And.Contain(nameof(ReadCountingStore)));
    }

    [Test]
    public async Task HostRegistrations_Win()
    {
        var store = new InMemorySessionStore();
        var custom = new SessionTokenService(store);
        var services = new ServiceCollection().AddSingleton<ISessionTokenService>(custom);
        services.AddSessionKit().UseInMemory();
        await using var provider = services.BuildServiceProvider();

        Assert.That(provider.GetRequiredService<ISessionTokenService>(), Is.SameAs(custom));
    }

    [Test]
    public async Task InvalidTokenOptions_FailAtStartUp_NamingTheSetting()
    {
        var services = new ServiceCollection();
        services.AddSessionKit(o =>
        {
            o.SessionTokens.DefaultLifetime = TimeSpan.Zero;
            o.SessionTokens.FingerprintKey = new byte[8];
        }).UseInMemory();
        await using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<ISessionTokenService>());

        Assert.That(ex!.Failures, Has.Some.Contains("SessionKitOptions.SessionTokens.DefaultLifetime"));
        Assert.That(ex.Failures, Has.Some.Contains("SessionKitOptions.SessionTokens.FingerprintKey"));
    }

    [Test]
    public async Task WithoutAFingerprintKey_DevicesWithoutFingerprintsWork_AndFingerprintsFailNamingTheOption()
    {
        var services = new ServiceCollection();
        services.AddSessionKit().UseInMemory();
        await using var provider = services.BuildServiceProvider();
        var devices = provider.GetRequiredService<IDeviceRegistry>();

        var plain = await devices.RegisterAsync("alice", new DeviceRegistration { DeviceId = "phone" });
        var ex = Assert.ThrowsAsync<InvalidOperationException>(() => devices.RecognizeAsync("alice", new Dictionary<string, string> { ["os"] = "ios" }));

        Assert.That(plain.DeviceId, Is.EqualTo("phone"));
        Assert.That(ex!.Message, Does.Contain("SessionKitOptions.SessionTokens.FingerprintKey"));
    }
}
