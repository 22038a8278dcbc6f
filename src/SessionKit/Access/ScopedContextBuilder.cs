namespace SessionKit;

/// <summary>
/// The context builder of a <see cref="SessionScope"/>: checks the caller's permission first, and builds a read-only
/// caller's windows without writing summaries (that would be a write it was not granted).
/// </summary>
internal sealed class ScopedContextBuilder(SessionAuthorizer authorizer, IContextBuilder inner) : IContextBuilder
{
    public async Task<ContextWindow> BuildAsync(Guid sessionId, ContextRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (sessionId != Guid.Empty && request.SummarizeInline && !await authorizer.AllowsAsync(sessionId, SessionAccess.ReadWrite, cancellationToken).ConfigureAwait(false))
        {
            await authorizer.AuthorizeSessionAsync(sessionId, SessionAccess.Read, "build a context window", cancellationToken).ConfigureAwait(false);
            request = request with { SummarizeInline = false };
        }

        return await inner.BuildAsync(sessionId, request, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> SummarizeAsync(Guid sessionId, int tokenBudget, CancellationToken cancellationToken = default)
    {
        await AuthorizeSummarizeAsync(sessionId, cancellationToken).ConfigureAwait(false);
        return await inner.SummarizeAsync(sessionId, tokenBudget, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> SummarizeAsync(Guid sessionId, CancellationToken cancellationToken = default)
    {
        await AuthorizeSummarizeAsync(sessionId, cancellationToken).ConfigureAwait(false);
        return await inner.SummarizeAsync(sessionId, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> CatchUpAsync(Guid sessionId, int tokenBudget, CancellationToken cancellationToken = default)
    {
        await AuthorizeSummarizeAsync(sessionId, cancellationToken).ConfigureAwait(false);
        return await inner.CatchUpAsync(sessionId, tokenBudget, cancellationToken).ConfigureAwait(false);
    }

    // Guid.Empty is left to the inner builder, which rejects it with its usual ArgumentException.
    private ValueTask AuthorizeSummarizeAsync(Guid sessionId, CancellationToken cancellationToken) =>
        sessionId == Guid.Empty
            ? ValueTask.CompletedTask
            : authorizer.AuthorizeSessionAsync(sessionId, SessionAccess.ReadWrite, "summarize a session", cancellationToken);
}
