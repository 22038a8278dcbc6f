using System.Security.Cryptography;
using NUnit.Framework;

namespace SessionKit.Tests.Identity;

[TestFixture]
public sealed class SessionTokenFormatTests
{
    [Test]
    public void Format_ThenParse_RoundTrips()
    {
        var id = Guid.CreateVersion7();
        byte[] secret = RandomNumberGenerator.GetBytes(32);

        string token = SessionTokenFormat.Format(id, secret);
        byte[] parsedSecret = new byte[32];
        bool parsed = SessionTokenFormat.TryParse(token, out var parsedId, parsedSecret);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(token, Has.Length.EqualTo(SessionTokenFormat.TokenLength));
            Assert.That(token, Does.Match("^sk_[A-Za-z0-9_-]{64}$"));
            Assert.That(parsed, Is.True);
            Assert.That(parsedId, Is.EqualTo(id));
            Assert.That(parsedSecret, Is.EqualTo(secret));
        }
    }

    [TestCase("")]
    [TestCase("sk_")]
    [TestCase("sk_AAAA")]
    [TestCase("sk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [TestCase("sk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==")]
    [TestCase("sk_ AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void TryParse_RejectsMalformedText(string token)
    {
        byte[] secret = new byte[32];

        bool parsed = SessionTokenFormat.TryParse(token, out var id, secret);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(parsed, Is.False);
            Assert.That(id, Is.EqualTo(Guid.Empty));
            Assert.That(secret, Is.All.Zero, "nothing is written for a rejected token");
        }
    }

    [Test]
    public void TryParse_RejectsTheAllZeroId_EvenWhenWellFormed()
    {
        string token = SessionTokenFormat.Format(Guid.Empty, new byte[32]);

        Assert.That(SessionTokenFormat.TryParse(token, out _, new byte[32]), Is.False);
    }

    [Test]
    public void TryParse_AcceptsEveryAlphabetCharacterInEveryPosition()
    {
        // Base64url of 48 bytes has no padding and no spare bits, so every 64-character string over the alphabet is canonical.
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        string token = "sk_" + Alphabet;

        Assert.That(SessionTokenFormat.TryParse(token, out _, new byte[32]), Is.True);
        Assert.That(SessionTokenFormat.Format(ParseId(token), ParseSecret(token)), Is.EqualTo(token));
    }

    [Test]
    public void HashSecret_IsSha256()
    {
        byte[] secret = RandomNumberGenerator.GetBytes(32);

        Assert.That(SessionTokenFormat.HashSecret(secret), Is.EqualTo(SHA256.HashData(secret)));
    }

    private static Guid ParseId(string token)
    {
        Assert.That(SessionTokenFormat.TryParse(token, out var id, new byte[32]), Is.True);
        return id;
    }

    private static byte[] ParseSecret(string token)
    {
        byte[] secret = new byte[32];
        Assert.That(SessionTokenFormat.TryParse(token, out _, secret), Is.True);
        return secret;
    }
}
