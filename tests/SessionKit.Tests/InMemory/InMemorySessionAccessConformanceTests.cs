using NUnit.Framework;
using SessionKit.Testing;
using SessionKit.Storage;

namespace SessionKit.Tests.InMemory;

[TestFixture]
public sealed class InMemorySessionAccessConformanceTests : SessionAccessConformanceTests
{
    protected override SessionStore CreateStore(TimeProvider timeProvider) => new InMemorySessionStore(timeProvider: timeProvider);
}
