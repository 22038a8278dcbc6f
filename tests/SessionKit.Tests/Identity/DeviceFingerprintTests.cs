using NUnit.Framework;

namespace SessionKit.Tests.Identity;

[TestFixture]
public sealed class DeviceFingerprintTests
{
    private static readonly byte[] Key = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    private static byte[]? Hash(Dictionary<string, string>? attributes, byte[]? key = null) => DeviceFingerprint.Hash(attributes, key ?? Key, "fingerprint");

    [Test]
    public void Hash_IgnoresOrderKeyCaseSurroundingWhiteSpaceAndEmptyValues()
    {
        var a = Hash(new() { ["OS"] = "Linux", ["Browser"] = "Firefox 140" });
        var b = Hash(new() { [" browser"] = "Firefox 140 ", ["os "] = "\tLinux", ["Plugins"] = " " });

        Assert.That(b, Is.EqualTo(a));
    }

    [Test]
    public void Hash_TreatsCanonicallyEquivalentUnicodeAlike()
    {
        var composed = Hash(new() { ["city"] = "Z\u00FCrich" });
        var decomposed = Hash(new() { ["city"] = "Zu\u0308rich" });

        Assert.That(decomposed, Is.EqualTo(composed));
    }

    [Test]
    public void Hash_DistinguishesValues_ValueCase_Boundaries_AndKeys()
    {
        var hashes = new[]
        {
            Hash(new() { ["os"] = "linux" }),
            Hash(new() { ["os"] = "Linux" }),
            Hash(new() { ["a"] = "bc" }),
            Hash(new() { ["ab"] = "c" }),
            Hash(new() { ["a"] = "b", ["c"] = "d" }),
            Hash(new() { ["a"] = "b" }),
            Hash(new() { ["os"] = "linux" }, Enumerable.Repeat((byte)1, 32).ToArray()),
        }.Select(h => Convert.ToHexString(h!));

        Assert.That(hashes, Is.Unique);
    }

    [Test]
    public void Hash_OfNothing_IsNull_AndNeedsNoKey()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(DeviceFingerprint.Hash(null, null, "fingerprint"), Is.Null);
            Assert.That(DeviceFingerprint.Hash(new Dictionary<string, string>(), null, "fingerprint"), Is.Null);
            Assert.That(Hash(new() { ["os"] = "  " }), Is.Null, "only empty values");
        }
    }

    [Test]
    public void Hash_RejectsOversizedAndMalformedAttributes_WithoutShowingValues()
    {
        var tooMany = Enumerable.Range(0, DeviceFingerprint.MaxAttributes + 1).ToDictionary(i => $"k{i}", i => "v");
        var longValue = new Dictionary<string, string> { ["ua"] = "secret-ish " + new string('x', DeviceFingerprint.MaxValueLength) };
        var surrogate = new Dictionary<string, string> { ["ua"] = "bad\uD800value" };

        using (Assert.EnterMultipleScope())
        {
            Assert.Throws<ArgumentException>(() => Hash(tooMany));
            var ex = Assert.Throws<ArgumentException>(() => Hash(longValue));
            Assert.That(ex!.Message, Does.Not.Contain("secret-ish"));
            var bad = Assert.Throws<ArgumentException>(() => Hash(surrogate));
            Assert.That(bad!.Message, Does.Not.Contain("value"));
        }
    }

    [Test]
    public void Hash_WithANullAttributeValue_ThrowsArgumentException_NamingTheAttribute()
    {
        var fingerprint = new Dictionary<string, string> { ["platform"] = "ios", ["model"] = null! };

        var ex = Assert.Throws<ArgumentException>(() => DeviceFingerprint.Hash(fingerprint, new byte[32], "fingerprint"));

        Assert.That(ex?.ParamName, Is.EqualTo("fingerprint"));
        Assert.That(ex?.Message, Does.Contain("'model'").And.Contain("null value"));
    }
}
