using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Sqlite.Tests;

/// <summary>What only a file-backed store can show about tokens and devices: schema, durability, several instances on one file.</summary>
[TestFixture]
internal sealed class SqliteSessionTokenStoreTests : SqliteFileFixture
{
    private static readonly SessionTokenOptions Options = new() { FingerprintKey = Enumerable.Repeat((byte)3, 32).ToArray() };

    [Test]
    public async Task Schema_Version4_HasTheTokenAndDeviceTablesAndIndexes()
    {
        await using (var store = Open())
        {
            await store.InitializeAsync();
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(SqliteSchema.CurrentVersion, Is.GreaterThanOrEqualTo(4));
            Assert.That(Scalar("PRAGMA user_version;"), Is.EqualTo((long)SqliteSchema.CurrentVersion));
            foreach (var name in new[] { "session_tokens", "devices", "ix_session_tokens_user", "ix_devices_user_fingerprint" })
            {
                Assert.That(Scalar($"SELECT count(*) FROM sqlite_master WHERE name = '{name}';"), Is.EqualTo(1L), name);
            }

            Assert.That(Scalar("SELECT count(*) FROM pragma_table_info('session_tokens') WHERE name IN ('token_id', 'secret_hash', 'user_id', 'session_id', 'device_id', 'created_at', 'expires_at', 'revoked_at', 'replaced_by');"), Is.EqualTo(9L));
            Assert.That(Scalar("SELECT count(*) FROM pragma_table_info('devices') WHERE name IN ('user_id', 'device_id', 'display_name', 'fingerprint_hash', 'first_seen_at', 'last_seen_at');"), Is.EqualTo(6L));
        }
    }

    [Test]
    public async Task AVersion3Database_IsMigratedTo4_KeepingItsSessions()
    {
        Guid sessionId;
        await using (var store = Open())
        {
            sessionId = (await store.CreateSessionAsync("ada")).Id;
        }

        // Turn the file back into a version 3 database: what the previous release left behind.
        Scalar("DROP TABLE session_grants; DROP TABLE session_tokens; DROP TABLE devices; ALTER TABLE sessions DROP COLUMN continues_from; DROP TABLE user_keys; " + SqliteConcurrencyTests.UndoConcurrencyMigration + " PRAGMA user_version = 3;");
        Assert.That(Scalar("PRAGMA user_version;"), Is.EqualTo(3L));

        await using (var store = Open())
        {
            var tokens = new SessionTokenService(store, Options, Time);
            var issued = await tokens.IssueAsync("ada", sessionId);

            using (Assert.EnterMultipleScope())
            {
                Assert.That(Scalar("PRAGMA user_version;"), Is.EqualTo((long)SqliteSchema.CurrentVersion));
                Assert.That((await store.GetSessionAsync(sessionId)).UserId, Is.EqualTo("ada"));
                Assert.That((await store.GetSessionAsync(sessionId)).ContinuesFromSessionId, Is.Null);
                Assert.That((await tokens.ValidateAsync(issued.Token)).SessionId, Is.EqualTo(sessionId));
            }
        }
    }

    [Test]
    public async Task TokensAndDevices_SurviveReopeningTheFile()
    {
        string token;
        var fingerprint = new Dictionary<string, string> { ["platform"] = "android", ["model"] = "Pixel 9" };
        await using (var store = Open())
        {
            await new DeviceRegistry(store, Options, Time).RegisterAsync("ada", new DeviceRegistration { DeviceId = "phone", DisplayName = "Phone", Fingerprint = fingerprint });
            token = (await new SessionTokenService(store, Options, Time).IssueAsync("ada", deviceId: "phone")).Token;
        }

        await using (var reopened = Open())
        {
            var validation = await new SessionTokenService(reopened, Options, Time).ValidateAsync(token);
            var device = await new DeviceRegistry(reopened, Options, Time).RecognizeAsync("ada", fingerprint);

            using (Assert.EnterMultipleScope())
            {
                Assert.That(validation.UserId, Is.EqualTo("ada"));
                Assert.That(validation.DeviceId, Is.EqualTo("phone"));
                Assert.That(device?.DisplayName, Is.EqualTo("Phone"));
            }
        }
    }

    [Test]
    public async Task ConcurrentRotations_FromTwoStoreInstancesOnOneFile_HaveExactlyOneWinner()
    {
        await using var first = Open();
        await using var second = Open();
        var firstTokens = new SessionTokenService(first, Options, Time);
        var secondTokens = new SessionTokenService(second, Options, Time);

        for (int round = 0; round < 10; round++)
        {
            var issued = await firstTokens.IssueAsync("ada");
            async Task<IssuedSessionToken?> Attempt(SessionTokenService tokens)
            {
                await Task.Yield();
                try
                {
                    return await tokens.RotateAsync(issued.Token);
                }
                catch (InvalidSessionTokenException)
                {
                    return null;
                }
            }

            var results = await Task.WhenAll(Task.Run(() => Attempt(firstTokens)), Task.Run(() => Attempt(secondTokens)));

            Assert.That(results.Count(r => r is not null), Is.EqualTo(1), $"round {round}");
            Assert.That((await secondTokens.ValidateAsync(results.Single(r => r is not null)!.Token)).IsValid, Is.True);
        }
    }

    [Test]
    public async Task UseSqlite_ServesTokensAndDevicesFromTheSameStore()
    {
        var services = new ServiceCollection().AddSingleton<TimeProvider>(Time);
        services.AddSessionKit(o => o.SessionTokens.FingerprintKey = Options.FingerprintKey).UseSqlite(Db.ConnectionString);
        await using var provider = services.BuildServiceProvider();

        var tokens = provider.GetRequiredService<ISessionTokenService>();
        var issued = await tokens.IssueAsync("ada");
        await provider.GetRequiredService<IDeviceRegistry>().RegisterAsync("ada", new DeviceRegistration { DeviceId = "laptop" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(provider.GetRequiredService<ISessionTokenStore>(), Is.SameAs(provider.GetRequiredService<ISessionStore>()));
            Assert.That((await tokens.ValidateAsync(issued.Token)).IsValid, Is.True);
            Assert.That(Scalar("SELECT count(*) FROM session_tokens;"), Is.EqualTo(1L));
            Assert.That(Scalar("SELECT count(*) FROM devices;"), Is.EqualTo(1L));
        }
    }
}
