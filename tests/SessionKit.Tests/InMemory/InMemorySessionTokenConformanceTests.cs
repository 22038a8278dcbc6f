using NUnit.Framework;
using SessionKit.Testing;
using SessionKit.Storage;

namespace SessionKit.Tests.InMemory;

[TestFixture]
public sealed class InMemorySessionTokenConformanceTests : SessionTokenConformanceTests
{
    protected override ISessionTokenStore CreateStore(TimeProvider timeProvider) => new InMemorySessionStore(timeProvider: timeProvider);
}
