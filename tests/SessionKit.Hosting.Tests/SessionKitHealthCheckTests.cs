using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace SessionKit.Hosting.Tests;

[TestFixture]
public sealed class SessionKitHealthCheckTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task HealthCheck_WithAWorkingInMemoryStore_IsHealthy()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSessionKit().UseInMemory();
        services.AddHealthChecks().AddSessionKitHealthCheck();
        await using var provider = services.BuildServiceProvider();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = report.Entries["sessionkit"];
        Assert.Multiple(() =>
        {
            Assert.That(report.Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(entry.Description, Does.Contain("InMemorySessionStore").And.Contain("answered"));
            Assert.That(entry.Data["store"], Is.EqualTo("InMemorySessionStore"));
        });
    }

    [Test]
    public async Task HealthCheck_WithAWorkingSqliteStore_IsHealthy()
    {
        var folder = Directory.CreateTempSubdirectory("sessionkit-health-").FullName;
        try
        {
            var services = new ServiceCollection().AddLogging();
            services.AddSessionKit().UseSqlite($"Data Source={Path.Combine(folder, "health.db")}");
            services.AddHealthChecks().AddSessionKitHealthCheck(o => o.Tags.Add("ready"));
            await using (var provider = services.BuildServiceProvider())
            {
                var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains("ready"));

                Assert.That(report.Entries["sessionkit"].Status, Is.EqualTo(HealthStatus.Healthy));
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public async Task HealthCheck_WithAFailingStore_IsUnhealthyAndNamesTheStoreAndTheFailure()
    {
        var store = ProbeStore.Create(_ => Task.FromException<Session?>(new InvalidOperationException("Data Source=/srv/db;Password=hunter2")));
        var check = new SessionKitHealthCheck(store);

        var result = await check.CheckHealthAsync(Context(check));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(result.Description, Does.Contain("store").And.Contain(store.GetType().Name).And.Contain("InvalidOperationException"));
            Assert.That(result.Description, Does.Not.Contain("hunter2").And.Not.Contain("/srv/db"), "The exception's message stays out of the description.");
            Assert.That(result.Exception, Is.InstanceOf<InvalidOperationException>());
        });
    }

    [Test]
    public async Task HealthCheck_WithADisposedStore_ThroughDependencyInjection_IsUnhealthy()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSessionKit().UseInMemory();
        services.AddHealthChecks().AddSessionKitHealthCheck();
        await using var provider = services.BuildServiceProvider();
        await ((IAsyncDisposable)provider.GetRequiredService<ISessionStore>()).DisposeAsync();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Multiple(() =>
        {
            Assert.That(report.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(report.Entries["sessionkit"].Description, Does.Contain("InMemorySessionStore").And.Contain("ObjectDisposedException"));
        });
    }

    [Test]
    public async Task HealthCheck_WhenTheStoreDoesNotAnswer_FailsAfterTheTimeoutOnTheTimeProvider()
    {
        var time = new FakeTimeProvider(Start);
        var never = new TaskCompletionSource<Session?>();
        var store = ProbeStore.Create(_ => never.Task); // ignores its cancellation token, too
        var check = new SessionKitHealthCheck(store, options: new SessionKitHealthCheckOptions { Timeout = TimeSpan.FromSeconds(2) }, timeProvider: time);

        var pending = check.CheckHealthAsync(Context(check, HealthStatus.Degraded));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(pending.IsCompleted, Is.False, "Still within the timeout.");
        time.Advance(TimeSpan.FromSeconds(1));
        var result = await pending.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(HealthStatus.Degraded), "The registration's failure status.");
            Assert.That(result.Description, Does.Contain("did not answer within 00:00:02"));
        });
    }

    [Test]
    public async Task HealthCheck_WhenTheClockPassesTheTimeoutInsideTheProbe_StillFailsWithoutWaitingForMoreTime()
    {
        // The deadline passes before the probe returns (a stalled thread): the check must not start a second timer then.
        var time = new FakeTimeProvider(Start);
        var never = new TaskCompletionSource<Session?>();
        var store = ProbeStore.Create(_ =>
        {
            time.Advance(TimeSpan.FromSeconds(2));
            return never.Task;
        });
        var check = new SessionKitHealthCheck(store, options: new SessionKitHealthCheckOptions { Timeout = TimeSpan.FromSeconds(2) }, timeProvider: time);

        // A guard against hanging the run, not a timing assertion: nothing else moves the fake clock.
        var result = await check.CheckHealthAsync(Context(check, HealthStatus.Degraded)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(result.Description, Does.Contain("did not answer within 00:00:02"));
    }

    [Test]
    public async Task HealthCheck_WithAFailingSummarizerProbed_IsDegradedNamingTheSummarizer()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSessionKit().UseInMemory().UseSummarizer(new FailingSummarizer());
        services.AddHealthChecks().AddSessionKitHealthCheck(o => o.ProbeSummarizer = true);
        await using var provider = services.BuildServiceProvider();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = report.Entries["sessionkit"];
        Assert.Multiple(() =>
        {
            Assert.That(entry.Status, Is.EqualTo(HealthStatus.Degraded));
            Assert.That(entry.Description, Does.Contain("summarizer 'test/failing'").And.Contain("HttpRequestException"));
            Assert.That(entry.Description, Does.Not.Contain("sk-live"));
        });
    }

    [Test]
    public async Task HealthCheck_WithTheOfflineSummarizer_DoesNotProbeIt()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSessionKit().UseInMemory();
        services.AddHealthChecks().AddSessionKitHealthCheck(o => o.ProbeSummarizer = true);
        await using var provider = services.BuildServiceProvider();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Multiple(() =>
        {
            Assert.That(report.Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(report.Entries["sessionkit"].Data.ContainsKey("summarizer"), Is.False);
        });
    }

    [Test]
    public async Task HealthCheck_WithAWorkingSummarizerProbed_IsHealthy()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSessionKit().UseInMemory().UseSummarizer(new EchoSummarizer());
        services.AddHealthChecks().AddSessionKitHealthCheck(o => o.ProbeSummarizer = true);
        await using var provider = services.BuildServiceProvider();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Multiple(() =>
        {
            Assert.That(report.Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(report.Entries["sessionkit"].Data["summarizer"], Is.EqualTo("test/echo"));
        });
    }

    [Test]
    public void AddSessionKitHealthCheck_WithBadOptions_ThrowsNamingThemAndRegistersNothing()
    {
        var services = new ServiceCollection().AddLogging();
        var builder = services.AddHealthChecks();
        int before = services.Count;

        var ex = Assert.Throws<ArgumentException>(() => builder.AddSessionKitHealthCheck(o => { o.Timeout = TimeSpan.Zero; o.Name = " "; }));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Message, Does.Contain("SessionKitHealthCheckOptions.Timeout").And.Contain("SessionKitHealthCheckOptions.Name"));
            Assert.That(services, Has.Count.EqualTo(before));
        });
    }

    [Test]
    public void AddSessionKitHealthCheck_WithNullBuilder_Throws() =>
        Assert.Throws<ArgumentNullException>(() => SessionKitHealthChecksBuilderExtensions.AddSessionKitHealthCheck(null!));

    [Test]
    public void Constructor_WithBadArguments_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new SessionKitHealthCheck(null!));
        Assert.Throws<ArgumentException>(() => new SessionKitHealthCheck(new InMemorySessionStore(), options: new SessionKitHealthCheckOptions { Timeout = TimeSpan.FromHours(1) }));
    }

    private static HealthCheckContext Context(IHealthCheck check, HealthStatus? failureStatus = null) =>
        new() { Registration = new HealthCheckRegistration("sessionkit", check, failureStatus, null) };

    private sealed class FailingSummarizer : ISummarizer
    {
        public string Id => "test/failing";

        public Task<SummarizationResult> SummarizeAsync(SummarizationRequest request, CancellationToken cancellationToken = default) =>
            Task.FromException<SummarizationResult>(new HttpRequestException("401 for key sk-live-abc"));
    }

    private sealed class EchoSummarizer : ISummarizer
    {
        public string Id => "test/echo";

        public Task<SummarizationResult> SummarizeAsync(SummarizationRequest request, CancellationToken cancellationToken = default) =>
            Task.FromResult(new SummarizationResult(request.Messages[^1].Content));
    }
}

/// <summary>An <see cref="ISessionStore"/> whose <see cref="ISessionStore.FindSessionAsync"/> does what a test says; every other member throws.</summary>
#pragma warning disable CA1515 // DispatchProxy derives a type from this one at run time, so it must be public and unsealed.
public class ProbeStore : DispatchProxy
#pragma warning restore CA1515
{
    private Func<Guid, Task<Session?>> _find = null!;

    internal static ISessionStore Create(Func<Guid, Task<Session?>> find)
    {
        var store = Create<ISessionStore, ProbeStore>();
        ((ProbeStore)(object)store)._find = find;
        return store;
    }

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
        targetMethod?.Name == nameof(ISessionStore.FindSessionAsync)
            ? _find((Guid)args![0]!)
            : throw new NotSupportedException(targetMethod?.Name);
}
