using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.PostgreSql.Tests;

/// <summary>UsePostgreSql(...) wiring, start-up validation and what is logged.</summary>
[TestFixture]
public sealed class PostgresDependencyInjectionTests
{
    [Test]
    public async Task UsePostgreSql_WithAConnectionString_ServesTheStoreAndItsInterfaces()
    {
        string connectionString = new NpgsqlConnectionStringBuilder(PostgresServer.ConnectionString).ConnectionString;
        await using var provider = new ServiceCollection()
            .AddSessionKit()
            .UsePostgreSql(options =>
            {
                options.ConnectionString = connectionString;
                options.Schema = PostgresServer.NewSchema();
            })
            .Services.BuildServiceProvider();

        var store = provider.GetRequiredService<ISessionStore>();
        var session = await store.CreateSessionAsync("alice");
        await store.AppendMessagesAsync(session.Id, [NewMessage.User("the carbon cycle")]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(store, Is.InstanceOf<PostgreSqlSessionStore>());
            Assert.That(provider.GetRequiredService<ISessionTokenStore>(), Is.SameAs(store));
            Assert.That(provider.GetRequiredService<ISessionSweeper>(), Is.InstanceOf<PostgreSqlSessionSweeper>());
            Assert.That((await store.SearchAsync("alice", new SearchQuery { Text = "carbon" })).Items, Has.Count.EqualTo(1));
        }
    }

    [Test]
    public async Task UsePostgreSql_WithTheHostsDataSource_UsesIt_AndLeavesItOpen()
    {
        await using var dataSource = NpgsqlDataSource.Create(PostgresServer.ConnectionString);
        var services = new ServiceCollection();
        services.AddSessionKit().UsePostgreSql(dataSource);
        services.Configure<PostgreSqlSessionStoreOptions>(o => o.Schema = PostgresServer.NewSchema());
        await using (var provider = services.BuildServiceProvider())
        {
            var store = provider.GetRequiredService<ISessionStore>();
            await store.CreateSessionAsync("alice");
        }

        await using var command = dataSource.CreateCommand("SELECT 1;");
        Assert.That(await command.ExecuteScalarAsync(), Is.EqualTo(1), "the store did not dispose the host's data source");
    }

    [Test]
    public void InvalidOptions_FailAtStartUp_NamingTheSetting()
    {
        var services = new ServiceCollection();
        services.AddSessionKit().UsePostgreSql(options =>
        {
            options.ConnectionString = "";
            options.CommandTimeout = TimeSpan.FromSeconds(-5);
        });
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PostgreSqlSessionStoreOptions>>().Value.ToString());
        Assert.That(ex!.Message, Does.Contain("PostgreSqlSessionStoreOptions.ConnectionString").And.Contain("PostgreSqlSessionStoreOptions.CommandTimeout"));
    }

    [Test]
    public async Task TheConnectionStringsPassword_IsNeverLogged()
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresServer.ConnectionString);
        string password = builder.Password!;
        var logs = new ConcurrentBag<string>();
        await using (var store = new PostgreSqlSessionStore(
            new PostgreSqlSessionStoreOptions { ConnectionString = builder.ConnectionString, Schema = PostgresServer.UniqueSchema() },
            logger: new ListLogger<PostgreSqlSessionStore>(logs)))
        {
            await store.CreateSessionAsync("alice");
            Assert.That(store.Database, Does.Contain(builder.Database!).And.Not.Contain(password));
        }

        Assert.That(logs, Is.Not.Empty);
        Assert.That(logs, Has.None.Contains(password));
    }

    [Test]
    public void AnUnreachableServer_FailsTheFirstOperation_WithoutTheConnectionString()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var store = new PostgreSqlSessionStore(new PostgreSqlSessionStoreOptions { ConnectionString = $"Host=127.0.0.1;Port={port};Username=u;Password=hunter2-secret;Timeout=2" });

        var ex = Assert.CatchAsync(() => store.CreateSessionAsync("alice"));
        Assert.That(ex!.ToString(), Does.Not.Contain("hunter2"));
        Assert.DoesNotThrowAsync(async () => await store.DisposeAsync());
    }
}
