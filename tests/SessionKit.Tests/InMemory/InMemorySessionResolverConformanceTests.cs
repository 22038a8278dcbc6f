using NUnit.Framework;
using SessionKit.Testing;
using SessionKit.Storage;

namespace SessionKit.Tests.InMemory;

[TestFixture]
public sealed class InMemorySessionResolverConformanceTests : SessionResolverConformanceTests
{
    protected override SessionStore CreateStore(TimeProvider timeProvider) => new InMemorySessionStore(timeProvider: timeProvider);
}
