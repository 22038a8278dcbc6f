using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace SessionKit.Tests.DependencyInjection;

[TestFixture]
public sealed class ConcurrencyDependencyInjectionTests
{
    [Test]
    public async Task UseInMemory_ResolvesCorrectionStateAndLeases_AsTheSameStore()
    {
        var services = new ServiceCollection();
        services.AddSessionKit().UseInMemory();
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        var store = provider.GetRequiredService<ISessionStore>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(provider.GetRequiredService<ISessionCorrectionStore>(), Is.SameAs(store));
            Assert.That(provider.GetRequiredService<ISessionStateStore>(), Is.SameAs(store));
            Assert.That(provider.GetRequiredService<ISessionLeaseStore>(), Is.SameAs(store));
        }
    }
}
