using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Hosting.Tests;

[TestFixture]
public sealed class EmbeddingIndexerServiceTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task HostedIndexer_EmbedsInTheBackground_AndRetriesAFailedBatchAfterItsBackoff()
    {
        var time = new FakeTimeProvider(Start);
        var generator = new SignallingGenerator();
        await using var provider = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddSessionKit().UseInMemory().UseEmbeddings(generator, "signalling-v1")
            .AddSessionKitEmbeddingIndexer(o => { o.PollInterval = TimeSpan.FromSeconds(1); o.InitialRetryDelay = TimeSpan.FromSeconds(10); })
            .Services.BuildServiceProvider();
        var store = (SessionStore)provider.GetRequiredService<ISessionStore>();
        var session = await store.CreateSessionAsync("alice");
        await store.AppendMessagesAsync(session.Id, [NewMessage.User("Wind turbines on land."), NewMessage.Assistant("About a third of their rated power.")]);
        var service = provider.GetServices<IHostedService>().OfType<EmbeddingIndexerService>().Single();
        generator.FailNext = true;

        await service.StartAsync(CancellationToken.None);
        Assert.That(await generator.Calls.WaitAsync(TimeSpan.FromSeconds(30)), Is.True, "the first batch was attempted (and failed)");
        Assert.That(await store.CountEmbeddingsAsync("alice"), Is.Empty, "nothing stored, nothing lost");
        // The service starts its backoff wait right after the failure: advance the clock until that wait has seen it.
        bool retried = false;
        for (int i = 0; i < 600 && !retried; i++)
        {
            time.Advance(TimeSpan.FromSeconds(10));
            retried = await generator.Calls.WaitAsync(TimeSpan.FromMilliseconds(50));
        }

        Assert.That(retried, Is.True, "retried after the backoff");
        await service.StopAsync(CancellationToken.None);

        Assert.That(await store.CountEmbeddingsAsync("alice"), Is.EqualTo(new[] { new EmbeddingModelCount("signalling-v1", 3, 2) }));
        Assert.That(await store.CountMessagesAsync(session.Id), Is.EqualTo(2));
    }

    [Test]
    public void RetryDelay_DoublesWithEachFailure_UpToTheMaximum()
    {
        var store = new InMemorySessionStore();
        store.UseEmbeddings(new SignallingGenerator());
        var service = new EmbeddingIndexerService(
            new EmbeddingIndexer(store),
            Options.Create(new EmbeddingIndexerServiceOptions { InitialRetryDelay = TimeSpan.FromSeconds(1), MaxRetryDelay = TimeSpan.FromSeconds(5) }));

        Assert.That(new[] { 1, 2, 3, 4, 40 }.Select(service.RetryDelay), Is.EqualTo(new[] { 1, 2, 4, 5, 5 }.Select(s => TimeSpan.FromSeconds(s))));
    }

    [Test]
    public void AddingTheIndexer_WithoutEmbeddings_FailsNamingUseEmbeddings()
    {
        using var provider = new ServiceCollection().AddSessionKit().UseInMemory().AddSessionKitEmbeddingIndexer().Services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetServices<IHostedService>().ToList());
        Assert.That(error!.Message, Does.Contain("UseEmbeddings"));
    }

    [Test]
    public void Options_AreValidated()
    {
        var store = new InMemorySessionStore();
        Assert.Throws<ArgumentException>(() => new EmbeddingIndexerService(
            new EmbeddingIndexer(store),
            Options.Create(new EmbeddingIndexerServiceOptions { InitialRetryDelay = TimeSpan.FromSeconds(10), MaxRetryDelay = TimeSpan.FromSeconds(1) })));
    }

    /// <summary>Three-dimensional vectors from word lengths; signals each call, after it completes or fails.</summary>
    private sealed class SignallingGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        public SemaphoreSlim Calls { get; } = new(0);

        public bool FailNext { get; set; }

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            try
            {
                if (FailNext)
                {
                    FailNext = false;
                    throw new HttpRequestException("The model server is down (simulated).");
                }

                var result = new GeneratedEmbeddings<Embedding<float>>();
                result.AddRange(values.Select(v => new Embedding<float>(new float[] { v.Length, v.Count(char.IsUpper) + 1, 1 })));
                return Task.FromResult(result);
            }
            finally
            {
                Calls.Release();
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose() => Calls.Dispose();
    }
}
