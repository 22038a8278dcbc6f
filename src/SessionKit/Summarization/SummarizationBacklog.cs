using System.Threading.Channels;

namespace SessionKit;

/// <summary>
/// Sessions whose summarization backlog a build could not finish within <see cref="ContextOptions.MaxSummarizationsPerBuild"/>,
/// waiting to be drained off the request path (by the hosted background summarizer of <c>SessionKit.Hosting</c>, or by your
/// own worker calling <see cref="IContextBuilder.CatchUpAsync"/>). A session is queued once until it is taken; the queue is
/// bounded, and a session that does not fit is simply reported again by a later build.
/// </summary>
public sealed class SummarizationBacklog
{
    private readonly Channel<(Guid SessionId, int TokenBudget)> _queue;
    private readonly Dictionary<Guid, int> _pending = [];
    private readonly Lock _gate = new();
    private TaskCompletionSource _idle = NewIdle(completed: true);
    private int _inProgress;

    /// <summary>Creates a queue holding at most <paramref name="capacity"/> sessions.</summary>
    /// <param name="capacity">The most sessions waiting at once (at least 1; default 1,024).</param>
    public SummarizationBacklog(int capacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _queue = Channel.CreateUnbounded<(Guid, int)>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    }

    /// <summary>The most sessions waiting at once.</summary>
    public int Capacity { get; }

    /// <summary>How many sessions are waiting or being drained.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count + _inProgress;
            }
        }
    }

    /// <summary>Queues a session to be drained at <paramref name="tokenBudget"/> (the largest budget asked for wins while it waits).</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="tokenBudget">The budget its builds use (at least 1).</param>
    /// <returns><see langword="true"/> when queued or already waiting; <see langword="false"/> when the queue is full.</returns>
    public bool TryAdd(Guid sessionId, int tokenBudget)
    {
        if (sessionId == Guid.Empty)
        {
            throw new ArgumentException("The session id must not be Guid.Empty.", nameof(sessionId));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(tokenBudget, 1);
        lock (_gate)
        {
            if (_pending.TryGetValue(sessionId, out int waiting))
            {
                _pending[sessionId] = Math.Max(waiting, tokenBudget);
                return true;
            }

            if (_pending.Count >= Capacity)
            {
                return false;
            }

            _pending[sessionId] = tokenBudget;
            if (_idle.Task.IsCompleted)
            {
                _idle = NewIdle(completed: false);
            }
        }

        return _queue.Writer.TryWrite((sessionId, tokenBudget));
    }

    /// <summary>Waits for the next session to drain and marks it in progress; call <see cref="Complete"/> when done with it.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The session and the budget to drain it at.</returns>
    public async ValueTask<(Guid SessionId, int TokenBudget)> TakeAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var (sessionId, _) = await _queue.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                if (_pending.Remove(sessionId, out int budget))
                {
                    _inProgress++;
                    return (sessionId, budget);
                }
            }
        }
    }

    /// <summary>Marks a session taken with <see cref="TakeAsync"/> as done (drained, or failed and left for a later build to report).</summary>
    public void Complete()
    {
        lock (_gate)
        {
            if (_inProgress == 0)
            {
                throw new InvalidOperationException("No session taken from the backlog is in progress.");
            }

            _inProgress--;
            if (_inProgress == 0 && _pending.Count == 0)
            {
                _idle.TrySetResult();
            }
        }
    }

    /// <summary>Completes when no session is waiting or being drained (for example, before a command-line import exits).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the backlog is empty.</returns>
    public Task WhenIdleAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return _idle.Task.WaitAsync(cancellationToken);
        }
    }

    private static TaskCompletionSource NewIdle(bool completed)
    {
        var idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed)
        {
            idle.SetResult();
        }

        return idle;
    }
}
