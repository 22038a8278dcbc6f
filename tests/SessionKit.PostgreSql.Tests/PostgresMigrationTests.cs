using NUnit.Framework;

namespace SessionKit.PostgreSql.Tests;

/// <summary>Schema creation, versions and the migration switch.</summary>
[TestFixture]
public sealed class PostgresMigrationTests
{
    [Test]
    public async Task FirstUse_CreatesTheSchemaAtTheCurrentVersion()
    {
        string schema = PostgresServer.UniqueSchema();
        await using (var store = new PostgreSqlSessionStore(new PostgreSqlSessionStoreOptions { DataSource = PostgresServer.DataSource, Schema = schema }))
        {
            await store.InitializeAsync();
        }

        Assert.That(await ScalarAsync($"SELECT version FROM \"{schema}\".sessionkit_schema;"), Is.EqualTo(PostgreSqlSessionStore.SchemaVersion));
    }

    [Test]
    public async Task ASchemaAtVersion1_MigratesToEmbeddingVectors_KeepingItsData()
    {
        string schema = PostgresServer.UniqueSchema();
        Guid sessionId;
        await using (var store = new PostgreSqlSessionStore(new PostgreSqlSessionStoreOptions { DataSource = PostgresServer.DataSource, Schema = schema }))
        {
            sessionId = (await store.CreateSessionAsync("alice")).Id;
            await store.AppendMessageAsync(sessionId, NewMessage.User("Onshore turbines reach a capacity factor of about 35 percent."));
        }

        // Undo migrations 4, 3 and 2, as a database written by the release before vectors would be.
        await ScalarAsync(
            UndoEmbeddingVersions(schema) +
            $"DROP INDEX \"{schema}\".ix_messages_user_created; " +
            $"DROP TABLE \"{schema}\".message_embeddings, \"{schema}\".summary_embeddings; DROP FUNCTION \"{schema}\".message_embedding_stale() CASCADE; " +
            $"UPDATE \"{schema}\".sessionkit_schema SET version = 1;");

        await using var upgraded = new PostgreSqlSessionStore(new PostgreSqlSessionStoreOptions { DataSource = PostgresServer.DataSource, Schema = schema });
        upgraded.UseEmbeddings(new Testing.ConceptEmbeddingGenerator());
        long embedded = await new EmbeddingIndexer(upgraded).DrainAsync();

        Assert.That(await ScalarAsync($"SELECT version FROM \"{schema}\".sessionkit_schema;"), Is.EqualTo(PostgreSqlSessionStore.SchemaVersion));
        Assert.That(embedded, Is.EqualTo(1), "the message from before the migration is embedded");
        Assert.That((await upgraded.SearchAsync("alice", new SearchQuery { Text = "How much does a land windmill deliver?", Mode = SearchMode.Semantic })).Items.Single().SessionId, Is.EqualTo(sessionId));
    }

    [Test]
    public async Task ASchemaAtVersion2_MigratesToTheNewestFirstIndex_AndSearchFindsItsOldMessages()
    {
        string schema = PostgresServer.UniqueSchema();
        Guid first, second;
        await using (var store = new PostgreSqlSessionStore(new PostgreSqlSessionStoreOptions { DataSource = PostgresServer.DataSource, Schema = schema }))
        {
            first = (await store.CreateSessionAsync("alice")).Id;
            second = (await store.CreateSessionAsync("alice")).Id;
            await store.AppendMessageAsync(first, NewMessage.User("Offshore turbines reach a capacity factor of about 45 percent."));
            await store.AppendMessageAsync(second, NewMessage.Assistant("Onshore turbines reach a capacity factor of about 35 percent."));
        }

        // Undo migrations 4 and 3, as a database written by the release before them would be.
        await ScalarAsync(UndoEmbeddingVersions(schema) + $"DROP INDEX \"{schema}\".ix_messages_user_created; UPDATE \"{schema}\".sessionkit_schema SET version = 2;");

        await using var upgraded = new PostgreSqlSessionStore(new PostgreSqlSessionStoreOptions { DataSource = PostgresServer.DataSource, Schema = schema });
        var hits = await upgraded.SearchAsync("alice", new SearchQuery { Text = "offshore capacity" });

        Assert.That(await ScalarAsync($"SELECT version FROM \"{schema}\".sessionkit_schema;"), Is.EqualTo(PostgreSqlSessionStore.SchemaVersion));
        Assert.That(await ScalarAsync($"SELECT count(*) FROM pg_indexes WHERE schemaname = '{schema}' AND indexname = 'ix_messages_user_created';"), Is.EqualTo(1L));
        Assert.That(hits.Items.Select(h => h.SessionId), Is.EqualTo(new[] { first, second }), "both sessions' messages, the one with both words first");
    }

