using NUnit.Framework;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace SessionKit.Sqlite.Tests;

[TestFixture]
public sealed class SqliteDependencyInjectionTests
{
    private TempDatabase _db = null!;

    [SetUp]
    public void SetUp() => _db = new TempDatabase();

    [TearDown]
    public void TearDown() => _db.Dispose();

    [Test]
    public async Task UseSqlite_RegistersASqliteStore_ThatUsesTheContainersTimeProvider()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 5, 6, 7, 8, 9, TimeSpan.Zero));
        var services = new ServiceCollection().AddSingleton<TimeProvider>(time);
        services.AddSessionKit().UseSqlite(_db.ConnectionString);
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<ISessionStore>();
        Assert.That(store, Is.InstanceOf<SqliteSessionStore>());
        Assert.That(provider.GetRequiredService<ISessionStore>(), Is.SameAs(store), "singleton");
        var session = await store.CreateSessionAsync("ada");
        Assert.That(session.CreatedAt, Is.EqualTo(time.GetUtcNow()));
        Assert.That(((SqliteSessionStore)store).DataSource, Is.EqualTo(_db.FilePath));
    }

    [Test]
    public async Task UseSqlite_WithOptions_AppliesThemAndTheKitLimits()
    {
        var services = new ServiceCollection();
        services.AddSessionKit(o => o.Limits.MaxContentLength = 10)
            .UseSqlite(o =>
            {
                o.ConnectionString = _db.ConnectionString;
                o.Synchronous = SqliteSynchronousMode.Full;
            });
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<ISessionStore>();
        var session = await store.CreateSessionAsync("ada");

        Assert.ThrowsAsync<MessageTooLargeException>(() => store.AppendMessageAsync(session.Id, NewMessage.User("eleven chars")));
        Assert.That(await store.CountMessagesAsync(session.Id), Is.Zero);
    }

    [Test]
    public void UseSqlite_WithInvalidOptions_FailsValidationNamingTheSetting()
    {
        var services = new ServiceCollection();
        services.AddSessionKit().UseSqlite(o =>
        {
            o.ConnectionString = _db.ConnectionString;
            o.BusyTimeout = TimeSpan.FromMilliseconds(-5);
        });
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<ISessionStore>());
        Assert.That(ex!.Message, Does.Contain("SqliteSessionStoreOptions.BusyTimeout"));
    }

    [Test]
    public async Task UseSqlite_AfterUseInMemory_ReplacesTheBackend()
    {
        var services = new ServiceCollection();
        services.AddSessionKit().UseInMemory().UseSqlite(_db.ConnectionString);
        await using var provider = services.BuildServiceProvider();
        Assert.That(provider.GetRequiredService<ISessionStore>(), Is.InstanceOf<SqliteSessionStore>());
    }
}
