using NUnit.Framework;
using SessionKit.Testing;

namespace SessionKit.Tests.InMemory;

/// <summary>The whole store conformance suite again, with encryption at rest on.</summary>
[TestFixture]
public sealed class EncryptedInMemorySessionStoreConformanceTests : SessionStoreConformanceTests
{
    protected override ISessionStore CreateStore(TimeProvider timeProvider, SessionLimits limits) =>
        new InMemorySessionStore(limits, timeProvider, masterKeys: TestMasterKeys.Provider());
}