    [Test]
    public async Task ASchemaAtVersion3_MigratesToEmbeddingVersions_BackfillingEveryUserWithVectors()
    {
        string schema = PostgresServer.UniqueSchema();
        var generator = new Testing.ConceptEmbeddingGenerator();
        Guid answer = Guid.Empty;
        await using (var store = new PostgreSqlSessionStore(new PostgreSqlSessionStoreOptions { DataSource = PostgresServer.DataSource, Schema = schema }))
        {
            store.UseEmbeddings(generator);
            foreach (string user in new[] { "alice", "bob" })
            {
                var session = await store.CreateSessionAsync(user);
                answer = (await store.AppendMessageAsync(session.Id, NewMessage.Assistant("Onshore turbines reach a capacity factor of about 35 percent."))).Id;
            }

            await store.CreateSessionAsync("carol");
            await new EmbeddingIndexer(store).DrainAsync();
        }

        await ScalarAsync(UndoEmbeddingVersions(schema) + $"UPDATE \"{schema}\".sessionkit_schema SET version = 3;");

        await using var upgraded = new PostgreSqlSessionStore(new PostgreSqlSessionStoreOptions { DataSource = PostgresServer.DataSource, Schema = schema });
        upgraded.UseEmbeddings(generator);
        var hits = await upgraded.SearchAsync("bob", new SearchQuery { Text = "How much does a land windmill deliver?", Mode = SearchMode.Semantic });

        Assert.That(await ScalarAsync($"SELECT version FROM \"{schema}\".sessionkit_schema;"), Is.EqualTo(PostgreSqlSessionStore.SchemaVersion));
        Assert.That(await ScalarAsync($"SELECT count(*) FROM \"{schema}\".message_embedding_versions;"), Is.EqualTo(2L), "one version per user with vectors (carol has none)");
        Assert.That(hits.Items.Select(h => h.Message.Id), Is.EqualTo(new[] { answer }));
        Assert.That(upgraded.VectorCacheSize, Is.GreaterThan(0), "with a version to check, the search cached bob's vectors");
    }

    [Test]
    public async Task ANewerSchema_IsRefusedWithAClearMessage_AndNothingIsWritten()
    {
        string schema = PostgresServer.UniqueSchema();
        await using (var store = new PostgreSqlSessionStore(new PostgreSqlSessionStoreOptions { DataSource = PostgresServer.DataSource, Schema = schema }))
        {
            await store.InitializeAsync();
        }

        await ScalarAsync($"UPDATE \"{schema}\".sessionkit_schema SET version = 99;");
        await using var newer = new PostgreSqlSessionStore(new PostgreSqlSessionStoreOptions { DataSource = PostgresServer.DataSource, Schema = schema });

        var ex = Assert.ThrowsAsync<SessionKitException>(() => newer.CreateSessionAsync("alice"));
        Assert.That(ex!.Message, Does.Contain("version 99").And.Contain("newer").And.Contain("Upgrade the SessionKit.PostgreSql package"));
        Assert.That(await ScalarAsync($"SELECT count(*) FROM \"{schema}\".sessions;"), Is.Zero);
    }

