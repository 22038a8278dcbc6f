namespace SessionKit.Extensions.AI.Tests;

/// <summary>What a host registers: the authenticated caller of the current request (here set by the test).</summary>
internal sealed class FakeCallerAccessor : ISessionCallerAccessor
{
    public SessionCaller? Caller { get; set; }
}
