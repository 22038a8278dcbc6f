using Microsoft.Agents.AI;

namespace SessionKit.Agents.AI;

/// <summary>
/// What an agent session remembers for SessionKit, in its <see cref="AgentSession.StateBag"/>: the SessionKit session it
/// continues and, per agent session, the caller it acts for. Both survive <c>agent.SerializeSessionAsync</c>.
/// </summary>
public static class SessionKitAgentSession
{
    /// <summary>The <see cref="AgentSession.StateBag"/> key under which the SessionKit session id is kept.</summary>
    public const string SessionIdKey = "SessionKit.SessionId";

    /// <summary>The <see cref="AgentSession.StateBag"/> key under which the caller (<see cref="SessionCaller.Principal"/> text) is kept.</summary>
    public const string CallerKey = "SessionKit.Caller";

    /// <summary>Makes <paramref name="agentSession"/> continue the SessionKit session <paramref name="sessionId"/>.</summary>
    /// <param name="agentSession">The agent session.</param>
    /// <param name="sessionId">The SessionKit session (the caller must be allowed to use it; that is checked on every run).</param>
    /// <exception cref="ArgumentNullException"><paramref name="agentSession"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sessionId"/> is <see cref="Guid.Empty"/>.</exception>
    public static void AttachSession(AgentSession agentSession, Guid sessionId)
    {
        ArgumentNullException.ThrowIfNull(agentSession);
        if (sessionId == Guid.Empty)
        {
            throw new ArgumentException("The session id must not be Guid.Empty.", nameof(sessionId));
        }

        agentSession.StateBag.SetValue(SessionIdKey, sessionId.ToString());
    }

    /// <summary>The SessionKit session an agent session continues, or <see langword="null"/> when none is attached yet.</summary>
    /// <param name="agentSession">The agent session.</param>
    /// <returns>The session id, or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="agentSession"/> is <see langword="null"/>.</exception>
    public static Guid? GetSessionId(AgentSession agentSession)
    {
        ArgumentNullException.ThrowIfNull(agentSession);
        return agentSession.StateBag.TryGetValue<string>(SessionIdKey, out string? value) && Guid.TryParse(value, out Guid id) ? id : null;
    }

    /// <summary>
    /// Makes the SessionKit providers act for <paramref name="caller"/> in runs of <paramref name="agentSession"/> (when the
    /// host's <see cref="ISessionCallerAccessor"/> names no caller, which wins when it does). Set it where the host has
    /// authenticated the user; the caller is only as trustworthy as the place a serialized agent session is kept, so do not
    /// accept serialized agent sessions from clients.
    /// </summary>
    /// <param name="agentSession">The agent session.</param>
    /// <param name="caller">The authenticated caller.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static void SetCaller(AgentSession agentSession, SessionCaller caller)
    {
        ArgumentNullException.ThrowIfNull(agentSession);
        ArgumentNullException.ThrowIfNull(caller);
        agentSession.StateBag.SetValue(CallerKey, caller.Principal);
    }

    /// <summary>The caller set with <see cref="SetCaller"/>, or <see langword="null"/>.</summary>
    /// <param name="agentSession">The agent session.</param>
    /// <returns>The caller, or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="agentSession"/> is <see langword="null"/>.</exception>
    public static SessionCaller? GetCaller(AgentSession agentSession)
    {
        ArgumentNullException.ThrowIfNull(agentSession);
        return agentSession.StateBag.TryGetValue<string>(CallerKey, out string? value) && value is not null ? SessionCaller.Parse(value) : null;
    }
}
