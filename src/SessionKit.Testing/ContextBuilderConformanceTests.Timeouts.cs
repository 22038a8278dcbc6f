using NUnit.Framework;

namespace SessionKit.Testing;

// A summarizer that ignores its cancellation token must not hold a build past ContextOptions.SummarizerTimeout.
public abstract partial class ContextBuilderConformanceTests
{
    [Test]
    public async Task ASummarizerThatIgnoresCancellation_TimesOut_AndTheBuildFallsBack()
    {
        var session = await _store.CreateSessionAsync("ada");
        await AppendConversationAsync(session.Id, turns: 30, seed: 6);
        var deaf = new DeafSummarizer();
        var builder = Builder(deaf, new ContextOptions { SummarizerTimeout = TimeSpan.FromSeconds(5) });

        var build = builder.BuildAsync(session.Id, new ContextRequest { TokenBudget = 1200 });
        await deaf.Entered.Task;
        _time.Advance(TimeSpan.FromSeconds(5));
        // A guard against hanging the test run, not a timing assertion: the fake clock alone must release the build.
        var window = await build.WaitAsync(TimeSpan.FromMinutes(1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(window.UsedFallback, Is.True);
            Assert.That(window.FallbackReason, Does.Contain("timed out"));
            Assert.That(deaf.Calls, Is.EqualTo(1), "a timed-out summarizer is not called again in the same build");
            Assert.That(window.Items[^1].Sequences.To, Is.EqualTo(60), "the fallback window keeps the newest messages");
        }

        AssertWithinBudgetByRecount(window);
        Assert.That(await _store.GetSummariesAsync(session.Id), Is.Empty);
    }

    [Test]
    public async Task ASummarizerThatIgnoresCancellation_TimesOut_EvenWhenTheClockPassesTheDeadlineBeforeTheCallReturns()
    {
        // The clock reaches the deadline while the summarizer is still inside its call (a stalled thread, or a test
        // advancing a fake clock as soon as the call starts): the build must still stop waiting, not start a new timer.
        var session = await _store.CreateSessionAsync("ada");
        await AppendConversationAsync(session.Id, turns: 30, seed: 6);
        var deaf = new DeafSummarizer(onCall: () => _time.Advance(TimeSpan.FromSeconds(5)));
        var builder = Builder(deaf, new ContextOptions { SummarizerTimeout = TimeSpan.FromSeconds(5) });

        // A guard against hanging the test run, not a timing assertion: nothing else will move the fake clock.
        var window = await builder.BuildAsync(session.Id, new ContextRequest { TokenBudget = 1200 }).WaitAsync(TimeSpan.FromMinutes(1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(window.UsedFallback, Is.True);
            Assert.That(window.FallbackReason, Does.Contain("timed out"));
            Assert.That(deaf.Calls, Is.EqualTo(1));
        }

        AssertWithinBudgetByRecount(window);
    }

    [Test]
    public async Task ASummarizerThatIgnoresCancellation_DoesNotHoldTheCallersCancellation()
    {
        var session = await _store.CreateSessionAsync("ada");
        await AppendConversationAsync(session.Id, turns: 30, seed: 6);
        var deaf = new DeafSummarizer();
        using var cts = new CancellationTokenSource();

        var build = Builder(deaf).BuildAsync(session.Id, new ContextRequest { TokenBudget = 1200 }, cts.Token);
        await deaf.Entered.Task;
        await cts.CancelAsync();

        Assert.That(async () => await build.WaitAsync(TimeSpan.FromMinutes(1)), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task AnAbandonedSummarizerCall_ThatFailsLater_IsObserved()
    {
        var session = await _store.CreateSessionAsync("ada");
        await AppendConversationAsync(session.Id, turns: 30, seed: 6);
        var unobserved = new List<Exception>();
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
        {
            if (e.Exception.InnerExceptions.Any(x => x.Message == DeafSummarizer.LateFailure))
            {
                lock (unobserved)
                {
                    unobserved.Add(e.Exception);
                }
            }
        }

        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            await BuildWithADeafSummarizerThenFailItAsync(session.Id);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }

        Assert.That(unobserved, Is.Empty);
    }

    // Kept out of the test method so no local keeps the abandoned task alive through the collection.
    private async Task BuildWithADeafSummarizerThenFailItAsync(Guid sessionId)
    {
        var deaf = new DeafSummarizer();
        var build = Builder(deaf, new ContextOptions { SummarizerTimeout = TimeSpan.FromSeconds(5) }).BuildAsync(sessionId, new ContextRequest { TokenBudget = 1200 });
        await deaf.Entered.Task;
        _time.Advance(TimeSpan.FromSeconds(5));
        var window = await build.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.That(window.UsedFallback, Is.True);
        deaf.FailNow();
    }

    /// <summary>Never completes on its own and ignores its cancellation token.</summary>
    private sealed class DeafSummarizer(Action? onCall = null) : ISummarizer
    {
        public const string LateFailure = "the deaf summarizer failed after being abandoned";

        private TaskCompletionSource<SummarizationResult>? _pending;

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Calls { get; private set; }

        public string Id => "deaf/1";

        public Task<SummarizationResult> SummarizeAsync(SummarizationRequest request, CancellationToken cancellationToken = default)
        {
            Calls++;
            _pending = new TaskCompletionSource<SummarizationResult>();
            Entered.TrySetResult();
            onCall?.Invoke();
            return _pending.Task;
        }

        public void FailNow()
        {
            _pending?.SetException(new InvalidOperationException(LateFailure));
            _pending = null;
        }
    }
}
