using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using SessionKit.Testing;
using SessionKit.Storage;

namespace SessionKit.Tests.Privacy;

[TestFixture]
public sealed class EncryptionTests
{
    private static readonly byte[] Key = TestMasterKeys.Key("unit");

    [Test]
    public void Envelope_RoundTrips_AndCarriesVersionAndKeyId()
    {
        var envelope = EnvelopeCipher.Seal(Key, "abc", "hello"u8, "row-1"u8);

        Assert.That(envelope[0], Is.EqualTo(EnvelopeCipher.Version));
        Assert.That(Encoding.ASCII.GetString(envelope, 2, envelope[1]), Is.EqualTo("abc"));
        Assert.That(EnvelopeCipher.Open(Key, "abc", envelope, "row-1"u8, "x"), Is.EqualTo("hello"u8.ToArray()));
    }

    [Test]
    public void Envelope_UsesAFreshNonceEachTime()
    {
        var first = EnvelopeCipher.Seal(Key, "abc", "same"u8, "row"u8);
        var second = EnvelopeCipher.Seal(Key, "abc", "same"u8, "row"u8);

        Assert.That(second, Is.Not.EqualTo(first));
    }

    [Test]
    public void Envelope_FromAnotherRow_FailsAuthentication()
    {
        var envelope = EnvelopeCipher.Seal(Key, "abc", "hello"u8, "row-1"u8);

        Assert.Throws<SessionDecryptionException>(() => EnvelopeCipher.Open(Key, "abc", envelope, "row-2"u8, "x"));
    }

    [TestCase(0)]
    [TestCase(5)]
    [TestCase(-1)]
    public void Envelope_WithAnyByteFlipped_FailsClearly(int index)
    {
        var envelope = EnvelopeCipher.Seal(Key, "abc", "hello"u8, "row"u8);
        envelope[index < 0 ? envelope.Length + index : index] ^= 0x40;

        Assert.Throws<SessionDecryptionException>(() => EnvelopeCipher.Open(Key, "abc", envelope, "row"u8, "x"));
    }

    [Test]
    public void Envelope_Truncated_IsReportedAsCorrupted()
    {
        var ex = Assert.Throws<SessionDecryptionException>(() => EnvelopeCipher.Open(Key, "abc", new byte[] { 1, 3, 97 }, "row"u8, "x"));
        Assert.That(ex!.Message, Does.Contain("corrupted"));
    }

    [Test]
    public void Envelope_WithAnUnknownKeyId_NamesIt()
    {
        var envelope = EnvelopeCipher.Seal(Key, "old", "hello"u8, "row"u8);

        var ex = Assert.Throws<SessionDecryptionException>(() => EnvelopeCipher.Open(Key, "new", envelope, "row"u8, "x"));
        Assert.That(ex!.Message, Does.Contain("'old'"));
    }

    [Test]
    public void WrappedKey_UnderAnotherMasterKey_FailsClearly()
    {
        var wrapped = EnvelopeCipher.Wrap(Key, TestMasterKeys.Key("data"), "user"u8);

        Assert.That(EnvelopeCipher.Unwrap(Key, wrapped, "user"u8, "u"), Is.EqualTo(TestMasterKeys.Key("data")));
        Assert.Throws<SessionDecryptionException>(() => EnvelopeCipher.Unwrap(TestMasterKeys.Key("other"), wrapped, "user"u8, "u"));
        Assert.Throws<SessionDecryptionException>(() => EnvelopeCipher.Unwrap(Key, wrapped, "another user"u8, "u"));
        Assert.Throws<SessionDecryptionException>(() => EnvelopeCipher.Unwrap(Key, wrapped.AsSpan(1), "user"u8, "u"));
    }

    [Test]
    public void HashedTerms_AreDigitsThePorterStemmerLeavesAlone_AndDependOnTheKey()
    {
        var searchKey = EnvelopeCipher.SearchKey(Key);
        string term = EnvelopeCipher.HashTerm(searchKey, "carbon");

        Assert.That(term, Has.Length.EqualTo(20).And.Match("^[0-9]+$"));
        Assert.That(PorterStemmer.Stem(term), Is.EqualTo(term));
        Assert.That(SearchText.Words(term), Is.EqualTo(new[] { term }));
        Assert.That(EnvelopeCipher.HashTerm(searchKey, "carbon"), Is.EqualTo(term));
        Assert.That(EnvelopeCipher.HashTerm(EnvelopeCipher.SearchKey(TestMasterKeys.Key("other")), "carbon"), Is.Not.EqualTo(term));
    }

