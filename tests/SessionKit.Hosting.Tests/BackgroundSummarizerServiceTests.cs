using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NUnit.Framework;

namespace SessionKit.Hosting.Tests;

[TestFixture]
public sealed class BackgroundSummarizerServiceTests
{
    [Test]
    public async Task AnImportedBacklog_IsDrainedInTheBackground_AndTheNextWindowOmitsNothing()
    {
        var services = new ServiceCollection();
        services.AddSessionKit(o => o.Context.MaxSummarizationsPerBuild = 2).UseInMemory().AddSessionKitBackgroundSummarizer();
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<ISessionStore>();
        var builder = provider.GetRequiredService<IContextBuilder>();
        var backlog = provider.GetRequiredService<SummarizationBacklog>();
        var service = provider.GetServices<IHostedService>().OfType<BackgroundSummarizerService>().Single();
        var session = await store.CreateSessionAsync("ada");
        var random = new Random(5);
        var import = Enumerable.Range(0, 200)
            .Select(i => i % 2 == 0 ? NewMessage.User($"Question {i} about {Word(random)} and {Word(random)}?") : NewMessage.Assistant(string.Join(' ', Enumerable.Range(0, 40).Select(_ => Word(random))) + "."))
            .ToList();
        await store.AppendMessagesAsync(session.Id, import);

        var first = await builder.BuildAsync(session.Id, new ContextRequest { TokenBudget = 1500 });
        Assert.That(first.SummariesCreated, Is.LessThanOrEqualTo(2), "the request does only the configured work");
        Assert.That(first.SummarizationBacklog, Is.True);
        Assert.That(backlog.Count, Is.EqualTo(1), "the build reported its session");

        await service.StartAsync(CancellationToken.None);
        await backlog.WhenIdleAsync().WaitAsync(TimeSpan.FromMinutes(2));
        await service.StopAsync(CancellationToken.None);

        var drained = await builder.BuildAsync(session.Id, new ContextRequest { TokenBudget = 1500 });
        Assert.That(drained.SummariesCreated, Is.Zero);
        Assert.That(drained.OmittedRanges, Is.Empty, "no range stays omitted once the backlog is drained");
        Assert.That(backlog.Count, Is.Zero);
    }

    [Test]
    public void TheBacklog_QueuesASessionOnce_AndRejectsBadInput()
    {
        var backlog = new SummarizationBacklog(capacity: 2);
        var a = Guid.CreateVersion7();

        Assert.That(backlog.TryAdd(a, 1000), Is.True);
        Assert.That(backlog.TryAdd(a, 2000), Is.True);
        Assert.That(backlog.TryAdd(Guid.CreateVersion7(), 1000), Is.True);
        Assert.That(backlog.TryAdd(Guid.CreateVersion7(), 1000), Is.False, "full");
        Assert.That(backlog.Count, Is.EqualTo(2));
        Assert.Throws<ArgumentException>(() => backlog.TryAdd(Guid.Empty, 1000));
        Assert.Throws<ArgumentOutOfRangeException>(() => backlog.TryAdd(a, 0));
        Assert.Throws<InvalidOperationException>(backlog.Complete);
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new SummarizationBacklog(0));
    }

    [Test]
    public async Task TheBacklog_HandsOutTheLargestBudgetAskedFor_AndBecomesIdleWhenDone()
    {
        var backlog = new SummarizationBacklog();
        var a = Guid.CreateVersion7();
        backlog.TryAdd(a, 1000);
        backlog.TryAdd(a, 3000);
        var idle = backlog.WhenIdleAsync();

        var (sessionId, budget) = await backlog.TakeAsync();
        Assert.That((sessionId, budget), Is.EqualTo((a, 3000)));
        Assert.That(idle.IsCompleted, Is.False);
        backlog.Complete();

        await idle.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(backlog.Count, Is.Zero);
    }

    private static string Word(Random random) => ((string[])["carbon", "ocean", "methane", "forest", "ice", "policy", "solar", "drought", "soil", "model"])[random.Next(10)];
}
