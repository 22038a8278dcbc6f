namespace SessionKit;

/// <summary>
/// Who is making a request: a user (the owner of its sessions) or an agent acting on a user's behalf through a grant.
/// Obtain a caller-scoped view of the store with <see cref="ISessionAccessor.ForCaller(SessionCaller)"/>.
/// </summary>
/// <remarks>The host authenticates the caller (a login, a validated <see cref="ISessionTokenService"/> token, an API key of
/// an agent); SessionKit only decides what an authenticated caller may do.</remarks>
public sealed record SessionCaller
{
    private SessionCaller(SessionCallerKind kind, string id)
    {
        Kind = kind;
        Id = id;
    }

    /// <summary>User or agent.</summary>
    public SessionCallerKind Kind { get; }

    /// <summary>The user id (as used for <see cref="Session.UserId"/>) or the agent id.</summary>
    public string Id { get; }

    /// <summary>The caller as one string, <c>user:&lt;id&gt;</c> or <c>agent:&lt;id&gt;</c>: how grants name their grantee.</summary>
    public string Principal => (Kind == SessionCallerKind.User ? "user:" : "agent:") + Id;

    /// <summary>A user caller.</summary>
    /// <param name="userId">The user id, as the host identifies users.</param>
    /// <returns>The caller.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is null, empty or white space.</exception>
    public static SessionCaller User(string userId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        return new SessionCaller(SessionCallerKind.User, userId);
    }

    /// <summary>An agent caller.</summary>
    /// <param name="agentId">The agent id.</param>
    /// <returns>The caller.</returns>
    /// <exception cref="ArgumentException"><paramref name="agentId"/> is null, empty or white space.</exception>
    public static SessionCaller Agent(string agentId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(agentId);
        return new SessionCaller(SessionCallerKind.Agent, agentId);
    }

    /// <summary>Parses <see cref="Principal"/> text back into a caller.</summary>
    /// <param name="principal"><c>user:&lt;id&gt;</c> or <c>agent:&lt;id&gt;</c>.</param>
    /// <returns>The caller.</returns>
    /// <exception cref="FormatException">The text has neither prefix or an empty id.</exception>
    public static SessionCaller Parse(string principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (principal.StartsWith("user:", StringComparison.Ordinal) && !string.IsNullOrWhiteSpace(principal[5..]))
        {
            return new SessionCaller(SessionCallerKind.User, principal[5..]);
        }

        if (principal.StartsWith("agent:", StringComparison.Ordinal) && !string.IsNullOrWhiteSpace(principal[6..]))
        {
            return new SessionCaller(SessionCallerKind.Agent, principal[6..]);
        }

        throw new FormatException("A principal is 'user:<id>' or 'agent:<id>' with a non-empty id.");
    }

    /// <summary>Whether this caller is the user <paramref name="userId"/>.</summary>
    /// <param name="userId">A user id.</param>
    /// <returns><see langword="true"/> for the user caller with that id.</returns>
    public bool IsUser(string userId) => Kind == SessionCallerKind.User && string.Equals(Id, userId, StringComparison.Ordinal);

    /// <inheritdoc />
    public override string ToString() => Principal;
}