    [Test]
    public void Options_WhenDisabled_AreValidWithoutKeys() =>
        Assert.That(new EncryptionOptions().Validate(), Is.Empty);

    [Test]
    public void Options_WhenEnabled_NameEveryProblemButNeverAKey()
    {
        var options = new EncryptionOptions { Enabled = true, CurrentMasterKeyId = "missing" };
        options.MasterKeys["short"] = [1, 2, 3];
        options.MasterKeys[" "] = Key;

        var failures = options.Validate("E");

        Assert.That(failures, Has.Some.Contains("E.CurrentMasterKeyId 'missing'"));
        Assert.That(failures, Has.Some.Contains("E.MasterKeys['short'] must be 32 bytes (was 3)"));
        Assert.That(failures, Has.Some.Contains("blank"));
        Assert.That(new EncryptionOptions { Enabled = true }.Validate("E"), Has.Some.Contains("E.CurrentMasterKeyId must name"));
    }

    [Test]
    public void OptionsMasterKeyProvider_RejectsDisabledOrInvalidOptions()
    {
        Assert.Throws<ArgumentNullException>(() => new OptionsMasterKeyProvider(null!));
        Assert.Throws<ArgumentException>(() => new OptionsMasterKeyProvider(new EncryptionOptions()));
        Assert.Throws<ArgumentException>(() => new OptionsMasterKeyProvider(new EncryptionOptions { Enabled = true, CurrentMasterKeyId = "k" }));
    }

    [Test]
    public void OptionsMasterKeyProvider_CopiesTheKeys()
    {
        var options = TestMasterKeys.Options();
        var provider = new OptionsMasterKeyProvider(options);
        options.MasterKeys["k1"][0] ^= 0xFF;

        Assert.That(provider.TryGetKey("k1", out var key), Is.True);
        Assert.That(key, Is.EqualTo(TestMasterKeys.Key("k1")));
        Assert.That(provider.TryGetKey("k9", out _), Is.False);
    }

    [Test]
    public async Task AddSessionKit_WithEncryptionEnabled_ResolvesAnEncryptingStore()
    {
        var services = new ServiceCollection();
        services.AddSessionKit(o =>
        {
            o.Encryption.Enabled = true;
            o.Encryption.CurrentMasterKeyId = "k1";
            o.Encryption.MasterKeys["k1"] = TestMasterKeys.Key("k1");
        }).UseInMemory();
        await using var provider = services.BuildServiceProvider();

        var store = (SessionStore)provider.GetRequiredService<ISessionStore>();
        var session = await store.CreateSessionAsync("alice", new SessionCreateOptions { Title = "secret" });

        Assert.That(store.IsEncrypted, Is.True);
        Assert.That((await store.GetSessionAsync(session.Id)).Title, Is.EqualTo("secret"));
    }

    [Test]
    public void AddSessionKit_WithEncryptionEnabledButNoKey_FailsValidation()
    {
        var services = new ServiceCollection();
        services.AddSessionKit(o => o.Encryption.Enabled = true).UseInMemory();
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => _ = provider.GetRequiredService<IOptions<SessionKitOptions>>().Value);
        Assert.That(ex!.Message, Does.Contain("SessionKitOptions.Encryption.CurrentMasterKeyId"));
    }

    [Test]
    public async Task InMemory_EncryptedStore_SearchesHashedTermsPerUser()
    {
        await using var store = new InMemorySessionStore(masterKeys: TestMasterKeys.Provider());
        var session = await store.CreateSessionAsync("alice", new SessionCreateOptions { Title = "Zanzibar" });
        await store.AppendMessagesAsync(session.Id, [NewMessage.User("kwyjibo jabberwock")]);

        // Terms are hashed with the owner's search key, so another user's query hashes differently and finds nothing.
        var hits = await store.SearchAsync("alice", new SearchQuery { Text = "jabberwock" });
        Assert.That(hits.Items.Single().Message.Content, Is.EqualTo("kwyjibo jabberwock"));
        Assert.That((await store.SearchAsync("bob", new SearchQuery { Text = "jabberwock" })).Items, Is.Empty);
    }
}
