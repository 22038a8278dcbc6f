using NUnit.Framework;
using SessionKit.Testing;

namespace SessionKit.Tests.InMemory;

[TestFixture]
public sealed class InMemorySessionStoreConformanceTests : SessionStoreConformanceTests
{
    protected override ISessionStore CreateStore(TimeProvider timeProvider, SessionLimits limits) =>
        new InMemorySessionStore(limits, timeProvider);
}
