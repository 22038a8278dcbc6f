using NUnit.Framework;
using SessionKit.Conformance;

namespace SessionKit.Tests.InMemory;

[TestFixture]
public sealed class InMemorySessionTokenConformanceTests : SessionTokenConformanceTests
{
    protected override ISessionTokenStore CreateStore(TimeProvider timeProvider) => new InMemorySessionStore(timeProvider: timeProvider);
}