    [Test]
    public async Task WithMigrationsOff_AMissingSchemaIsAnError_NamingTheSetting_AndNothingIsCreated()
    {
        string schema = PostgresServer.UniqueSchema();
        await using var store = new PostgreSqlSessionStore(new PostgreSqlSessionStoreOptions { DataSource = PostgresServer.DataSource, Schema = schema, MigrateOnStartup = false });

        var ex = Assert.ThrowsAsync<SessionKitException>(() => store.InitializeAsync());
        Assert.That(ex!.Message, Does.Contain("MigrateOnStartup"));
        Assert.That(await ScalarAsync($"SELECT count(*) FROM information_schema.schemata WHERE schema_name = '{schema}';"), Is.Zero);
    }

    [Test]
    public async Task WithMigrationsOff_AnUpToDateSchemaOpens()
    {
        string schema = PostgresServer.UniqueSchema();
        await using (var first = new PostgreSqlSessionStore(new PostgreSqlSessionStoreOptions { DataSource = PostgresServer.DataSource, Schema = schema }))
        {
            await first.CreateSessionAsync("alice");
        }

        await using var second = new PostgreSqlSessionStore(new PostgreSqlSessionStoreOptions { DataSource = PostgresServer.DataSource, Schema = schema, MigrateOnStartup = false });
        Assert.That((await second.ListSessionsAsync("alice")).Items, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task AnEncryptedSchema_OpenedWithoutEncryption_IsRefused()
    {
        string schema = PostgresServer.UniqueSchema();
        await using (var encrypted = new PostgreSqlSessionStore(new PostgreSqlSessionStoreOptions { DataSource = PostgresServer.DataSource, Schema = schema }, masterKeys: Testing.TestMasterKeys.Provider()))
        {
            await encrypted.CreateSessionAsync("alice");
        }

        await using var plain = new PostgreSqlSessionStore(new PostgreSqlSessionStoreOptions { DataSource = PostgresServer.DataSource, Schema = schema });
        var ex = Assert.ThrowsAsync<SessionKitException>(() => plain.InitializeAsync());
        Assert.That(ex!.Message, Does.Contain("encrypted at rest").And.Contain("EncryptionOptions.Enabled"));
    }

    [Test]
    public void InvalidOptions_AreRefusedAtConstruction_NamingTheSetting()
    {
        var ex = Assert.Throws<ArgumentException>(() => _ = new PostgreSqlSessionStore(new PostgreSqlSessionStoreOptions { ConnectionString = "", Schema = "", CommandTimeout = TimeSpan.FromSeconds(-1) }));
        Assert.That(ex!.Message, Does.Contain("PostgreSqlSessionStoreOptions.ConnectionString")
            .And.Contain("PostgreSqlSessionStoreOptions.Schema")
            .And.Contain("PostgreSqlSessionStoreOptions.CommandTimeout"));
        Assert.Throws<ArgumentException>(() => _ = new PostgreSqlSessionStore(new PostgreSqlSessionStoreOptions { ConnectionString = "Host=x", Schema = "pg_catalog" }));
        Assert.Throws<ArgumentException>(() => _ = new PostgreSqlSessionStore(new PostgreSqlSessionStoreOptions { ConnectionString = "Host=x", ChangePollInterval = TimeSpan.Zero }));
    }

    [Test]
    public void AMalformedConnectionString_IsRefused_WithoutQuotingIt()
    {
        var ex = Assert.Throws<ArgumentException>(() => _ = new PostgreSqlSessionStore(new PostgreSqlSessionStoreOptions { ConnectionString = "Host=x;Password=hunter2-secret;Nonsense Key=1" }));
        Assert.That(ex!.Message, Does.Contain("PostgreSqlSessionStoreOptions.ConnectionString").And.Not.Contain("hunter2"));
    }

    // Drops what migration 4 made, as a database written by the release before embedding versions would hold.
    private static string UndoEmbeddingVersions(string schema) =>
        $"DROP TABLE \"{schema}\".message_embedding_versions; DROP FUNCTION \"{schema}\".message_embedding_versions_touch() CASCADE; ";

    internal static async Task<object?> ScalarAsync(string sql)
    {
        await using var command = PostgresServer.DataSource.CreateCommand(sql);
        var value = await command.ExecuteScalarAsync();
        return value switch
        {
            long l => l,
            int i => (long)i,
            _ => value,
        };
    }
}
