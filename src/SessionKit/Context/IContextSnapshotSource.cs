using SessionKit.Storage;

namespace SessionKit;

/// <summary>A store (or a scope over one) that can read what a context build starts from in one go.</summary>
internal interface IContextSnapshotSource
{
    /// <summary>Whether <see cref="ReadContextSnapshotAsync"/> may be called (a scope over a store that cannot, cannot).</summary>
    bool CanReadContextSnapshot { get; }

    /// <summary>See <see cref="SessionStore.ReadContextSnapshotAsync"/>.</summary>
    Task<ContextSnapshot> ReadContextSnapshotAsync(Guid sessionId, int tokenBudget, CancellationToken cancellationToken);
}
