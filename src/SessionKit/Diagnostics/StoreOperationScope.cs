using System.Diagnostics;

namespace SessionKit;

/// <summary>A started store operation: its span (when sampled), the caller's span to restore, and its start timestamp. The default is "not observed".</summary>
internal readonly struct StoreOperationScope(StoreOperation operation, Activity? activity, Activity? previous, long started, bool active)
{
    public StoreOperation Operation { get; } = operation;

    public Activity? Activity { get; } = activity;

    public Activity? Previous { get; } = previous;

    public long Started { get; } = started;

    public bool Active { get; } = active;
}
