using NUnit.Framework;

namespace SessionKit.Extensions.AI.Tests;

[TestFixture]
public sealed class InMemorySessionKitChatClientTests : SessionKitChatClientTests
{
    protected override ISessionStore CreateStore(TimeProvider timeProvider) => new InMemorySessionStore(null, timeProvider, Counter);
}
