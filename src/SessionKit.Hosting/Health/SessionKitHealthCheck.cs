using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SessionKit.Hosting;

/// <summary>
/// Reports whether SessionKit can serve requests: the store answers a cheap read (a primary-key lookup of a session that does
/// not exist) within the timeout, and, when asked to, the summarizer answers a short synthetic request. The description names
/// what failed (store or summarizer, its type, the exception's type); it never carries content, ids, connection strings or keys.
/// </summary>
public sealed class SessionKitHealthCheck : IHealthCheck
{
    // A fixed, never-issued session id: the lookup reads an index and returns nothing, on every backend.
    private static readonly Guid ProbeSessionId = new("00000000-0000-7000-8000-5e55101c4ec6");

    private readonly ISessionStore _store;
    private readonly ISummarizer? _summarizer;
    private readonly SessionKitHealthCheckOptions _options;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the check.</summary>
    /// <param name="store">The store to probe.</param>
    /// <param name="summarizer">The summarizer to probe when <see cref="SessionKitHealthCheckOptions.ProbeSummarizer"/> is set; <see langword="null"/> for none.</param>
    /// <param name="options">Timeout and what to probe; <see langword="null"/> for the defaults. Copied.</param>
    /// <param name="timeProvider">The clock of the timeout; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public SessionKitHealthCheck(ISessionStore store, ISummarizer? summarizer = null, SessionKitHealthCheckOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        options = options?.Copy() ?? new SessionKitHealthCheckOptions();
        var failures = options.Validate();
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        _store = store;
        _summarizer = summarizer;
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failureStatus = context?.Registration?.FailureStatus ?? _options.FailureStatus;
        var storeName = _store.GetType().Name;
        long started = _timeProvider.GetTimestamp();
        var data = new Dictionary<string, object> { ["store"] = storeName };

        var storeFailure = await ProbeAsync(token => _store.FindSessionAsync(ProbeSessionId, token), cancellationToken).ConfigureAwait(false);
        data["store.duration_ms"] = Math.Round(_timeProvider.GetElapsedTime(started).TotalMilliseconds, 1);
        if (storeFailure is not null)
        {
            return new HealthCheckResult(failureStatus, $"The SessionKit store ({storeName}) {Describe(storeFailure)}.", storeFailure as Exception, data);
        }

        if (_options.ProbeSummarizer && _summarizer is { } summarizer and not ExtractiveSummarizer)
        {
            data["summarizer"] = summarizer.Id;
            var summarizerFailure = await ProbeAsync(token => summarizer.SummarizeAsync(ProbeRequest(), token), cancellationToken).ConfigureAwait(false);
            if (summarizerFailure is not null)
            {
                return HealthCheckResult.Degraded(
                    $"The SessionKit store ({storeName}) answered, but the summarizer '{summarizer.Id}' {Describe(summarizerFailure)}; context builds fall back to verbatim messages.",
                    summarizerFailure as Exception,
                    data);
            }
        }

        return HealthCheckResult.Healthy($"The SessionKit store ({storeName}) answered.", data);
    }

    private static string Describe(object failure) => failure switch
    {
        TimeSpan timeout => $"did not answer within {timeout}",
        Exception ex => $"failed ({ex.GetType().Name})",
        _ => "failed",
    };

    private static SummarizationRequest ProbeRequest()
    {
        var now = DateTimeOffset.UnixEpoch;
        return new SummarizationRequest
        {
            TargetTokens = 16,
            Messages =
            [
                new SessionMessage { Id = ProbeSessionId, SessionId = ProbeSessionId, Sequence = 1, Role = MessageRole.User, Content = "Health check: please confirm the meeting is on Monday.", CreatedAt = now },
                new SessionMessage { Id = ProbeSessionId, SessionId = ProbeSessionId, Sequence = 2, Role = MessageRole.Assistant, Content = "Confirmed: the meeting is on Monday.", CreatedAt = now },
            ],
        };
    }

    /// <summary>Runs one probe within the timeout; returns <see langword="null"/> on success, the exception, or the timeout that passed.</summary>
    private async Task<object?> ProbeAsync<T>(Func<CancellationToken, Task<T>> probe, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.Timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            // Wait on the timeout's own token (its timer started before the probe): a probe that ignores its token still
            // ends the check on time, and no second timer can be registered after the clock has passed the deadline.
            await probe(linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is TimeoutException || (ex is OperationCanceledException && timeout.IsCancellationRequested))
        {
            return _options.Timeout;
        }
#pragma warning disable CA1031 // Any failure of the probed component is the health result, not an exception of the check.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Debug.Assert(ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested, "Caller cancellation propagates.");
            return ex;
        }
    }
}
