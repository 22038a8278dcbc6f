using NUnit.Framework;

namespace SessionKit.Tests.Identity;

[TestFixture]
public sealed class SessionTokenOptionsTests
{
    private const string Prefix = "SessionKitOptions.SessionTokens";

    [Test]
    public void Defaults_AreValid_ThirtyDaysWithinAYear_AndNoFingerprintKey()
    {
        var options = new SessionTokenOptions();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Validate(), Is.Empty);
            Assert.That(options.DefaultLifetime, Is.EqualTo(TimeSpan.FromDays(30)));
            Assert.That(options.MaxLifetime, Is.EqualTo(TimeSpan.FromDays(365)));
            Assert.That(options.FingerprintKey, Is.Null);
            Assert.That(options.FingerprintKeyBase64, Is.Null);
        }
    }

    private static IEnumerable<TestCaseData> InvalidOptions()
    {
        yield return new TestCaseData(new SessionTokenOptions { DefaultLifetime = TimeSpan.Zero }, "DefaultLifetime").SetArgDisplayNames("zero default lifetime");
        yield return new TestCaseData(new SessionTokenOptions { DefaultLifetime = TimeSpan.FromSeconds(-1) }, "DefaultLifetime").SetArgDisplayNames("negative default lifetime");
        yield return new TestCaseData(new SessionTokenOptions { MaxLifetime = TimeSpan.Zero }, "MaxLifetime").SetArgDisplayNames("zero max lifetime");
        yield return new TestCaseData(new SessionTokenOptions { MaxLifetime = TimeSpan.MaxValue }, "MaxLifetime").SetArgDisplayNames("unrepresentable max lifetime");
        yield return new TestCaseData(new SessionTokenOptions { DefaultLifetime = TimeSpan.FromDays(400) }, "DefaultLifetime").SetArgDisplayNames("default above max");
        yield return new TestCaseData(new SessionTokenOptions { FingerprintKey = new byte[31] }, "FingerprintKey").SetArgDisplayNames("short key");
        yield return new TestCaseData(new SessionTokenOptions { FingerprintKeyBase64 = "not base64!" }, "FingerprintKeyBase64").SetArgDisplayNames("bad base64");
        yield return new TestCaseData(new SessionTokenOptions { FingerprintKeyBase64 = Convert.ToBase64String(new byte[16]) }, "FingerprintKeyBase64").SetArgDisplayNames("short base64 key");
        yield return new TestCaseData(new SessionTokenOptions { FingerprintKeyBase64 = "" }, "FingerprintKeyBase64").SetArgDisplayNames("empty base64 key");
        yield return new TestCaseData(new SessionTokenOptions { FingerprintKey = new byte[32], FingerprintKeyBase64 = Convert.ToBase64String(new byte[32]) }, "FingerprintKeyBase64").SetArgDisplayNames("both keys");
    }

    [TestCaseSource(nameof(InvalidOptions))]
    public void Validate_NamesTheBadField(SessionTokenOptions options, string field)
    {
        var failures = options.Validate(Prefix);

        Assert.That(failures, Has.Some.Contains($"{Prefix}.{field}"));
    }

    [TestCaseSource(nameof(InvalidOptions))]
    public void Services_RejectInvalidOptions_NamingTheField(SessionTokenOptions options, string field)
    {
        var store = new InMemorySessionStore();

        var tokens = Assert.Throws<ArgumentException>(() => _ = new SessionTokenService(store, options));
        var devices = Assert.Throws<ArgumentException>(() => _ = new DeviceRegistry(store, options));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(tokens!.Message, Does.Contain($"SessionTokenOptions.{field}"));
            Assert.That(devices!.Message, Does.Contain($"SessionTokenOptions.{field}"));
        }
    }

    [Test]
    public void Validate_AcceptsAKeyOfThirtyTwoBytes_AsBytesOrBase64()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(new SessionTokenOptions { FingerprintKey = new byte[32] }.Validate(), Is.Empty);
            Assert.That(new SessionTokenOptions { FingerprintKeyBase64 = Convert.ToBase64String(new byte[64]) }.Validate(), Is.Empty);
            Assert.That(new SessionTokenOptions { DefaultLifetime = TimeSpan.FromDays(365) }.Validate(), Is.Empty, "default may equal max");
        }
    }

    [Test]
    public async Task Services_CopyTheOptions_SoLaterChangesHaveNoEffect()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = new InMemorySessionStore(timeProvider: time);
        byte[] key = Enumerable.Repeat((byte)9, 32).ToArray();
        var options = new SessionTokenOptions { DefaultLifetime = TimeSpan.FromHours(1), FingerprintKey = key };
        var tokens = new SessionTokenService(store, options, time);
        var devices = new DeviceRegistry(store, options, time);
        var fingerprint = new Dictionary<string, string> { ["os"] = "linux" };
        await devices.RegisterAsync("alice", new DeviceRegistration { DeviceId = "pc", Fingerprint = fingerprint });

        options.DefaultLifetime = TimeSpan.FromDays(2);
        key[0] = 1;
        var issued = await tokens.IssueAsync("alice");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(issued.ExpiresAt, Is.EqualTo(time.GetUtcNow().AddHours(1)));
            Assert.That((await devices.RecognizeAsync("alice", fingerprint))?.DeviceId, Is.EqualTo("pc"));
        }
    }
}
