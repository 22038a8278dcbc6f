using SessionKit.Storage;

namespace SessionKit;

// A scope's builder reads its snapshot through the scope: the same read check as GetSessionAsync, then the store's one read.
public sealed partial class SessionScope : IContextSnapshotSource
{
    /// <inheritdoc />
    bool IContextSnapshotSource.CanReadContextSnapshot => _inner is IContextSnapshotSource { CanReadContextSnapshot: true };

    /// <inheritdoc />
    async Task<ContextSnapshot> IContextSnapshotSource.ReadContextSnapshotAsync(Guid sessionId, int tokenBudget, CancellationToken cancellationToken)
    {
        await AuthorizeAsync(sessionId, SessionAccess.Read, "read a session", cancellationToken).ConfigureAwait(false);
        return await ((IContextSnapshotSource)_inner).ReadContextSnapshotAsync(sessionId, tokenBudget, cancellationToken).ConfigureAwait(false);
    }
}
