using System.Buffers.Text;
using System.Security.Cryptography;
using NUnit.Framework;

namespace SessionKit.Testing;

public abstract partial class SessionTokenConformanceTests
{
    /// <summary>One entry of the bad-token corpus: a name for the test and how to make the token in a set-up fixture.</summary>
    /// <param name="Name">What is wrong with the token.</param>
    /// <param name="Make">Makes the token (it may issue, revoke or rotate others first).</param>
    public sealed record BadTokenCase(string Name, Func<SessionTokenConformanceTests, Task<string>> Make)
    {
        /// <inheritdoc />
        public override string ToString() => Name;
    }

    /// <summary>Every kind of token that must be refused, each the same way.</summary>
    /// <returns>The cases.</returns>
    public static IEnumerable<TestCaseData> BadTokens()
    {
        static BadTokenCase Case(string name, Func<SessionTokenConformanceTests, Task<string>> make) => new(name, make);
        static Task<string> Text(string text) => Task.FromResult(text);

        var cases = new[]
        {
            Case("empty", _ => Text("")),
            Case("white space", _ => Text("   ")),
            Case("tabs and newlines", _ => Text("\t\r\n")),
            Case("prefix only", _ => Text("sk_")),
            Case("wrong prefix", async t => "pk_" + (await t.ValidTokenAsync())[3..]),
            Case("no prefix", async t => (await t.ValidTokenAsync())[3..]),
            Case("upper-case prefix", async t => "SK_" + (await t.ValidTokenAsync())[3..]),
            Case("truncated by one character", async t => (await t.ValidTokenAsync())[..^1]),
            Case("truncated to half", async t => (await t.ValidTokenAsync())[..34]),
            Case("one extra character", async t => await t.ValidTokenAsync() + "A"),
            Case("surrounding white space", async t => " " + await t.ValidTokenAsync() + " "),
            Case("standard base64 character", async t => ReplaceAt(await t.ValidTokenAsync(), 20, '+')),
            Case("slash", async t => ReplaceAt(await t.ValidTokenAsync(), 20, '/')),
            Case("padding", async t => (await t.ValidTokenAsync())[..^1] + "="),
            Case("punctuation", async t => ReplaceAt(await t.ValidTokenAsync(), 10, '*')),
            Case("NUL character", async t => ReplaceAt(await t.ValidTokenAsync(), 30, '\0')),
            Case("non-ASCII letter", async t => ReplaceAt(await t.ValidTokenAsync(), 12, 'é')),
            Case("full-width digit", async t => ReplaceAt(await t.ValidTokenAsync(), 12, '１')),
            Case("unicode of the right length", _ => Text("sk_" + new string('ü', 64))),
            Case("emoji", _ => Text("sk_" + string.Concat(Enumerable.Repeat("🔑", 32)))),
            Case("SQL metacharacters", _ => Text("sk_' OR '1'='1' --")),
            Case("SQL metacharacters of the right length", _ => Text("sk_'; DROP TABLE session_tokens; --".PadRight(67, 'x'))),
            Case("very long", _ => Text("sk_" + new string('A', 1_000_000))),
            Case("forged: well-formed but random", _ => Text(Encode(Guid.CreateVersion7().ToByteArray(bigEndian: true), RandomNumberGenerator.GetBytes(32)))),
            Case("all-zero id", async t => Encode(new byte[16], Decode(await t.ValidTokenAsync()).Secret)),
            Case("right id, wrong secret", async t => Encode(Decode(await t.ValidTokenAsync()).Id, RandomNumberGenerator.GetBytes(32))),
            Case("right id, another valid token's secret", async t => Encode(Decode(await t.ValidTokenAsync()).Id, Decode(await t.ValidTokenAsync()).Secret)),
            Case("flipped bit in the secret", async t => FlipBit(await t.ValidTokenAsync(), 40)),
            Case("flipped bit in the id", async t => FlipBit(await t.ValidTokenAsync(), 15)),
            Case("revoked", async t =>
            {
                var token = await t.ValidTokenAsync();
                Assert.That(await t.Tokens.RevokeAsync(token), Is.True);
                return token;
            }),
            Case("revoked with all of its user's tokens", async t =>
            {
                var token = await t.ValidTokenAsync();
                await t.Tokens.RevokeAllAsync("alice");
                return token;
            }),
            Case("expired", async t =>
            {
                var issued = await t.Tokens.IssueAsync("alice", lifetime: TimeSpan.FromMinutes(10));
                t.Time.Advance(TimeSpan.FromMinutes(10));
                return issued.Token;
            }),
            Case("rotated away", async t =>
            {
                var token = await t.ValidTokenAsync();
                await t.Tokens.RotateAsync(token);
                return token;
            }),
            Case("token of a forgotten device", async t =>
            {
                await t.Devices.RegisterAsync("alice", new DeviceRegistration { DeviceId = "phone" });
                var issued = await t.Tokens.IssueAsync("alice", deviceId: "phone");
                await t.Devices.ForgetAsync("alice", "phone");
                return issued.Token;
            }),
            Case("token from another store", async t =>
            {
                var other = new SessionTokenService(t.NewStore(), Options, t.Time);
                return (await other.IssueAsync("alice")).Token;
            }),
        };

        return cases.Select(c => new TestCaseData(c).SetArgDisplayNames(c.Name));
    }

