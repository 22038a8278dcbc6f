using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace SessionKit.Hosting;

/// <summary>
/// A hosted background service that calls <see cref="ISessionSweeper.SweepAsync"/> every
/// <see cref="SessionSweeperServiceOptions.Interval"/>, on the host's <see cref="TimeProvider"/>. A failed sweep is logged
/// and retried at the next tick; it never stops the host. When no retention policy is configured the service does nothing
/// and logs so once (see <see cref="SessionSweeperServiceOptions.SweepWithoutRetentionPolicy"/>).
/// </summary>
public sealed partial class SessionSweeperService : BackgroundService
{
    private readonly ISessionSweeper _sweeper;
    private readonly SessionSweeperServiceOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SessionExpiryPolicy? _policy;
    private PeriodicTimer? _timer;

    /// <summary>Creates the service.</summary>
    /// <param name="sweeper">The sweeper to run.</param>
    /// <param name="options">The schedule.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Receives sweep counts and failures (never content); <see langword="null"/> for none.</param>
    /// <param name="policy">
    /// The retention policy the sweeper applies; when it configures nothing (<see cref="SessionExpiryPolicy.HasRetentionPolicy"/>
    /// is <see langword="false"/>) the service does not sweep unless <see cref="SessionSweeperServiceOptions.SweepWithoutRetentionPolicy"/>
    /// is set. <see langword="null"/> to sweep regardless (a custom <paramref name="sweeper"/> decides alone).
    /// </param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public SessionSweeperService(
        ISessionSweeper sweeper,
        IOptions<SessionSweeperServiceOptions> options,
        TimeProvider? timeProvider = null,
        ILogger<SessionSweeperService>? logger = null,
        SessionExpiryPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(sweeper);
        ArgumentNullException.ThrowIfNull(options);
        var failures = options.Value.Validate();
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        _sweeper = sweeper;
        _options = options.Value;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _policy = policy;
    }

    /// <summary>Whether this service sweeps at all: <see langword="false"/> when no retention policy is configured and sweeping without one is off.</summary>
    public bool IsSweeping => _options.SweepWithoutRetentionPolicy || _policy is null || _policy.HasRetentionPolicy;

    /// <inheritdoc />
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Since .NET 10, BackgroundService runs ExecuteAsync on the thread pool, so StartAsync can return before ExecuteAsync
        // has begun. The timer must exist when StartAsync returns: a timer created later would count its first interval
        // from a clock that has already moved, and a tick in between would be lost.
        if (IsSweeping)
        {
            _timer ??= new PeriodicTimer(_options.Interval, _timeProvider);
        }

        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _timer?.Dispose();
        base.Dispose();
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_timer is not { } timer)
        {
            LogNoRetentionPolicy(_logger);
            return;
        }

        try
        {
            if (_options.SweepOnStart)
            {
                await SweepOnceAsync(stoppingToken).ConfigureAwait(false);
            }

            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await SweepOnceAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    private async Task SweepOnceAsync(CancellationToken stoppingToken)
    {
        try
        {
            var result = await _sweeper.SweepAsync(_options.Sweep, stoppingToken).ConfigureAwait(false);
            LogSwept(_logger, result.SessionsScanned, result.SessionsExpired, result.MessagesDeleted, result.SummariesDeleted);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A background sweep must survive any failure and try again at the next tick.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogSweepFailed(_logger, ex);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Retention sweep: {Scanned} sessions scanned, {Expired} expired, {Messages} messages and {Summaries} summaries deleted.")]
    private static partial void LogSwept(ILogger logger, long scanned, long expired, long messages, long summaries);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Retention sweep failed; it runs again at the next interval.")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "The hosted retention sweeper will not run: no retention policy is set (SessionKitOptions.Retention.IdleTimeout, AbsoluteLifetime and MessageRetention are all null). Set one, or set SessionSweeperServiceOptions.SweepWithoutRetentionPolicy to sweep sessions that carry their own overrides.")]
    private static partial void LogNoRetentionPolicy(ILogger logger);
}
