using System.Diagnostics;

namespace SessionKit.Storage;

public abstract partial class SessionStore
{
    /// <summary>
    /// The <c>db.system.name</c> this backend reports on its spans and metrics, following OpenTelemetry's database
    /// conventions: a well-known value such as <c>sqlite</c> or <c>postgresql</c> where there is one. The default is
    /// <c>other_sql</c>; the in-memory store reports <c>sessionkit.in_memory</c>.
    /// </summary>
    protected virtual string DatabaseSystemName => "other_sql";

    /// <summary>The instruments this store records into; set from dependency injection, otherwise the shared ones.</summary>
    internal SessionKitMetrics Metrics { get; set; } = SessionKitMetrics.Default;

    /// <summary>
    /// Starts the span and clock of one store operation. Call it as the first argument of <see cref="Observe{T}"/>, so the
    /// backend's task is created (and captures the span as its parent context) after it.
    /// </summary>
    private protected StoreOperationScope Start(StoreOperation operation, Guid? sessionId = null)
    {
        var previous = Activity.Current;
        var activity = SessionKitDiagnostics.ActivitySource.HasListeners() ? StartActivity(operation, sessionId) : null;
        return activity is null && !Metrics.DbOperationDuration.Enabled && !(operation.CountsAppends && Metrics.MessagesAppended.Enabled)
            ? default
            : new StoreOperationScope(operation, activity, previous, Stopwatch.GetTimestamp(), active: true);
    }

    /// <summary>Ends <paramref name="scope"/> when <paramref name="task"/> completes: status, duration, returned rows counted by <paramref name="rows"/>, messages appended counted by <paramref name="appended"/>.</summary>
    private protected Task<T> Observe<T>(StoreOperationScope scope, Task<T> task, Func<T, int>? rows = null, Func<T, int>? appended = null)
    {
        if (!scope.Active)
        {
            return task;
        }

        // The span is the parent of the backend's work only; the caller's context goes back to what it was.
        if (scope.Activity is not null)
        {
            Activity.Current = scope.Previous;
        }

        return ObserveAsync(scope, task, rows, appended);
    }

    private async Task<T> ObserveAsync<T>(StoreOperationScope scope, Task<T> task, Func<T, int>? rows, Func<T, int>? appended)
    {
        try
        {
            var result = await task.ConfigureAwait(false);
            if (rows is not null)
            {
                scope.Activity?.SetTag(SessionKitDiagnostics.DbReturnedRows, rows(result));
            }

            if (appended is not null && appended(result) is > 0 and var count)
            {
                Metrics.MessagesAppended.Add(count, new KeyValuePair<string, object?>(SessionKitDiagnostics.DbSystemName, DatabaseSystemName));
            }

            Finish(scope, null);
            return result;
        }
        catch (Exception ex)
        {
            Finish(scope, ex);
            throw;
        }
    }

    private Activity? StartActivity(StoreOperation operation, Guid? sessionId)
    {
        var activity = SessionKitDiagnostics.ActivitySource.StartActivity(operation.SpanName, ActivityKind.Client);
        if (activity is null)
        {
            return null;
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag(SessionKitDiagnostics.DbSystemName, DatabaseSystemName);
            activity.SetTag(SessionKitDiagnostics.DbOperationName, operation.Name);
            activity.SetTag(SessionKitDiagnostics.DbCollectionName, operation.Collection);
            if (sessionId is { } id)
            {
                activity.SetTag(SessionKitDiagnostics.SessionId, id.ToString());
            }
        }

        return activity;
    }

    private void Finish(StoreOperationScope scope, Exception? failure)
    {
        if (failure is not null)
        {
            SessionKitDiagnostics.RecordFailure(scope.Activity, failure);
        }

        scope.Activity?.Dispose();
        if (Metrics.DbOperationDuration.Enabled)
        {
            var tags = new TagList
            {
                { SessionKitDiagnostics.DbSystemName, DatabaseSystemName },
                { SessionKitDiagnostics.DbOperationName, scope.Operation.Name },
                { SessionKitDiagnostics.DbCollectionName, scope.Operation.Collection },
            };
            if (failure is not null)
            {
                tags.Add(SessionKitDiagnostics.ErrorType, failure.GetType().FullName);
            }

            Metrics.DbOperationDuration.Record(Stopwatch.GetElapsedTime(scope.Started).TotalSeconds, tags);
        }
    }
}
