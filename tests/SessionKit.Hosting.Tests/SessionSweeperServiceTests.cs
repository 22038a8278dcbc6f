using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using SessionKit.Storage;

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
        Assert.That(await signal.WaitAsync(TimeSpan.FromSeconds(30)), Is.True, "The start-up sweep ran.");
        Assert.That(await store.FindSessionAsync(session.Id), Is.Not.Null, "Not expired at the start-up sweep.");

        time.Advance(TimeSpan.FromHours(25));
        Assert.That(await signal.WaitAsync(TimeSpan.FromSeconds(30)), Is.True, "The interval's sweep ran.");

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
        Assert.That(await sweeper.Calls.WaitAsync(TimeSpan.FromSeconds(30)), Is.True, "The start-up sweep ran (and failed).");
        time.Advance(TimeSpan.FromMinutes(1));

        Assert.That(await sweeper.Calls.WaitAsync(TimeSpan.FromSeconds(30)), Is.True, "The service must keep sweeping after a failure.");
        await service.StopAsync(CancellationToken.None);
        service.Dispose();
    }

    [Test]
    public async Task HostedSweeper_WithSweepOnStartOff_SeesEveryIntervalAdvancedRightAfterStart()
    {
        // The clock moves the moment StartAsync returns, before the background loop may have begun: each interval still sweeps once.
        var time = new FakeTimeProvider(Start);
        var (provider, signal) = Build(time, o => { o.Interval = TimeSpan.FromHours(1); o.SweepOnStart = false; });
        await using var _ = provider;
        var service = provider.GetServices<IHostedService>().OfType<SessionSweeperService>().Single();

        await service.StartAsync(CancellationToken.None);
        for (var i = 0; i < 3; i++)
        {
            time.Advance(TimeSpan.FromHours(1));
            Assert.That(await signal.WaitAsync(TimeSpan.FromSeconds(30)), Is.True, $"Sweep {i + 1} ran.");
        }

        await service.StopAsync(CancellationToken.None);
        Assert.That(signal.CurrentCount, Is.Zero, "No sweep beyond one per interval.");
    }

    [Test]
    public async Task HostedSweeper_HasItsTimerWhenStartAsyncReturns()
    {
        // .NET 10 starts ExecuteAsync on the thread pool; a timer made there can miss a clock advanced right after StartAsync.
        var time = new TimerCountingTimeProvider(new FakeTimeProvider(Start));
        var service = new SessionSweeperService(
            new CountingSweeper(), Options.Create(new SessionSweeperServiceOptions { Interval = TimeSpan.FromHours(1), SweepOnStart = false }), time);

        await service.StartAsync(CancellationToken.None);
        var timersAtReturn = time.TimersCreated;
        await service.StopAsync(CancellationToken.None);
        service.Dispose();

        Assert.That(timersAtReturn, Is.EqualTo(1));
    }

    [Test]
    public async Task HostedSweeper_WithNoRetentionPolicy_DoesNotSweepAndSaysSoOnce()
    {
        var time = new FakeTimeProvider(Start);
        var sweeper = new CountingSweeper();
        var logger = new RecordingLogger();
        var service = new SessionSweeperService(
            sweeper, Options.Create(new SessionSweeperServiceOptions { Interval = TimeSpan.FromMinutes(1) }), time, logger, new SessionExpiryPolicy(new RetentionOptions(), time));

        await service.StartAsync(CancellationToken.None);
        await service.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromMinutes(10));
        await service.StopAsync(CancellationToken.None);
        service.Dispose();

        Assert.Multiple(() =>
        {
            Assert.That(service.IsSweeping, Is.False);
            Assert.That(sweeper.Count, Is.Zero, "No session is scanned when nothing can expire.");
            Assert.That(logger.Entries, Has.Count.EqualTo(1));
            Assert.That(logger.Entries[0].Level, Is.EqualTo(LogLevel.Warning));
            Assert.That(logger.Entries[0].Message, Does.Contain("no retention policy").And.Contain("SweepWithoutRetentionPolicy"));
        });
    }

    [Test]
    public async Task HostedSweeper_WithNoRetentionPolicy_ThroughDependencyInjection_DoesNotSweep()
    {
        var time = new FakeTimeProvider(Start);
        var sweeper = new CountingSweeper();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSessionKit().UseInMemory().AddSessionKitSweeper();
        services.AddSingleton<ISessionSweeper>(sweeper);
        await using var provider = services.BuildServiceProvider();
        var service = provider.GetServices<IHostedService>().OfType<SessionSweeperService>().Single();

        await service.StartAsync(CancellationToken.None);
        await service.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(30));
        await service.StopAsync(CancellationToken.None);

        Assert.That(sweeper.Count, Is.Zero);
    }

    [Test]
    public async Task HostedSweeper_WithNoRetentionPolicyButSweepWithoutPolicyOn_Sweeps()
    {
        var time = new FakeTimeProvider(Start);
        var sweeper = new CountingSweeper();
        var service = new SessionSweeperService(
            sweeper,
            Options.Create(new SessionSweeperServiceOptions { Interval = TimeSpan.FromMinutes(1), SweepWithoutRetentionPolicy = true }),
            time,
            policy: new SessionExpiryPolicy(new RetentionOptions(), time));

        await service.StartAsync(CancellationToken.None);
        Assert.That(await sweeper.Calls.WaitAsync(TimeSpan.FromSeconds(30)), Is.True);
        await service.StopAsync(CancellationToken.None);
        service.Dispose();

        Assert.That(service.IsSweeping, Is.True);
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

    private sealed class TimerCountingTimeProvider(TimeProvider inner) : TimeProvider
    {
        private int _timers;

        public int TimersCreated => Volatile.Read(ref _timers);

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

        public override long GetTimestamp() => inner.GetTimestamp();

        public override long TimestampFrequency => inner.TimestampFrequency;

        public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _timers);
            return inner.CreateTimer(callback, state, dueTime, period);
        }
    }

    private sealed class CountingSweeper : ISessionSweeper
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public SemaphoreSlim Calls { get; } = new(0);

        public Task<SweepResult> SweepAsync(SweepOptions? options = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _count);
            Calls.Release();
            return Task.FromResult(new SweepResult { Completed = true });
        }
    }

    private sealed class RecordingLogger : ILogger<SessionSweeperService>
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Entries)
            {
                Entries.Add((logLevel, formatter(state, exception)));
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
