using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using SessionKit.PostgreSql;

namespace SessionKit.Benchmarks;

/// <summary>
/// <see cref="ContextBuildBenchmarks"/> on PostgreSQL: a 4,000-token window over one session of 1,000 and of 100,000
/// messages (the issue's "flat" check is the 100k/1k ratio of <see cref="BuildContext"/>), against the baseline of reading
/// the whole history and re-counting it. The summaries are made in the set-up, so a measured build summarizes nothing.
/// Needs a server: <c>SESSIONKIT_POSTGRES</c> (see <c>.ci/postgres</c>).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(RatioTrendConfig))]
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "BenchmarkDotNet owns the lifecycle: [GlobalCleanup] disposes them.")]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class PostgreSqlContextBuildBenchmarks
{
    private const string UserId = "benchmark-user";
    private const string SeedVersion = "v1";

    private static readonly ContextRequest Request = new() { TokenBudget = ContextBuildBenchmarks.TokenBudget, SummarizeInline = true };

    private static readonly ContextRequest NoRecall = Request with { RecallNewestUserMessage = false };

    private PostgreSqlSessionStore? _store;
    private CountingSummarizer? _summarizer;
    private ContextBuilder? _builder;
    private Guid _sessionId;

    /// <summary>How many messages the session holds.</summary>
    [Params(1_000, 100_000)]
    public int MessageCount { get; set; } = 1_000;

    /// <summary>What the set-up stored and how long it took, once it has run.</summary>
    public ContextBuildSetup? Setup { get; private set; }

    /// <summary>The summarizer every builder here uses, counting its calls; <see langword="null"/> before the set-up.</summary>
    public CountingSummarizer? Summarizer => _summarizer;

    /// <summary>Stores one session of <see cref="MessageCount"/> seeded messages in a new schema, and all its summaries.</summary>
    /// <returns>A task that completes when the session is ready.</returns>
    [GlobalSetup]
    public async Task SetupAsync()
    {
        var counter = SharpTokenCounter.Default;
        long started = Stopwatch.GetTimestamp();
        var messages = SeededConversation.Create(MessageCount, ContextBuildBenchmarks.MinMessageTokens, ContextBuildBenchmarks.MaxMessageTokens);
        var generate = Stopwatch.GetElapsedTime(started);

        started = Stopwatch.GetTimestamp();
        _summarizer = new CountingSummarizer(new ExtractiveSummarizer(counter));
        long tokens = 0;
        var append = TimeSpan.Zero;
        var summarize = TimeSpan.Zero;
        // With SESSIONKIT_BENCH_REUSE set, the seeded schema is named after its size and kept on the (throwaway) server,
        // so the next process (BenchmarkDotNet runs each case in its own) or the next run skips the minutes of seeding.
        bool keep = Environment.GetEnvironmentVariable(ContextBuildBenchmarks.ReuseVariable) is { Length: > 0 };
        _store = keep ? PostgreSqlBenchmarkServer.NamedStore($"bench_ctx_{MessageCount}_{SeedVersion}") : PostgreSqlBenchmarkServer.NewStore("ctx");
        var kept = keep ? await _store.ListSessionsAsync(UserId, new SessionListOptions { PageSize = 1 }) : null;
        if (kept is { Items.Count: 1 } && kept.Items[0].MessageCount == MessageCount)
        {
            _sessionId = kept.Items[0].Id;
            tokens = messages.Sum(message => (long)counter.CountMessageTokens(message.Role, message.Content, message.AuthorId));
        }
        else
        {
            _sessionId = (await _store.CreateSessionAsync(UserId)).Id;
            for (int i = 0; i < messages.Length; i += ContextBuildBenchmarks.AppendBatchSize)
            {
                var result = await _store.AppendMessagesAsync(_sessionId, messages[i..Math.Min(i + ContextBuildBenchmarks.AppendBatchSize, messages.Length)]);
                tokens += result.Messages.Sum(message => (long)message.TokenCount);
            }

            append = Stopwatch.GetElapsedTime(started);

            started = Stopwatch.GetTimestamp();
            var summarizeAll = new ContextBuilder(_store, counter, _summarizer, new ContextOptions { MaxSummarizationsPerBuild = int.MaxValue });
            await summarizeAll.SummarizeAsync(_sessionId, ContextBuildBenchmarks.TokenBudget);
            summarize = Stopwatch.GetElapsedTime(started);
        }

        int summarizerCalls = _summarizer.Calls;

        _builder = new ContextBuilder(_store, counter, _summarizer);
        for (int build = 1; build <= 2; build++)
        {
            var window = await BuildContext();
            if (_summarizer.Calls != summarizerCalls || window.SummariesCreated != 0 || window.UsedFallback)
            {
                throw new InvalidOperationException(
                    $"Build {build} after SummarizeAsync called the summarizer {_summarizer.Calls - summarizerCalls} time(s) " +
                    $"and created {window.SummariesCreated} summaries (fallback: {window.FallbackReason ?? "none"}); the benchmark would measure summarization.");
            }
        }

        Setup = new ContextBuildSetup(MessageCount, StoreBackend.PostgreSql, tokens, [], summarizerCalls, generate, append, summarize);
        Console.WriteLine($"// {Setup}");
    }

    /// <summary>Drops the schema and closes the store.</summary>
    /// <returns>A task that completes when the schema is gone.</returns>
    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_store is not null)
        {
            if (Environment.GetEnvironmentVariable(ContextBuildBenchmarks.ReuseVariable) is { Length: > 0 })
            {
                await _store.DisposeAsync();
            }
            else
            {
                await PostgreSqlBenchmarkServer.DropAsync(_store);
            }

            _store = null;
        }
    }

    /// <summary>Baseline: read every message, count each again, keep the newest that fit (what count-and-trim reducers do).</summary>
    /// <returns>The kept messages and their cost.</returns>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory(ContextBuildBenchmarks.WindowCategory)]
    public async Task<NaiveWindow> NaiveLoadAllAndRecount()
    {
        var counter = SharpTokenCounter.Default;
        var messages = new List<SessionMessage>();
        var tokens = new List<int>();
        await foreach (var message in Store.ReadAllMessagesAsync(_sessionId))
        {
            messages.Add(message);
            tokens.Add(counter.CountMessageTokens(message.Role, message.Content, message.AuthorId));
        }

        int total = counter.RequestOverhead;
        int start = messages.Count;
        while (start > 0 && total + tokens[start - 1] <= ContextBuildBenchmarks.TokenBudget)
        {
            start--;
            total += tokens[start];
        }

        return new NaiveWindow(messages.GetRange(start, messages.Count - start), total);
    }

    /// <summary><see cref="ContextBuilder.BuildAsync"/> at 4,000 tokens on PostgreSQL, nothing left to summarize.</summary>
    /// <returns>The window.</returns>
    [Benchmark]
    [BenchmarkCategory(ContextBuildBenchmarks.WindowCategory)]
    public Task<ContextWindow> BuildContext() => Builder.BuildAsync(_sessionId, Request);

    /// <summary>The same build with recall off (no search), to tell the store's reads from the recall search's cost.</summary>
    /// <returns>The window.</returns>
    [Benchmark]
    [BenchmarkCategory(ContextBuildBenchmarks.WindowCategory)]
    public Task<ContextWindow> BuildContextWithoutRecall() => Builder.BuildAsync(_sessionId, NoRecall);

    private PostgreSqlSessionStore Store => _store ?? throw NotSetUp();

    private ContextBuilder Builder => _builder ?? throw NotSetUp();

    private static InvalidOperationException NotSetUp() => new($"{nameof(SetupAsync)} has not run.");
}
