using NUnit.Framework;
using SessionKit.Testing;
using SessionKit.Storage;

namespace SessionKit.Tests.InMemory;

[TestFixture]
public sealed class InMemoryBadInputConformanceTests : BadInputConformanceTests
{
    protected override SessionStore CreateStore(TimeProvider timeProvider) => new InMemorySessionStore(timeProvider: timeProvider);
}
