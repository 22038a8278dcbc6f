namespace SessionKit;

/// <summary>Conveniences over <see cref="ISessionStore"/>.</summary>
public static class SessionStoreExtensions
{
    /// <summary>Appends one message. See <see cref="ISessionStore.AppendMessagesAsync"/>.</summary>
    /// <param name="store">The store.</param>
    /// <param name="sessionId">The session id.</param>
    /// <param name="message">The message.</param>
    /// <param name="options">An optional expected version.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored message.</returns>
    public static async Task<SessionMessage> AppendMessageAsync(
        this ISessionStore store,
        Guid sessionId,
        NewMessage message,
        AppendOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(message);
        var result = await store.AppendMessagesAsync(sessionId, [message], options, cancellationToken).ConfigureAwait(false);
        return result.Messages[0];
    }
}
