using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace SessionKit.Hosting.Tests;

/// <summary>
/// Spans and metrics as OpenTelemetry's in-memory exporter receives them: names, kinds, database attributes, error status,
/// instruments and their units, and that no tag anywhere carries content, user text or user ids.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class TelemetryTests
{
    // Planted in content, the user id, the system prompt and the query; none may appear in any tag, event or metric attribute.
    private const string UserId = "user-7f3a9-private";
    private const string SecretWord = "plumbago";
    private const string SystemPrompt = "You are hushhush, a careful assistant.";
    private const string RecallWord = "zeppelin";

    private readonly List<Activity> _spans = [];
    private readonly List<MetricSnapshot> _metrics = [];
    private TracerProvider _tracing = null!;
    private MeterProvider _meters = null!;
    private string _folder = null!;

    [SetUp]
    public void SetUp()
    {
        _spans.Clear();
        _metrics.Clear();
        _tracing = Sdk.CreateTracerProviderBuilder().AddSource("SessionKit").AddInMemoryExporter(_spans).Build()!;
        _meters = Sdk.CreateMeterProviderBuilder().AddMeter("SessionKit").AddInMemoryExporter(_metrics).Build()!;
        _folder = Directory.CreateTempSubdirectory("sessionkit-telemetry-").FullName;
    }

    [TearDown]
    public void TearDown()
    {
        _tracing.Dispose();
        _meters.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Test]
    public async Task StoreOperations_OnSqlite_AreClientSpansWithDatabaseAttributes()
    {
        await using var services = Services(sqlite: true);
        var store = services.GetRequiredService<ISessionStore>();

        var session = await store.CreateSessionAsync(UserId);
        await store.AppendMessagesAsync(session.Id, [new NewMessage(MessageRole.User, $"The {SecretWord} is blue.")]);
        await store.GetLastMessagesAsync(session.Id, 10);
        await store.SearchAsync(UserId, new SearchQuery { Text = SecretWord });

        _tracing.ForceFlush();
        var append = Single("append messages");
        Assert.Multiple(() =>
        {
            Assert.That(SpanNames(), Is.SupersetOf(new[] { "create sessions", "append messages", "read_last messages", "search messages" }));
            Assert.That(append.Kind, Is.EqualTo(ActivityKind.Client));
            Assert.That(append.GetTagItem("db.system.name"), Is.EqualTo("sqlite"));
            Assert.That(append.GetTagItem("db.operation.name"), Is.EqualTo("append"));
            Assert.That(append.GetTagItem("db.collection.name"), Is.EqualTo("messages"));
            Assert.That(append.GetTagItem("sessionkit.session.id"), Is.EqualTo(session.Id.ToString()));
            Assert.That(append.GetTagItem("sessionkit.messages.count"), Is.EqualTo(1));
            Assert.That(append.Status, Is.EqualTo(ActivityStatusCode.Unset));
            Assert.That(Single("read_last messages").GetTagItem("db.response.returned_rows"), Is.EqualTo(1));
            Assert.That(Single("search messages").GetTagItem("db.response.returned_rows"), Is.EqualTo(1));
            Assert.That(Single("search messages").GetTagItem("db.operation.name"), Is.EqualTo("search"));
        });
    }

    [Test]
    public async Task StoreOperations_InMemory_ReportTheDocumentedSystemName()
    {
        await using var services = Services(sqlite: false);
        var store = services.GetRequiredService<ISessionStore>();

        await store.CreateSessionAsync(UserId);

        _tracing.ForceFlush();
        Assert.That(Single("create sessions").GetTagItem("db.system.name"), Is.EqualTo("sessionkit.in_memory"));
    }

    [Test]
    public async Task StoreSpan_DoesNotLeakIntoTheCallersContext()
    {
        await using var services = Services(sqlite: false);
        var store = services.GetRequiredService<ISessionStore>();
        using var parent = new ActivitySource("SessionKit").StartActivity("caller");

        var session = await store.CreateSessionAsync(UserId);
        var afterCall = Activity.Current;
        await store.GetSessionAsync(session.Id);

        _tracing.ForceFlush();
        Assert.Multiple(() =>
        {
            Assert.That(afterCall, Is.SameAs(parent), "After a store call the caller's span is current again.");
            Assert.That(Single("create sessions").ParentSpanId, Is.EqualTo(parent!.SpanId));
            Assert.That(Single("get sessions").ParentSpanId, Is.EqualTo(parent.SpanId), "The next call is a sibling, not a child of the previous one.");
        });
    }

    [Test]
    public async Task FailedStoreOperation_HasErrorStatusAnExceptionEventAndErrorType()
    {
        await using var services = Services(sqlite: true);
        var store = services.GetRequiredService<ISessionStore>();

        Assert.ThrowsAsync<SessionNotFoundException>(() => store.AppendMessagesAsync(Guid.CreateVersion7(), [new NewMessage(MessageRole.User, SecretWord)]));

        _tracing.ForceFlush();
        _meters.ForceFlush();
        var append = Single("append messages");
        var exception = append.Events.Single(e => e.Name == "exception");
        Assert.Multiple(() =>
        {
            Assert.That(append.Status, Is.EqualTo(ActivityStatusCode.Error));
            Assert.That(append.GetTagItem("error.type"), Is.EqualTo(typeof(SessionNotFoundException).FullName));
            Assert.That(exception.Tags.Single(t => t.Key == "exception.type").Value, Is.EqualTo(typeof(SessionNotFoundException).FullName));
            Assert.That(Points("db.client.operation.duration").Any(p => Tag(p, "error.type") is string type && type == typeof(SessionNotFoundException).FullName), Is.True);
            Assert.That(Sum("sessionkit.messages.appended"), Is.Zero, "A failed append appends nothing.");
        });
    }

    [Test]
    public async Task ContextBuild_Summarize_Sweep_AndChat_EmitSpansAndMetrics()
    {
        await using var services = Services(sqlite: true, o => o.Retention.IdleTimeout = TimeSpan.FromDays(30));
        var store = services.GetRequiredService<ISessionStore>();
        var session = await SeedAsync(store);

        var window = await services.GetRequiredService<IContextBuilder>().BuildAsync(
            session.Id, new ContextRequest { TokenBudget = 600, SystemPrompt = SystemPrompt, Query = RecallWord });
        await services.GetRequiredService<ISessionSweeper>().SweepAsync();
        using var chat = new ChatClientBuilder(new EchoChatClient())
            .UseSessionKitTrusted(store, services.GetRequiredService<IContextBuilder>(), services.GetRequiredService<ITokenCounter>(), o => o.TokenBudget = 600)
            .Build(services);
        await chat.GetResponseAsync([new ChatMessage(ChatRole.System, SystemPrompt), new ChatMessage(ChatRole.User, $"And the {SecretWord}?")], new ChatOptions { ConversationId = session.Id.ToString() });

        _tracing.ForceFlush();
        _meters.ForceFlush();
        var builds = _spans.Where(s => s.DisplayName == "sessionkit.context.build").ToList();
        var build = builds[0];
        int recalled = window.Items.Count(i => i.Kind == ContextItemKind.Recalled);
        Assert.Multiple(() =>
        {
            Assert.That(window.SummariesCreated, Is.GreaterThan(0), "The scenario summarizes.");
            Assert.That(recalled, Is.GreaterThan(0), "The scenario recalls.");
            Assert.That(SpanNames(), Is.SupersetOf(new[] { "sessionkit.context.build", "sessionkit.summarize", "sessionkit.sweep", "sessionkit.chat" }));
            Assert.That(build.Kind, Is.EqualTo(ActivityKind.Internal));
            Assert.That(build.GetTagItem("sessionkit.context.budget"), Is.EqualTo(600));
            Assert.That(build.GetTagItem("sessionkit.context.tokens"), Is.EqualTo(window.TotalTokens));
            Assert.That(build.GetTagItem("sessionkit.context.recalled"), Is.EqualTo(recalled));
            Assert.That(_spans.First(s => s.DisplayName == "sessionkit.summarize").GetTagItem("sessionkit.summarizer.id"), Is.EqualTo("extractive/2"));
            Assert.That(_spans.Where(s => s.DisplayName == "save summaries").Select(s => s.ParentSpanId), Has.Some.EqualTo(build.SpanId), "Store spans nest under the build.");
            Assert.That(_spans.Single(s => s.DisplayName == "sessionkit.chat").GetTagItem("sessionkit.session.id"), Is.EqualTo(session.Id.ToString()));

            Assert.That(Unit("db.client.operation.duration"), Is.EqualTo("s"));
            Assert.That(Unit("sessionkit.operation.duration"), Is.EqualTo("s"));
            Assert.That(Points("sessionkit.operation.duration").Select(p => Tag(p, "sessionkit.operation")), Is.SupersetOf(new[] { "context.build", "summarize", "sweep", "chat" }));
            Assert.That(Sum("sessionkit.messages.appended"), Is.EqualTo(42), "40 seeded + the chat turn and its reply.");
            Assert.That(Sum("sessionkit.summarizer.calls"), Is.EqualTo(window.SummariesCreated + SummariesMadeByChat()));
            Assert.That(Sum("sessionkit.summarizer.failures"), Is.Zero);
            Assert.That(Sum("sessionkit.recall.hits"), Is.GreaterThanOrEqualTo(recalled));
            Assert.That(builds, Has.Count.GreaterThanOrEqualTo(2), "The direct build and the chat's.");
            Assert.That(HistogramSum("sessionkit.context.budget"), Is.EqualTo(builds.Sum(b => (int)b.GetTagItem("sessionkit.context.budget")!)));
            Assert.That(HistogramSum("sessionkit.context.tokens"), Is.EqualTo(builds.Sum(b => (int)b.GetTagItem("sessionkit.context.tokens")!)));
            Assert.That(HistogramSum("sessionkit.context.tokens"), Is.LessThanOrEqualTo(HistogramSum("sessionkit.context.budget")));
            Assert.That(Unit("sessionkit.context.utilization"), Is.EqualTo("1"));
        });
    }

    [Test]
    public async Task FailingSummarizer_IsCountedAndItsSpanFails_WhileTheBuildSucceeds()
    {
        await using var services = Services(sqlite: false, configureBuilder: b => b.UseSummarizer(new ThrowingSummarizer()));
        var store = services.GetRequiredService<ISessionStore>();
        var session = await SeedAsync(store);

        await services.GetRequiredService<IContextBuilder>().BuildAsync(session.Id, new ContextRequest { TokenBudget = 600 });

        _tracing.ForceFlush();
        _meters.ForceFlush();
        var summarize = _spans.First(s => s.DisplayName == "sessionkit.summarize");
        Assert.Multiple(() =>
        {
            Assert.That(summarize.Status, Is.EqualTo(ActivityStatusCode.Error));
            Assert.That(summarize.GetTagItem("error.type"), Is.EqualTo(typeof(InvalidOperationException).FullName));
            Assert.That(summarize.Events.Select(e => e.Name), Does.Contain("exception"));
            Assert.That(_spans.First(s => s.DisplayName == "sessionkit.context.build").Status, Is.Not.EqualTo(ActivityStatusCode.Error), "The build fell back.");
            Assert.That(Sum("sessionkit.summarizer.failures"), Is.GreaterThan(0));
            Assert.That(Sum("sessionkit.summarizer.failures"), Is.EqualTo(Sum("sessionkit.summarizer.calls")));
            Assert.That(Points("sessionkit.summarizer.failures").Select(p => Tag(p, "sessionkit.summarizer.id")), Has.All.EqualTo("test/throwing"));
        });
    }

    [Test]
    public async Task NoSpanTagEventOrMetricAttribute_CarriesContentUserTextOrTheUserId()
    {
        await using var services = Services(sqlite: true, o => o.Retention.IdleTimeout = TimeSpan.FromDays(30));
        var store = services.GetRequiredService<ISessionStore>();
        var session = await SeedAsync(store);
        await services.GetRequiredService<IContextBuilder>().BuildAsync(session.Id, new ContextRequest { TokenBudget = 600, SystemPrompt = SystemPrompt, Query = RecallWord });
        await store.SearchAsync(UserId, new SearchQuery { Text = $"{SecretWord} {RecallWord}" });
        await store.ListSessionsAsync(UserId);
        Assert.ThrowsAsync<SessionNotFoundException>(() => store.AppendMessagesAsync(Guid.CreateVersion7(), [new NewMessage(MessageRole.User, SecretWord)]));
        using var chat = new ChatClientBuilder(new EchoChatClient())
            .UseSessionKitTrusted(store, services.GetRequiredService<IContextBuilder>(), services.GetRequiredService<ITokenCounter>(), o => o.TokenBudget = 600)
            .Build(services);
        await chat.GetResponseAsync([new ChatMessage(ChatRole.System, SystemPrompt), new ChatMessage(ChatRole.User, SecretWord)], new ChatOptions { ConversationId = session.Id.ToString() });
        await foreach (var _ in chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, SecretWord)], new ChatOptions { ConversationId = session.Id.ToString() }))
        {
        }

        _tracing.ForceFlush();
        _meters.ForceFlush();
        var values = _spans.SelectMany(s => s.TagObjects.Select(t => t.Value)
                .Concat(s.Events.SelectMany(e => e.Tags.Select(t => t.Value)))
                .Append(s.DisplayName)
                .Append(s.StatusDescription))
            .Concat(_metrics.SelectMany(m => m.MetricPoints.SelectMany(p => Tags(p).Select(t => t.Value))))
            .Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "")
            .ToList();
        Assert.Multiple(() =>
        {
            Assert.That(_spans, Has.Count.GreaterThan(20), "The scenario produced spans to check.");
            foreach (var planted in new[] { SecretWord, RecallWord, "hushhush", UserId, "carbon" })
            {
                Assert.That(values.Where(v => v.Contains(planted, StringComparison.OrdinalIgnoreCase)), Is.Empty, $"'{planted}' appears in telemetry.");
            }
        });
    }

    [Test]
    public async Task Metrics_ComeFromTheContainersMeterFactory()
    {
        await using var services = Services(sqlite: false);
        var factory = services.GetRequiredService<IMeterFactory>();
        var scopes = new List<object?>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "SessionKit" && instrument.Name == "db.client.operation.duration")
                {
                    lock (scopes)
                    {
                        scopes.Add(instrument.Meter.Scope);
                    }
                }
            },
        };
        listener.Start();

        await services.GetRequiredService<ISessionStore>().CreateSessionAsync(UserId);

        Assert.That(scopes, Does.Contain(factory), "The store's instruments live on a meter the container's IMeterFactory created.");
    }

    private ServiceProvider Services(bool sqlite, Action<SessionKitOptions>? configure = null, Action<ISessionKitBuilder>? configureBuilder = null)
    {
        var services = new ServiceCollection();
        services.AddMetrics();
        var builder = services.AddSessionKit(configure);
        if (sqlite)
        {
            builder.UseSqlite($"Data Source={Path.Combine(_folder, $"{Guid.NewGuid():N}.db")}");
        }
        else
        {
            builder.UseInMemory();
        }

        configureBuilder?.Invoke(builder);
        return services.BuildServiceProvider();
    }

    // Forty turns of ~40 tokens: more than a 600-token window holds, so older blocks are summarized; turn 3 holds the recall word.
    private static async Task<Session> SeedAsync(ISessionStore store)
    {
        var session = await store.CreateSessionAsync(UserId);
        var messages = Enumerable.Range(1, 40).Select(i => new NewMessage(
            i % 2 == 1 ? MessageRole.User : MessageRole.Assistant,
            i == 3
                ? $"The {RecallWord} carried {SecretWord} seeds across the carbon sea for the whole of turn {i}."
                : $"Turn {i}: we discussed the {SecretWord} garden, the carbon cycle in soil, and how long seeds keep in a dry cellar.")).ToList();
        await store.AppendMessagesAsync(session.Id, messages);
        return session;
    }

    private List<string> SpanNames() => _spans.Select(s => s.DisplayName).ToList();

    private Activity Single(string name) => _spans.Single(s => s.DisplayName == name);

    private string? Unit(string name) => _metrics.Last(m => m.Name == name).Unit;

    private List<MetricPoint> Points(string name) =>
        _metrics.Where(m => m.Name == name).SelectMany(m => m.MetricPoints).ToList();

    private long Sum(string name) => _metrics.LastOrDefault(m => m.Name == name)?.MetricPoints.Sum(p => p.GetSumLong()) ?? 0;

    private double HistogramSum(string name) => _metrics.Last(m => m.Name == name).MetricPoints.Sum(p => p.GetHistogramSum());

    private int SummariesMadeByChat() =>
        _spans.Where(s => s.DisplayName == "sessionkit.context.build").Skip(1).Sum(s => (int)(s.GetTagItem("sessionkit.context.summaries_created") ?? 0));

    private static object? Tag(MetricPoint point, string key) => Tags(point).FirstOrDefault(t => t.Key == key).Value;

    private static List<KeyValuePair<string, object?>> Tags(MetricPoint point)
    {
        var tags = new List<KeyValuePair<string, object?>>();
        foreach (var tag in point.Tags)
        {
            tags.Add(tag);
        }

        return tags;
    }

    private sealed class ThrowingSummarizer : ISummarizer
    {
        public string Id => "test/throwing";

        public Task<SummarizationResult> SummarizeAsync(SummarizationRequest request, CancellationToken cancellationToken = default) =>
            Task.FromException<SummarizationResult>(new InvalidOperationException("The model is down."));
    }

    private sealed class EchoChatClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, $"The {SecretWord} answer.")));

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, $"The {SecretWord} ");
            yield return new ChatResponseUpdate(ChatRole.Assistant, "answer.");
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
