using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace SessionKit.Hosting.Tests;

[TestFixture]
public sealed class SessionSweeperServiceTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task HostedSweeper_ErasesExpiredSessionsOnEachInterval()
    {
        var time = new FakeTimeProvider(Start);
        var (provider, signal) = Build(time, o => o.Interval = TimeSpan.FromHours(1));
        await using var _ = provider;
        var store = provider.GetRequiredService<ISessionStore>();
        var service = provider.GetServices<IHostedService>().OfType<SessionSweeperService>().Single();
        var session = await store.CreateSessionAsync("alice");

        await service.StartAsync(CancellationToken.None);
        await signal.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(await store.FindSessionAsync(session.Id), Is.Not.Null, "Not expired at the start-up sweep.");

        time.Advance(TimeSpan.FromHours(25));
        await signal.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(await store.FindSessionAsync(session.Id), Is.Null);
        await service.StopAsync(CancellationToken.None);
    }

    [Test]
    public async Task HostedSweeper_WithSweepOnStartOff_WaitsForTheFirstInterval()
    {
        var time = new FakeTimeProvider(Start);
        var (provider, signal) = Build(time, o => { o.Interval = TimeSpan.FromHours(1); o.SweepOnStart = false; });
        await using var _ = provider;
        var service = provider.GetServices<IHostedService>().OfType<SessionSweeperService>().Single();

        await service.StartAsync(CancellationToken.None);
        Assert.That(signal.CurrentCount, Is.Zero);
        time.Advance(TimeSpan.FromHours(1));

        Assert.That(await signal.WaitAsync(TimeSpan.FromSeconds(30)), Is.True);
        await service.StopAsync(CancellationToken.None);
    }

    [Test]
    public async Task HostedSweeper_SurvivesAFailingSweep()
    {
        var time = new FakeTimeProvider(Start);
        var sweeper = new FailingOnceSweeper();
        var service = new SessionSweeperService(sweeper, Options.Create(new SessionSweeperServiceOptions { Interval = TimeSpan.FromMinutes(1) }), time);

        await service.StartAsync(CancellationToken.None);
        await sweeper.Calls.WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromMinutes(1));

        Assert.That(await sweeper.Calls.WaitAsync(TimeSpan.FromSeconds(30)), Is.True, "The service must keep sweeping after a failure.");
        await service.StopAsync(CancellationToken.None);
        service.Dispose();
    }

    [Test]
    public void AddSessionKitSweeper_WithAnInvalidInterval_FailsValidationNamingIt()
    {
        var services = new ServiceCollection();
        services.AddSessionKit().UseInMemory().AddSessionKitSweeper(o => o.Interval = TimeSpan.Zero);
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => _ = provider.GetRequiredService<IOptions<SessionSweeperServiceOptions>>().Value);
        Assert.That(ex!.Message, Does.Contain("Interval"));
    }

    [Test]
    public void Constructor_WithBadArguments_Throws()
    {
        var sweeper = new FailingOnceSweeper();
        Assert.Throws<ArgumentNullException>(() => new SessionSweeperService(null!, Options.Create(new SessionSweeperServiceOptions())));
        Assert.Throws<ArgumentNullException>(() => new SessionSweeperService(sweeper, null!));
        Assert.Throws<ArgumentException>(() => new SessionSweeperService(sweeper, Options.Create(new SessionSweeperServiceOptions { Sweep = new SweepOptions { BatchSize = 0 } })));
    }

    [Test]
    public void AddSessionKitSweeper_WithNullBuilder_Throws() =>
        Assert.Throws<ArgumentNullException>(() => SessionKitHostingExtensions.AddSessionKitSweeper(null!));

    private static (ServiceProvider Provider, SemaphoreSlim Signal) Build(FakeTimeProvider time, Action<SessionSweeperServiceOptions> configure)
    {
        var signal = new SemaphoreSlim(0);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSessionKit(o => o.Retention.IdleTimeout = TimeSpan.FromDays(1)).UseInMemory().AddSessionKitSweeper(configure);
        services.AddSingleton<ISessionSweeper>(sp => new SignallingSweeper(
            new SessionSweeper(sp.GetRequiredService<ISessionRetentionStore>(), sp.GetRequiredService<SessionExpiryPolicy>()), signal));
        return (services.BuildServiceProvider(), signal);
    }

    // Lets a test wait for a sweep to finish instead of sleeping.
    private sealed class SignallingSweeper(ISessionSweeper inner, SemaphoreSlim signal) : ISessionSweeper
    {
        public async Task<SweepResult> SweepAsync(SweepOptions? options = null, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.SweepAsync(options, cancellationToken);
            }
            finally
            {
                signal.Release();
            }
        }
    }

    private sealed class FailingOnceSweeper : ISessionSweeper
    {
        private int _calls;

        public SemaphoreSlim Calls { get; } = new(0);

        public Task<SweepResult> SweepAsync(SweepOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls.Release();
            return Interlocked.Increment(ref _calls) == 1
                ? Task.FromException<SweepResult>(new SessionKitException("The store is unreachable."))
                : Task.FromResult(new SweepResult { Completed = true });
        }
    }
}
