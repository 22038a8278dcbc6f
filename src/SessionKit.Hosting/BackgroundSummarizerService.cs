using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SessionKit.Hosting;

/// <summary>
/// A hosted background service that drains summarization backlogs off the request path: a build that stops at
/// <see cref="ContextOptions.MaxSummarizationsPerBuild"/> with summarizing still to do (after an import, say) reports its
/// session to the <see cref="SummarizationBacklog"/>, and this service calls <see cref="IContextBuilder.CatchUpAsync"/> for
/// it, one session at a time, so the user's request never waits for more than the configured work. A failed drain is logged
/// and left for a later build to report again; it never stops the host.
/// </summary>
public sealed partial class BackgroundSummarizerService : BackgroundService
{
    private readonly SummarizationBacklog _backlog;
    private readonly IContextBuilder _contextBuilder;
    private readonly ILogger _logger;

    /// <summary>Creates the service.</summary>
    /// <param name="backlog">The queue builds report backlogs to.</param>
    /// <param name="contextBuilder">The (trusted) builder that drains them.</param>
    /// <param name="logger">Receives counts and failures (never content); <see langword="null"/> for none.</param>
    public BackgroundSummarizerService(SummarizationBacklog backlog, IContextBuilder contextBuilder, ILogger<BackgroundSummarizerService>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(backlog);
        ArgumentNullException.ThrowIfNull(contextBuilder);
        _backlog = backlog;
        _contextBuilder = contextBuilder;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                var (sessionId, tokenBudget) = await _backlog.TakeAsync(stoppingToken).ConfigureAwait(false);
                try
                {
                    int created = await _contextBuilder.CatchUpAsync(sessionId, tokenBudget, stoppingToken).ConfigureAwait(false);
                    LogDrained(_logger, sessionId, created);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    throw;
                }
#pragma warning disable CA1031 // A background drain must survive any failure (a deleted session, a model outage); a later build reports the session again.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LogDrainFailed(_logger, sessionId, ex);
                }
                finally
                {
                    _backlog.Complete();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Summarization backlog of session {SessionId} drained: {Created} summaries created.")]
    private static partial void LogDrained(ILogger logger, Guid sessionId, int created);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "Draining the summarization backlog of session {SessionId} failed; a later build reports it again.")]
    private static partial void LogDrainFailed(ILogger logger, Guid sessionId, Exception exception);
}
