using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Tests.DependencyInjection;

[TestFixture]
public sealed class SessionKitServiceCollectionExtensionsTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task UseInMemory_ResolvesOneWorkingInMemoryStore()
    {
        var services = new ServiceCollection();
        services.AddSessionKit().UseInMemory();
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        var store = provider.GetRequiredService<ISessionStore>();
        var session = await store.CreateSessionAsync("alice");
        await store.AppendMessageAsync(session.Id, NewMessage.User("hello"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(store, Is.InstanceOf<InMemorySessionStore>());
            Assert.That(provider.GetRequiredService<ISessionStore>(), Is.SameAs(store));
            Assert.That((await store.GetLastMessagesAsync(session.Id, 1)).Single().Content, Is.EqualTo("hello"));
        }
    }

    [Test]
    public async Task UseInMemory_SharesTheSingletonAcrossScopes()
    {
        var services = new ServiceCollection();
        services.AddSessionKit().UseInMemory();
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        ISessionStore fromScope1;
        ISessionStore fromScope2;
        await using (var scope = provider.CreateAsyncScope())
        {
            fromScope1 = scope.ServiceProvider.GetRequiredService<ISessionStore>();
        }

        await using (var scope = provider.CreateAsyncScope())
        {
            fromScope2 = scope.ServiceProvider.GetRequiredService<ISessionStore>();
        }

        Assert.That(fromScope2, Is.SameAs(fromScope1));
        Assert.DoesNotThrowAsync(() => fromScope1.CreateSessionAsync("alice"), "leaving a scope must not dispose the singleton");
    }

    [Test]
    public async Task UseInMemory_TakesTimeFromTheTimeProviderInTheContainer()
    {
        var time = new FakeTimeProvider(Start);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSessionKit().UseInMemory();
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<ISessionStore>();

        var session = await store.CreateSessionAsync("alice");
        time.Advance(TimeSpan.FromMinutes(7));
        var message = await store.AppendMessageAsync(session.Id, NewMessage.User("hi"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(session.CreatedAt, Is.EqualTo(Start));
            Assert.That(message.CreatedAt, Is.EqualTo(Start.AddMinutes(7)));
        }
    }

    [Test]
    public async Task ResolvingTheStore_WithoutABackend_ThrowsInvalidOperationExceptionSayingHowToChooseOne()
    {
        var services = new ServiceCollection();
        services.AddSessionKit();
        await using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ISessionStore>());

        Assert.That(ex?.Message, Does.Contain("UseSqlite").And.Contain("UseInMemory"));
    }

    [Test]
    public async Task AddSessionKit_KeepsAStoreTheHostRegisteredFirst()
    {
        await using var hostStore = new InMemorySessionStore();
        var services = new ServiceCollection();
        services.AddSingleton<ISessionStore>(hostStore);

        services.AddSessionKit();
        await using var provider = services.BuildServiceProvider();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(provider.GetRequiredService<ISessionStore>(), Is.SameAs(hostStore));
            Assert.That(services.Count(d => d.ServiceType == typeof(ISessionStore)), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task InvalidLimits_MakeResolutionThrowOptionsValidationExceptionNamingTheSetting()
    {
        var services = new ServiceCollection();
        services.AddSessionKit(o => o.Limits.MaxContentLength = 0).UseInMemory();
        await using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<ISessionStore>());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex?.Message, Does.Contain("SessionKitOptions.Limits.MaxContentLength"));
            Assert.That(ex?.OptionsType, Is.EqualTo(typeof(SessionKitOptions)));
        }
    }

    [Test]
    public async Task InvalidLimits_NameEveryBadSetting()
    {
        var services = new ServiceCollection();
        services.AddSessionKit(o =>
        {
            o.Limits.MaxMessagesPerAppend = 0;
            o.Limits.MaxIdLength = -1;
        }).UseInMemory();
        await using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<ISessionStore>());

        Assert.That(ex?.Failures, Is.EquivalentTo(new[]
        {
            "SessionKitOptions.Limits.MaxMessagesPerAppend must be at least 1 (was 0).",
            "SessionKitOptions.Limits.MaxIdLength must be at least 1 (was -1).",
        }));
    }

    [Test]
    public async Task InvalidLimits_FailStartupValidation()
    {
        // ValidateOnStart registers the check a host runs at start, before anything resolves the store.
        var services = new ServiceCollection();
        services.AddSessionKit(o => o.Limits.MaxContentLength = 0).UseInMemory();
        await using var provider = services.BuildServiceProvider();

        var validator = provider.GetRequiredService<IStartupValidator>();

        var ex = Assert.Throws<OptionsValidationException>(validator.Validate);
        Assert.That(ex?.Message, Does.Contain("SessionKitOptions.Limits.MaxContentLength"));
    }

    [Test]
    public async Task ConfiguredLimits_AreEnforcedByTheResolvedStore()
    {
        var services = new ServiceCollection();
        services.AddSessionKit(o =>
        {
            o.Limits.MaxContentLength = 10;
            o.Limits.MaxMessagesPerAppend = 2;
        }).UseInMemory();
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<ISessionStore>();
        var session = await store.CreateSessionAsync("alice");

        var tooLarge = Assert.ThrowsAsync<MessageTooLargeException>(() => store.AppendMessageAsync(session.Id, NewMessage.User(new string('x', 11))));
        var tooMany = Assert.ThrowsAsync<ArgumentException>(
            () => store.AppendMessagesAsync(session.Id, [NewMessage.User("a"), NewMessage.User("b"), NewMessage.User("c")]));
        var accepted = await store.AppendMessagesAsync(session.Id, [NewMessage.User(new string('x', 10)), NewMessage.User("b")]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(tooLarge?.Limit, Is.EqualTo(10));
            Assert.That(tooMany?.Message, Does.Contain("MaxMessagesPerAppend"));
            Assert.That(accepted.Messages, Has.Count.EqualTo(2));
        }
    }

    [Test]
    public async Task AddSessionKit_CalledTwice_AppliesBothConfigurations()
    {
        var services = new ServiceCollection();
        services.AddSessionKit(o => o.Limits.MaxContentLength = 10);
        services.AddSessionKit(o => o.Limits.MaxIdLength = 5).UseInMemory();
        await using var provider = services.BuildServiceProvider();

        var store = (SessionStore)provider.GetRequiredService<ISessionStore>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(store.Limits.MaxContentLength, Is.EqualTo(10));
            Assert.That(store.Limits.MaxIdLength, Is.EqualTo(5));
            Assert.That(provider.GetServices<IValidateOptions<SessionKitOptions>>().Count(), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task DisposingTheServiceProvider_DisposesTheStore()
    {
        var services = new ServiceCollection();
        services.AddSessionKit().UseInMemory();
        var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<ISessionStore>();
        var session = await store.CreateSessionAsync("alice");

        await provider.DisposeAsync();

        Assert.ThrowsAsync<ObjectDisposedException>(() => store.GetSessionAsync(session.Id));
    }

    [Test]
    public async Task DisposingTheServiceProviderSynchronously_DisposesTheStore()
    {
        var services = new ServiceCollection();
        services.AddSessionKit().UseInMemory();
        var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<ISessionStore>();
        var session = await store.CreateSessionAsync("alice");

        provider.Dispose();

        Assert.ThrowsAsync<ObjectDisposedException>(() => store.GetSessionAsync(session.Id));
    }

    [Test]
    public async Task UseStore_ReceivesTheValidatedLimitsTheClockAndTheCounter_AndReplacesAnEarlierBackend()
    {
        var time = new FakeTimeProvider(Start);
        SessionLimits? seenLimits = null;
        TimeProvider? seenTime = null;
        ITokenCounter? seenCounter = null;
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSessionKit(o =>
            {
                o.Limits.MaxIdLength = 12;
                o.TokenEncoding = SharpTokenCounter.Cl100kBase;
            })
            .UseInMemory()
            .UseStore(context =>
            {
                seenLimits = context.Limits;
                seenTime = context.TimeProvider;
                seenCounter = context.TokenCounter;
                return new InMemorySessionStore(context.Limits, context.TimeProvider, context.TokenCounter);
            });
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<ISessionStore>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(seenLimits?.MaxIdLength, Is.EqualTo(12));
            Assert.That(seenTime, Is.SameAs(time));
            Assert.That(seenCounter?.EncodingName, Is.EqualTo(SharpTokenCounter.Cl100kBase));
            Assert.That(seenCounter, Is.SameAs(provider.GetRequiredService<ITokenCounter>()));
            Assert.That(((SessionStore)store).Limits.MaxIdLength, Is.EqualTo(12));
            Assert.That(services.Count(d => d.ServiceType == typeof(ISessionStore)), Is.EqualTo(1));
        }
    }

    [Test]
    public void Guards_RejectNullArguments()
    {
        var builder = new ServiceCollection().AddSessionKit();

        using (Assert.EnterMultipleScope())
        {
            Assert.Throws<ArgumentNullException>(() => SessionKitServiceCollectionExtensions.AddSessionKit(null!));
            Assert.Throws<ArgumentNullException>(() => SessionKitServiceCollectionExtensions.UseInMemory(null!));
            Assert.Throws<ArgumentNullException>(() => builder.UseStore<InMemorySessionStore>(null!));
        }
    }

    [Test]
    public void AddSessionKit_ReturnsABuilderOverTheSameServices()
    {
        var services = new ServiceCollection();

        var builder = services.AddSessionKit();

        Assert.That(builder.Services, Is.SameAs(services));
    }
}
