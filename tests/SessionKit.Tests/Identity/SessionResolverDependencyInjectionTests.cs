using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace SessionKit.Tests.Identity;

[TestFixture]
public sealed class SessionResolverDependencyInjectionTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task UseInMemory_RegistersTheResolver_WithTheConfiguredWindowAndTheContainersClock()
    {
        var time = new FakeTimeProvider(Start);
        var services = new ServiceCollection().AddSingleton<TimeProvider>(time);
        services.AddSessionKit(o => o.Resolver.InactivityWindow = TimeSpan.FromDays(7)).UseInMemory();
        await using var provider = services.BuildServiceProvider(validateScopes: true);
        var resolver = provider.GetRequiredService<ISessionResolver>();

        var first = await resolver.ResolveAsync(new SessionResolutionRequest { UserId = "ada" });
        time.Advance(TimeSpan.FromDays(2));
        var twoDaysLater = await resolver.ResolveAsync(new SessionResolutionRequest { SessionToken = first.IssuedToken!.Token });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(resolver, Is.InstanceOf<SessionResolver>());
            Assert.That(twoDaysLater.Reason, Is.EqualTo(SessionResolutionReason.ContinuedFromToken));
            Assert.That(twoDaysLater.Session.Id, Is.EqualTo(first.Session.Id));
        }
    }

    [Test]
    public async Task InvalidResolverOptions_FailAtStartUp_NamingTheSetting()
    {
        var services = new ServiceCollection();
        services.AddSessionKit(o => o.Resolver.InactivityWindow = TimeSpan.FromMinutes(-1)).UseInMemory();
        await using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<ISessionResolver>());

        Assert.That(ex!.Failures, Has.Some.Contains("SessionKitOptions.Resolver.InactivityWindow"));
    }

    [Test]
    public void ARequestsToString_LeavesOutTheTokenAndFingerprint()
    {
        var request = new SessionResolutionRequest
        {
            UserId = "ada",
            SessionToken = "sk_secret-token-text",
            Fingerprint = new Dictionary<string, string> { ["ua"] = "SecretBrowser" },
        };

        Assert.That(request.ToString(), Does.Contain("ada").And.Not.Contain("secret-token-text").And.Not.Contain("SecretBrowser"));
    }
}
