using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using SessionKit.Sqlite;
using SessionKit.Storage;

namespace SessionKit.Benchmarks;

/// <summary>
/// What a 4,000-token context window costs as the history grows, against the floor of reading the rows a window is made
/// from by hand (<see cref="RawWindowRead"/>), and beside what count-and-trim reducers do (read the whole history,
/// re-tokenize every message and keep the newest that fit).
/// </summary>
/// <remarks>
/// <para>
/// <see cref="BuildContext"/> builds without recall (no query, <see cref="ContextRequest.RecallNewestUserMessage"/> off), as
/// a truncating reducer works and as issue 17 measured it; <see cref="BuildContextWithRecall"/> is the default request,
/// which also searches the session for the newest user message.
/// </para>
/// <para>
/// The session's summaries are made and stored in the set-up (as an app does after replying, with
/// <see cref="ContextBuilder.SummarizeAsync(Guid, int, CancellationToken)"/>), so the measured build finds nothing left to summarize; the set-up proves
/// it by building twice and requiring that neither build called the summarizer.
/// </para>
/// <para>
/// The issue's targets: a build over 100,000 messages within 1.5× of one over 1,000 (cost grows with the budget, not the
/// history), and at least 20× faster than the baseline at 10,000. Each benchmark case sets up its own session; at 100,000
/// messages that takes about 20 s on 2 cores (appending with the search index, then summarizing), and a baseline
/// operation over a second, so <see cref="LargeVariable"/>=<c>0</c> leaves that size out for a quicker run.
/// </para>
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(RatioTrendConfig))]
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "BenchmarkDotNet owns the lifecycle: [GlobalCleanup] disposes them.")]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class ContextBuildBenchmarks
{
    /// <summary>A window of <see cref="TokenBudget"/> tokens over one long session.</summary>
    public const string WindowCategory = "Context window, 4000 tokens";

    /// <summary>The budget of every window.</summary>
    public const int TokenBudget = 4000;

    /// <summary>How many messages the set-up appends per call, as an importer would.</summary>
    public const int AppendBatchSize = 500;

    /// <summary>The fewest content tokens of a seeded message.</summary>
    public const int MinMessageTokens = 60;

    /// <summary>The most content tokens of a seeded message.</summary>
    public const int MaxMessageTokens = 120;

    /// <summary>Set to <c>0</c> to leave 100,000 messages out of <see cref="MessageCounts"/>.</summary>
    public const string LargeVariable = "SESSIONKIT_BENCH_LARGE";

    /// <summary>Set to <c>InMemory</c> or <c>Sqlite</c> to run one backend only (<see cref="Backends"/>).</summary>
    public const string BackendVariable = "SESSIONKIT_BENCH_BACKEND";

    /// <summary>
    /// Set to <c>1</c> with <c>--in-process</c> to seed each backend and size once per process: the cases of one size share
    /// the seeded store, which stays open (and its files in place) until the process ends. Seeding 100,000 messages takes
    /// minutes on a busy machine; this runs the 24 cases with 6 seedings instead of 24.
    /// </summary>
    public const string ReuseVariable = "SESSIONKIT_BENCH_REUSE";

    private static readonly Dictionary<(StoreBackend, int), ContextBuildBenchmarks> Seeded = [];

    private const string UserId = "benchmark-user";
    private const string DatabaseFile = "context.db";

    private static readonly ContextRequest Request = new() { TokenBudget = TokenBudget, SummarizeInline = true, RecallNewestUserMessage = false };
    private static readonly ContextRequest RecallRequest = new() { TokenBudget = TokenBudget, SummarizeInline = true };

    private DirectoryInfo? _directory;
    private SessionStore? _store;
    private CountingSummarizer? _summarizer;
    private ContextBuilder? _builder;
    private Guid _sessionId;
    private RawSqliteWindowRead? _raw;
    private SessionMessage[] _allMessages = [];
    private SessionSummary[][] _summariesByLevel = [];

    /// <summary>How many messages the session holds.</summary>
    [ParamsSource(nameof(MessageCounts))]
    public int MessageCount { get; set; } = 1_000;

    /// <summary>The store the session lives in.</summary>
    [ParamsSource(nameof(Backends))]
    public StoreBackend Backend { get; set; }

    /// <summary>What the set-up stored and how long it took, once it has run.</summary>
    public ContextBuildSetup? Setup { get; private set; }

    /// <summary>The summarizer every builder here uses, counting its calls; <see langword="null"/> before the set-up.</summary>
    public CountingSummarizer? Summarizer => _summarizer;

    /// <summary>The temporary folder of the SQLite file while set up, or <see langword="null"/>.</summary>
    public string? DatabaseDirectory => _directory?.FullName;

    /// <summary>The sizes to run: 1,000, 10,000 and 100,000 messages; without 100,000 when <see cref="LargeVariable"/> is <c>0</c>.</summary>
    /// <returns>The message counts, smallest first.</returns>
    public static IEnumerable<int> MessageCounts() =>
        string.Equals(Environment.GetEnvironmentVariable(LargeVariable), "0", StringComparison.Ordinal)
            ? [1_000, 10_000]
            : [1_000, 10_000, 100_000];

    /// <summary>Both backends, in memory first; only one when <see cref="BackendVariable"/> names it.</summary>
    /// <returns>The backends.</returns>
    public static IEnumerable<StoreBackend> Backends() =>
        Enum.TryParse<StoreBackend>(Environment.GetEnvironmentVariable(BackendVariable), ignoreCase: true, out var only)
            ? [only]
            : [StoreBackend.InMemory, StoreBackend.Sqlite];

    private static bool Reuse => string.Equals(Environment.GetEnvironmentVariable(ReuseVariable), "1", StringComparison.Ordinal);

    /// <summary>
    /// Stores one session of <see cref="MessageCount"/> seeded messages and all its summaries, then checks that a build
    /// needs no summarizer call.
    /// </summary>
    /// <returns>A task that completes when the session is ready.</returns>
    [GlobalSetup]
    public async Task SetupAsync()
    {
        if (Reuse && Seeded.TryGetValue((Backend, MessageCount), out var seeded))
        {
            (_directory, _store, _summarizer, _builder, _sessionId, _raw, _allMessages, _summariesByLevel, Setup) =
                (seeded._directory, seeded._store, seeded._summarizer, seeded._builder, seeded._sessionId, seeded._raw, seeded._allMessages, seeded._summariesByLevel, seeded.Setup);
            Console.WriteLine($"// reusing the store seeded by an earlier case of this process: {Setup}");
            return;
        }

        await SeedAsync();
        if (Reuse)
        {
            Seeded[(Backend, MessageCount)] = this;
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                _raw?.Dispose();
                _store?.Dispose();
                _directory?.Delete(recursive: true);
            };
        }
    }

    private async Task SeedAsync()
    {
        var counter = SharpTokenCounter.Default;
        long started = Stopwatch.GetTimestamp();
        var messages = SeededConversation.Create(MessageCount, MinMessageTokens, MaxMessageTokens);
        var generate = Stopwatch.GetElapsedTime(started);

        started = Stopwatch.GetTimestamp();
        _store = CreateStore();
        _sessionId = (await _store.CreateSessionAsync(UserId)).Id;
        long tokens = 0;
        for (int i = 0; i < messages.Length; i += AppendBatchSize)
        {
            var result = await _store.AppendMessagesAsync(_sessionId, messages[i..Math.Min(i + AppendBatchSize, messages.Length)]);
            tokens += result.Messages.Sum(message => (long)message.TokenCount);
        }

        var append = Stopwatch.GetElapsedTime(started);

        started = Stopwatch.GetTimestamp();
        _summarizer = new CountingSummarizer(new ExtractiveSummarizer(counter));
        var summarizeAll = new ContextBuilder(_store, counter, _summarizer, new ContextOptions { MaxSummarizationsPerBuild = int.MaxValue });
        await summarizeAll.SummarizeAsync(_sessionId, TokenBudget);
        var summarize = Stopwatch.GetElapsedTime(started);
        int summarizerCalls = _summarizer.Calls;

        // The measured builder has the default options, as an app's has.
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

        Setup = new ContextBuildSetup(MessageCount, Backend, tokens, await CountSummariesByLevelAsync(), summarizerCalls, generate, append, summarize);
        if (Backend == StoreBackend.Sqlite)
        {
            _raw = new RawSqliteWindowRead(Path.Combine(_directory!.FullName, DatabaseFile), _sessionId);
        }
        else
        {
            _allMessages = await _store.ReadAllMessagesAsync(_sessionId).ToArrayAsync();
            _summariesByLevel = await ReadSummariesByLevelAsync();
        }

        // BenchmarkDotNet shows the benchmark process's output in its log: the set-up time is part of the result.
        Console.WriteLine($"// {Setup}");
    }

    /// <summary>Closes the store and deletes the temporary folder.</summary>
    /// <returns>A task that completes when the files are gone.</returns>
    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (Reuse)
        {
            // Shared with later cases of this process; closed and deleted when the process exits.
            return;
        }

        _raw?.Dispose();
        _raw = null;
        if (_store is not null)
        {
            await _store.DisposeAsync();
            _store = null;
        }

        _directory?.Delete(recursive: true);
        _directory = null;
    }

    /// <summary>
    /// Baseline (the floor): the rows a window of <see cref="TokenBudget"/> is made from, read by hand — on SQLite with
    /// <see cref="RawSqliteWindowRead"/> (prepared statements, one read transaction, on the store's file); in memory by
    /// walking arrays of the session's messages and summaries back from the newest, summing their stored counts.
    /// </summary>
    /// <returns>How many rows were read and the stored tokens they hold.</returns>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory(WindowCategory)]
    public (int Rows, long Tokens) RawWindowRead()
    {
        if (_raw is not null)
        {
            return _raw.Read(TokenBudget);
        }

        int rows = 0;
        long tokens = 0;
        for (int i = _allMessages.Length - 1; i >= 0 && tokens <= TokenBudget; i--, rows++)
        {
            tokens += _allMessages[i].TokenCount;
        }

        foreach (var level in _summariesByLevel)
        {
            long levelTokens = 0;
            for (int i = 0; i < level.Length && levelTokens <= TokenBudget; i++, rows++)
            {
                levelTokens += level[i].TokenCount;
            }

            tokens += levelTokens;
        }

        return (rows, tokens);
    }

    /// <summary>
    /// Read every message (<see cref="ISessionStore.ReadAllMessagesAsync"/>), count each again with
    /// <see cref="SharpTokenCounter.CountMessageTokens"/>, keep the newest that fit <see cref="TokenBudget"/>.
    /// </summary>
    /// <returns>The kept messages and their cost.</returns>
    [Benchmark]
    [BenchmarkCategory(WindowCategory)]
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
        while (start > 0 && total + tokens[start - 1] <= TokenBudget)
        {
            start--;
            total += tokens[start];
        }

        return new NaiveWindow(messages.GetRange(start, messages.Count - start), total);
    }

    /// <summary><see cref="ContextBuilder.BuildAsync"/> at <see cref="TokenBudget"/> without recall, summarizing inline (with nothing left to summarize).</summary>
    /// <returns>The window.</returns>
    [Benchmark]
    [BenchmarkCategory(WindowCategory)]
    public Task<ContextWindow> BuildContext() => Builder.BuildAsync(_sessionId, Request);

    /// <summary><see cref="ContextBuilder.BuildAsync"/> with the default request: as <see cref="BuildContext"/>, plus recall of the newest user message.</summary>
    /// <returns>The window.</returns>
    [Benchmark]
    [BenchmarkCategory(WindowCategory)]
    public Task<ContextWindow> BuildContextWithRecall() => Builder.BuildAsync(_sessionId, RecallRequest);

    private SessionStore Store => _store ?? throw NotSetUp();

    private ContextBuilder Builder => _builder ?? throw NotSetUp();

    private static InvalidOperationException NotSetUp() => new($"{nameof(SetupAsync)} has not run.");

    private SessionStore CreateStore()
    {
        if (Backend == StoreBackend.InMemory)
        {
            return new InMemorySessionStore();
        }

        _directory = Directory.CreateTempSubdirectory("sessionkit-benchmarks-");
        return new SqliteSessionStore(new SqliteSessionStoreOptions
        {
            ConnectionString = Path.Combine(_directory.FullName, DatabaseFile),
            Synchronous = SqliteSynchronousMode.Normal,
        });
    }

    private async Task<SessionSummary[][]> ReadSummariesByLevelAsync()
    {
        var levels = new List<SessionSummary[]>();
        for (int level = 1; ; level++)
        {
            var summaries = new List<SessionSummary>();
            long? cursor = null;
            while (true)
            {
                var page = await Store.GetSummariesAsync(_sessionId, new SummaryQuery { Level = level, ToSequenceAtMost = cursor, Limit = SummaryQuery.MaxLimit });
                summaries.AddRange(page);
                if (page.Count < SummaryQuery.MaxLimit)
                {
                    break;
                }

                cursor = page[^1].FromSequence - 1;
            }

            if (summaries.Count == 0)
            {
                return [.. levels];
            }

            levels.Add([.. summaries]);
        }
    }

    private async Task<int[]> CountSummariesByLevelAsync()
    {
        var counts = new List<int>();
        for (int level = 1; ; level++)
        {
            int count = 0;
            long? cursor = null;
            while (true)
            {
                var page = await Store.GetSummariesAsync(_sessionId, new SummaryQuery { Level = level, ToSequenceAtMost = cursor, Limit = SummaryQuery.MaxLimit });
                count += page.Count;
                if (page.Count < SummaryQuery.MaxLimit)
                {
                    break;
                }

                cursor = page[^1].FromSequence - 1;
            }

            if (count == 0)
            {
                return [.. counts];
            }

            counts.Add(count);
        }
    }
}
