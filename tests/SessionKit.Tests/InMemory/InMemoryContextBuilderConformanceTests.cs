using NUnit.Framework;
using SessionKit.Testing;

namespace SessionKit.Tests.InMemory;

[TestFixture]
public sealed class InMemoryContextBuilderConformanceTests : ContextBuilderConformanceTests
{
    protected override ISessionStore CreateStore(TimeProvider timeProvider) => new InMemorySessionStore(null, timeProvider);
}
