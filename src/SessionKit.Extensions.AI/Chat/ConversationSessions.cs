using System.Security.Cryptography;
using System.Text;

namespace SessionKit.Extensions.AI;

/// <summary>
/// Create-on-first-use: maps an app's own conversation id ("chat-123") to a SessionKit session of the caller, kept in
/// the caller's user-scoped state under a hash of the id (so the app's id is not stored as plain text), and creates the
/// session the first time the id is used.
/// </summary>
internal static class ConversationSessions
{
    private const string KeyPrefix = "sessionkit.conversation.";

    /// <summary>A new session for the request's caller.</summary>
    public static async Task<Guid> CreateAsync(RequestView view, CancellationToken cancellationToken) =>
        (await view.Store.CreateSessionAsync(Owner(view), cancellationToken: cancellationToken).ConfigureAwait(false)).Id;

    /// <summary>The caller's session for <paramref name="conversationId"/>, created on first use.</summary>
    public static async Task<Guid> ForConversationAsync(RequestView view, string conversationId, CancellationToken cancellationToken)
    {
        string owner = Owner(view);
        var state = view.State ?? throw new InvalidOperationException(
            "CreateSessionWhenMissing maps conversation ids to sessions in user-scoped state, which this store does not keep (it does not implement ISessionStateStore).");
        string key = KeyPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(conversationId)).AsSpan(0, 16));
        for (int attempt = 0; ; attempt++)
        {
            var entry = await state.GetStateAsync(StateScope.User, owner, key, cancellationToken).ConfigureAwait(false);
            if (entry is not null && Guid.TryParse(entry.Value, out Guid mapped) && await ExistsAsync(view.Store, mapped, cancellationToken).ConfigureAwait(false))
            {
                return mapped;
            }

            var session = await view.Store.CreateSessionAsync(owner, cancellationToken: cancellationToken).ConfigureAwait(false);
            try
            {
                // Compare-and-set: of two first requests racing, one mapping wins and the other's session is removed.
                await state.SetStateAsync(StateScope.User, owner, key, session.Id.ToString(), new StateWriteOptions { ExpectedVersion = entry?.Version ?? 0 }, cancellationToken).ConfigureAwait(false);
                return session.Id;
            }
            catch (StateConcurrencyException) when (attempt < 3)
            {
                await view.Store.DeleteSessionAsync(session.Id, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task<bool> ExistsAsync(ISessionStore store, Guid sessionId, CancellationToken cancellationToken)
    {
        try
        {
            await store.GetSessionAsync(sessionId, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SessionNotFoundException)
        {
            return false;
        }
    }

    private static string Owner(RequestView view) => view.Caller switch
    {
        { Kind: SessionCallerKind.User } caller => caller.Id,
        null => throw new SessionCallerRequiredException(
            "CreateSessionWhenMissing creates sessions for the request's user, and this request names none: set ChatOptions.AdditionalProperties[SessionKitChatOptions.CallerKey] (options.WithSessionCaller(SessionCaller.User(id))) or register an ISessionCallerAccessor."),
        var agent => throw new SessionAccessDeniedException(
            $"CreateSessionWhenMissing creates sessions for users only; {agent.Principal} is an agent. Create the session for its user and pass its id as ChatOptions.ConversationId."),
    };
}