    [TestCaseSource(nameof(BadTokens))]
    public async Task BadToken_IsRejectedWithTheOneGenericReason_ByEveryOperation(BadTokenCase badToken)
    {
        var bystander = await Tokens.IssueAsync("alice");
        string token = await badToken.Make(this);

        var validation = await Tokens.ValidateAsync(token);
        var thrown = Assert.ThrowsAsync<InvalidSessionTokenException>(() => Tokens.ValidateOrThrowAsync(token));
        var rotateThrown = Assert.ThrowsAsync<InvalidSessionTokenException>(() => Tokens.RotateAsync(token));
        bool revoked = await Tokens.RevokeAsync(token);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(validation, Is.EqualTo(SessionTokenValidationResult.Invalid));
            Assert.That(validation.IsValid, Is.False);
            Assert.That(validation.FailureReason, Is.EqualTo("invalid or expired token"));
            Assert.That(validation.UserId, Is.Null);
            Assert.That(validation.SessionId, Is.Null);
            Assert.That(validation.DeviceId, Is.Null);
            Assert.That(validation.TokenId, Is.Null);
            Assert.That(validation.ExpiresAt, Is.Null);
            Assert.That(thrown!.Message, Is.EqualTo(SessionTokenValidationResult.InvalidReason));
            Assert.That(rotateThrown!.Message, Is.EqualTo(SessionTokenValidationResult.InvalidReason));
            Assert.That(revoked, Is.False);
        }

        if (badToken.Name != "revoked with all of its user's tokens")
        {
            Assert.That((await Tokens.ValidateAsync(bystander.Token)).IsValid, Is.True, "a bad token must not disturb a good one");
        }
    }

    [Test]
    public void BadTokenCorpus_HasAtLeastTwentyCases() =>
        Assert.That(BadTokens().Count(), Is.GreaterThanOrEqualTo(20));

    /// <summary>Issues a valid token for alice.</summary>
    /// <returns>The raw token.</returns>
    protected async Task<string> ValidTokenAsync() => (await Tokens.IssueAsync("alice")).Token;

    private static string ReplaceAt(string token, int index, char c) => string.Concat(token.AsSpan(0, index), c.ToString(), token.AsSpan(index + 1));

    private static string FlipBit(string token, int byteIndex)
    {
        byte[] payload = Base64Url.DecodeFromChars(token.AsSpan(3));
        payload[byteIndex] ^= 0x01;
        return "sk_" + Base64Url.EncodeToString(payload);
    }
}
