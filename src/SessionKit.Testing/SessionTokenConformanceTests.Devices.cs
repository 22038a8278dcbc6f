using System.Security.Cryptography;
using System.Text;
using NUnit.Framework;

namespace SessionKit.Testing;

public abstract partial class SessionTokenConformanceTests
{
    private static Dictionary<string, string> PhoneFingerprint() => new()
    {
        ["UserAgent"] = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X)",
        ["Platform"] = "iOS",
        ["Screen"] = "1179x2556",
        ["TimeZone"] = "Europe/Zurich",
    };

    [Test]
    public async Task Register_WithoutIdOrFingerprint_CreatesADeviceWithANewVersion7Id()
    {
        var device = await Devices.RegisterAsync("alice", new DeviceRegistration { DisplayName = "Alice's phone" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Guid.TryParse(device.DeviceId, out var id), Is.True);
            Assert.That(id.Version, Is.EqualTo(7));
            Assert.That(device.UserId, Is.EqualTo("alice"));
            Assert.That(device.DisplayName, Is.EqualTo("Alice's phone"));
            Assert.That(device.HasFingerprint, Is.False);
            Assert.That(device.FirstSeenAt, Is.EqualTo(StartTime));
            Assert.That(device.LastSeenAt, Is.EqualTo(StartTime));
            Assert.That(await Devices.FindAsync("alice", device.DeviceId), Is.EqualTo(device));
        }
    }

    [Test]
    public async Task Register_AKnownId_UpdatesLastSeenAndGivenFields_KeepingFirstSeenAndTheRest()
    {
        await Devices.RegisterAsync("alice", new DeviceRegistration { DeviceId = "phone", DisplayName = "Phone", Fingerprint = PhoneFingerprint() });
        Time.Advance(TimeSpan.FromDays(2));

        var again = await Devices.RegisterAsync("alice", new DeviceRegistration { DeviceId = "phone" });
        Time.Advance(TimeSpan.FromHours(1));
        var renamed = await Devices.RegisterAsync("alice", new DeviceRegistration { DeviceId = "phone", DisplayName = "Work phone" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(again.FirstSeenAt, Is.EqualTo(StartTime));
            Assert.That(again.LastSeenAt, Is.EqualTo(StartTime.AddDays(2)));
            Assert.That(again.DisplayName, Is.EqualTo("Phone"));
            Assert.That(again.HasFingerprint, Is.True, "a registration without a fingerprint keeps the stored one");
            Assert.That(renamed.DisplayName, Is.EqualTo("Work phone"));
            Assert.That(renamed.LastSeenAt, Is.EqualTo(StartTime.AddDays(2).AddHours(1)));
            Assert.That(await Devices.ListAsync("alice"), Has.Count.EqualTo(1));
        }
    }

    [Test]
    public async Task List_ReturnsOnlyThatUsersDevices_MostRecentlySeenFirst()
    {
        await Devices.RegisterAsync("alice", new DeviceRegistration { DeviceId = "phone" });
        Time.Advance(TimeSpan.FromMinutes(1));
        await Devices.RegisterAsync("alice", new DeviceRegistration { DeviceId = "laptop" });
        Time.Advance(TimeSpan.FromMinutes(1));
        await Devices.RegisterAsync("bob", new DeviceRegistration { DeviceId = "tablet" });
        Time.Advance(TimeSpan.FromMinutes(1));
        var touched = await Devices.TouchAsync("alice", "phone");

        var alice = await Devices.ListAsync("alice");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alice.Select(d => d.DeviceId), Is.EqualTo(new[] { "phone", "laptop" }));
            Assert.That(touched!.LastSeenAt, Is.EqualTo(StartTime.AddMinutes(3)));
            Assert.That(touched.FirstSeenAt, Is.EqualTo(StartTime));
            Assert.That((await Devices.ListAsync("bob")).Single().DeviceId, Is.EqualTo("tablet"));
            Assert.That(await Devices.ListAsync("carol"), Is.Empty);
            Assert.That(await Devices.TouchAsync("alice", "tablet"), Is.Null);
            Assert.That(await Devices.FindAsync("alice", "tablet"), Is.Null);
        }
    }

    [Test]
    public async Task Recognize_MatchesTheSameAttributes_InAnyOrder_KeyCase_AndSurroundingWhiteSpace()
    {
        var phone = await Devices.RegisterAsync("alice", new DeviceRegistration { DisplayName = "Phone", Fingerprint = PhoneFingerprint() });
        await Devices.RegisterAsync("alice", new DeviceRegistration { DeviceId = "laptop", Fingerprint = new Dictionary<string, string> { ["UserAgent"] = "Firefox", ["Platform"] = "Linux" } });
        Time.Advance(TimeSpan.FromHours(5));
        var reshuffled = new Dictionary<string, string>
        {
            ["  timezone "] = "Europe/Zurich\t",
            ["SCREEN"] = " 1179x2556",
            ["platform"] = "iOS",
            ["useragent"] = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X)  ",
            ["DoNotTrack"] = "   ",
        };

        var recognized = await Devices.RecognizeAsync("alice", reshuffled);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(recognized, Is.Not.Null);
            Assert.That(recognized!.DeviceId, Is.EqualTo(phone.DeviceId));
            Assert.That(recognized.DisplayName, Is.EqualTo("Phone"));
            Assert.That(recognized.LastSeenAt, Is.EqualTo(StartTime.AddHours(5)), "recognising marks the device seen");
            Assert.That(recognized.FirstSeenAt, Is.EqualTo(StartTime));
        }
    }

    [Test]
    public async Task Recognize_DoesNotMatchADifferentValue_AMissingOrExtraAttribute_OrAnotherUser()
    {
        await Devices.RegisterAsync("alice", new DeviceRegistration { DeviceId = "phone", Fingerprint = PhoneFingerprint() });

        var otherValue = PhoneFingerprint();
        otherValue["Screen"] = "1170x2532";
        var valueCase = PhoneFingerprint();
        valueCase["Platform"] = "IOS";
        var missing = PhoneFingerprint();
        missing.Remove("TimeZone");
        var extra = PhoneFingerprint();
        extra["Language"] = "de-CH";

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Devices.RecognizeAsync("alice", otherValue), Is.Null);
            Assert.That(await Devices.RecognizeAsync("alice", valueCase), Is.Null, "values are case-sensitive");
            Assert.That(await Devices.RecognizeAsync("alice", missing), Is.Null);
            Assert.That(await Devices.RecognizeAsync("alice", extra), Is.Null);
            Assert.That(await Devices.RecognizeAsync("bob", PhoneFingerprint()), Is.Null);
            Assert.That(await Devices.RecognizeAsync("alice", new Dictionary<string, string>()), Is.Null);
            Assert.That((await Devices.RecognizeAsync("alice", PhoneFingerprint()))?.DeviceId, Is.EqualTo("phone"));
        }
    }

    [Test]
    public async Task Recognize_UnderAnotherKey_DoesNotMatch()
    {
        await Devices.RegisterAsync("alice", new DeviceRegistration { DeviceId = "phone", Fingerprint = PhoneFingerprint() });
        var otherKey = new DeviceRegistry(Store, new SessionTokenOptions { FingerprintKey = RandomNumberGenerator.GetBytes(32) }, Time);

        Assert.That(await otherKey.RecognizeAsync("alice", PhoneFingerprint()), Is.Null);
    }

    [Test]
    public async Task Register_WithoutIdButAKnownFingerprint_UpdatesThatDevice()
    {
        var first = await Devices.RegisterAsync("alice", new DeviceRegistration { Fingerprint = PhoneFingerprint() });
        Time.Advance(TimeSpan.FromDays(1));

        var second = await Devices.RegisterAsync("alice", new DeviceRegistration { Fingerprint = PhoneFingerprint(), DisplayName = "Phone" });
        var bobs = await Devices.RegisterAsync("bob", new DeviceRegistration { Fingerprint = PhoneFingerprint() });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(second.DeviceId, Is.EqualTo(first.DeviceId));
            Assert.That(second.DisplayName, Is.EqualTo("Phone"));
            Assert.That(second.LastSeenAt, Is.EqualTo(StartTime.AddDays(1)));
            Assert.That(bobs.DeviceId, Is.Not.EqualTo(first.DeviceId), "another user's device is never matched");
            Assert.That(await Devices.ListAsync("alice"), Has.Count.EqualTo(1));
        }
    }

    [Test]
    public async Task Forget_DeletesTheDevice_OnceOnly()
    {
        await Devices.RegisterAsync("alice", new DeviceRegistration { DeviceId = "phone", Fingerprint = PhoneFingerprint() });
        await Devices.RegisterAsync("bob", new DeviceRegistration { DeviceId = "phone" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Devices.ForgetAsync("alice", "phone"), Is.True);
            Assert.That(await Devices.ForgetAsync("alice", "phone"), Is.False);
            Assert.That(await Devices.ListAsync("alice"), Is.Empty);
            Assert.That(await Devices.RecognizeAsync("alice", PhoneFingerprint()), Is.Null);
            Assert.That(await Devices.FindAsync("bob", "phone"), Is.Not.Null);
        }
    }

    [Test]
    public async Task Fingerprint_IsStoredOnlyAsItsKeyedHash()
    {
        const string Distinctive = "Zebra-Quokka-Fingerprint-7f3a9c";
        var fingerprint = PhoneFingerprint();
        fingerprint["Canvas"] = Distinctive;
        await Devices.RegisterAsync("alice", new DeviceRegistration { DeviceId = "device-marker-51d2", Fingerprint = fingerprint });

        var record = await Store.FindDeviceAsync("alice", "device-marker-51d2");
        var files = ReadRawStorage(Store);

        Assert.That(record, Is.Not.Null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(record!.FingerprintHash.Length, Is.EqualTo(32));
            Assert.That(record.ToString(), Does.Not.Contain(Distinctive));
            foreach (var needle in new[] { Distinctive, "Europe/Zurich", "1179x2556", "iPhone" })
            {
                Assert.That(files.Any(f => Contains(f, Encoding.UTF8.GetBytes(needle))), Is.False, $"'{needle}' reached storage");
                Assert.That(files.Any(f => Contains(f, Encoding.Unicode.GetBytes(needle))), Is.False, $"'{needle}' reached storage as UTF-16");
            }

            if (files.Count > 0)
            {
                Assert.That(files.Any(f => Contains(f, Encoding.UTF8.GetBytes("device-marker-51d2"))), Is.True, "the scan must find what was stored (the scan works)");
                Assert.That(files.Any(f => Contains(f, record.FingerprintHash.ToArray())), Is.True);
            }
        }
    }

    [Test]
    public async Task Fingerprint_WithoutAKey_ThrowsAClearErrorNamingTheOption_WhileDevicesWithoutOneStillWork()
    {
        var keyless = new DeviceRegistry(Store, new SessionTokenOptions(), Time);

        var register = Assert.ThrowsAsync<InvalidOperationException>(() => keyless.RegisterAsync("alice", new DeviceRegistration { Fingerprint = PhoneFingerprint() }));
        var recognize = Assert.ThrowsAsync<InvalidOperationException>(() => keyless.RecognizeAsync("alice", PhoneFingerprint()));
        var recognizeEmpty = Assert.ThrowsAsync<InvalidOperationException>(() => keyless.RecognizeAsync("alice", new Dictionary<string, string>()));
        var plain = await keyless.RegisterAsync("alice", new DeviceRegistration { DeviceId = "phone" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(register!.Message, Does.Contain("SessionTokenOptions.FingerprintKey").And.Contain("SessionKitOptions.SessionTokens.FingerprintKey"));
            Assert.That(recognize!.Message, Is.EqualTo(register.Message));
            Assert.That(recognizeEmpty!.Message, Is.EqualTo(register.Message));
            Assert.That(plain.DeviceId, Is.EqualTo("phone"));
            Assert.That(await Devices.ListAsync("alice"), Has.Count.EqualTo(1), "nothing was stored by the failed registrations");
        }
    }

    [Test]
    public void Register_RejectsInvalidArguments()
    {
        var clash = new Dictionary<string, string> { ["Platform"] = "iOS", ["platform "] = "Android" };

        using (Assert.EnterMultipleScope())
        {
            Assert.ThrowsAsync<ArgumentNullException>(() => Devices.RegisterAsync("alice", null!));
            Assert.ThrowsAsync<ArgumentException>(() => Devices.RegisterAsync(" ", new DeviceRegistration()));
            Assert.ThrowsAsync<ArgumentException>(() => Devices.RegisterAsync("alice", new DeviceRegistration { DeviceId = "" }));
            Assert.ThrowsAsync<ArgumentException>(() => Devices.RegisterAsync("alice", new DeviceRegistration { DisplayName = "  " }));
            Assert.ThrowsAsync<ArgumentException>(() => Devices.RegisterAsync("alice", new DeviceRegistration { DeviceId = new string('d', new SessionLimits().MaxIdLength + 1) }));
            Assert.ThrowsAsync<ArgumentException>(() => Devices.RegisterAsync("alice", new DeviceRegistration { Fingerprint = clash }));
            Assert.ThrowsAsync<ArgumentException>(() => Devices.RegisterAsync("alice", new DeviceRegistration { Fingerprint = new Dictionary<string, string> { [" "] = "x" } }));
            Assert.ThrowsAsync<ArgumentNullException>(() => Devices.RecognizeAsync("alice", null!));
            Assert.ThrowsAsync<ArgumentException>(() => Devices.ForgetAsync("alice", ""));
            Assert.ThrowsAsync<ArgumentException>(() => Store.FindDeviceByFingerprintAsync("alice", new byte[16]));
        }
    }
}
