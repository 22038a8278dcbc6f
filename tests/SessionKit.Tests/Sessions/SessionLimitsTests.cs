using NUnit.Framework;

namespace SessionKit.Tests.Sessions;

[TestFixture]
public sealed class SessionLimitsTests
{
    [Test]
    public void Validate_WithDefaults_ReturnsNoFailures()
    {
        Assert.That(new SessionLimits().Validate(), Is.Empty);
    }

    [Test]
    public void Validate_WithSmallestValidValues_ReturnsNoFailures()
    {
        var limits = new SessionLimits { MaxContentLength = 1, MaxMessagesPerAppend = 1, MaxMetadataEntries = 0, MaxIdLength = 1 };

        Assert.That(limits.Validate(), Is.Empty);
    }

    [TestCase(nameof(SessionLimits.MaxContentLength), 0)]
    [TestCase(nameof(SessionLimits.MaxContentLength), -1)]
    [TestCase(nameof(SessionLimits.MaxMessagesPerAppend), 0)]
    [TestCase(nameof(SessionLimits.MaxMetadataEntries), -1)]
    [TestCase(nameof(SessionLimits.MaxIdLength), 0)]
    public void Validate_WithOneBadSetting_NamesItAndItsValue(string setting, int value)
    {
        var limits = new SessionLimits();
        typeof(SessionLimits).GetProperty(setting)!.SetValue(limits, value);

        var failures = limits.Validate();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(failures, Has.Count.EqualTo(1));
            Assert.That(failures[0], Does.StartWith($"SessionLimits.{setting} "));
            Assert.That(failures[0], Does.Contain($"(was {value})"));
        }
    }

    [Test]
    public void Validate_WithPrefix_NamesSettingsByTheirPathInTheParentOptions()
    {
        var limits = new SessionLimits { MaxContentLength = 0, MaxMessagesPerAppend = 0, MaxMetadataEntries = -5, MaxIdLength = -1 };

        var failures = limits.Validate("SessionKitOptions.Limits");

        Assert.That(failures, Is.EqualTo(new[]
        {
            "SessionKitOptions.Limits.MaxContentLength must be at least 1 (was 0).",
            "SessionKitOptions.Limits.MaxMessagesPerAppend must be at least 1 (was 0).",
            "SessionKitOptions.Limits.MaxMetadataEntries must not be negative (was -5).",
            "SessionKitOptions.Limits.MaxIdLength must be at least 1 (was -1).",
        }));
    }
}
