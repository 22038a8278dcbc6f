using Microsoft.Extensions.Logging;
using Npgsql;

namespace SessionKit.PostgreSql;

// The change feed across servers: every logged change is announced with pg_notify on the store's channel (payload "session
// id:version", never content), and each store that has a watcher keeps one connection LISTENing, waking its watchers when a
// notification names their session. A lost connection is reopened; meanwhile watchers poll (ChangePollInterval).
public sealed partial class PostgreSqlSessionStore
{
    private readonly Lock _listenGate = new();
    private CancellationTokenSource? _listenStop;
    private Task? _listenLoop;
    private TaskCompletionSource? _listening;

    /// <summary>Whether this store's listening connection is open and subscribed (for health checks and tests).</summary>
    public bool IsListening => _listening?.Task.IsCompletedSuccessfully == true && _listenLoop is { IsCompleted: false };

    internal static string NotificationPayload(Guid sessionId, long version) =>
        sessionId.ToString("N") + ":" + version.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Starts the listening connection on first use and waits (briefly) until it is subscribed.</summary>
    private async Task EnsureListeningAsync(CancellationToken cancellationToken)
    {
        if (!_options.UseNotifications || IsDisposed)
        {
            return;
        }

        Task ready;
        lock (_listenGate)
        {
            if (_listenLoop is null)
            {
                _listenStop = new CancellationTokenSource();
                _listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _listenLoop = Task.Run(() => ListenAsync(_listenStop.Token), CancellationToken.None);
            }

            ready = _listening!.Task;
        }

        if (ready.IsCompleted)
        {
            return;
        }

        // If the subscription cannot be made (no rights, server gone), watchers still work by polling.
        await Task.WhenAny(ready, Task.Delay(_options.CommandTimeout, TimeProvider, cancellationToken)).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private async Task ListenAsync(CancellationToken stop)
    {
        var retry = TimeSpan.FromMilliseconds(100);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var connection = await _dataSource.OpenConnectionAsync(stop).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    connection.Notification += OnNotification;
                    var listen = new NpgsqlCommand($"LISTEN \"{Channel}\";", connection);
                    await using (listen.ConfigureAwait(false))
                    {
                        await listen.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
                    }

                    _listening!.TrySetResult();
                    retry = TimeSpan.FromMilliseconds(100);
                    while (true)
                    {
                        await connection.WaitAsync(stop).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or System.IO.IOException or TimeoutException or InvalidOperationException)
            {
                LogListenFailed(_logger, Database, ex.GetType().Name, retry.TotalMilliseconds);
                try
                {
                    await Task.Delay(retry, TimeProvider.System, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        string payload = e.Payload;
        int colon = payload.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && Guid.TryParseExact(payload.AsSpan(0, colon), "N", out var sessionId))
        {
            NotifyChanged(sessionId);
        }
    }

    private async Task StopListeningAsync()
    {
        Task? loop;
        CancellationTokenSource? stop;
        lock (_listenGate)
        {
            loop = _listenLoop;
            stop = _listenStop;
        }

        if (loop is null || stop is null)
        {
            return;
        }

        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        stop.Dispose();
    }

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "The change-feed listener of {Database} lost or could not open its connection ({Error}); watchers poll meanwhile, retrying in {RetryMs} ms.")]
    private static partial void LogListenFailed(ILogger logger, string database, string error, double retryMs);
}
