using Microsoft.Agents.AI;
using SessionKit.Extensions.AI;

namespace SessionKit.Agents.AI;

/// <summary>Finds (or creates) the SessionKit session of an agent session, through the run's caller-scoped view.</summary>
internal static class AgentSessions
{
    public const string HowToNameACaller =
        "Name the caller per agent session with SessionKitAgentSession.SetCaller(agentSession, SessionCaller.User(userId)), " +
        "or register an ISessionCallerAccessor that returns the current request's caller. Trusted back-office code can opt out explicitly with CreateTrusted(...).";

    public static RequestView Open(RequestAccess access, AgentSession? agentSession, string provider) =>
        access.Open(Session(agentSession, provider) is { } session ? SessionKitAgentSession.GetCaller(session) : null, HowToNameACaller);

    public static async ValueTask<Guid> GetOrCreateAsync(
        RequestView view,
        AgentSession? agentSession,
        string provider,
        bool createWhenMissing,
        Func<AgentSession, SessionCaller?, CancellationToken, ValueTask<Guid>>? resolver,
        CancellationToken cancellationToken)
    {
        var session = Session(agentSession, provider);
        if (SessionKitAgentSession.GetSessionId(session) is { } existing)
        {
            return existing;
        }

        Guid sessionId;
        if (resolver is not null)
        {
            sessionId = await resolver(session, view.Caller, cancellationToken).ConfigureAwait(false);
        }
        else if (createWhenMissing && view.Caller is { Kind: SessionCallerKind.User } user)
        {
            sessionId = (await view.Store.CreateSessionAsync(user.Id, cancellationToken: cancellationToken).ConfigureAwait(false)).Id;
        }
        else
        {
            throw new InvalidOperationException(
                $"The agent session has no SessionKit session: attach one with SessionKitAgentSession.AttachSession, set a SessionIdResolver, " +
                $"or let {provider} create one (CreateSessionWhenMissing, for a user caller: SessionKitAgentSession.SetCaller or an ISessionCallerAccessor).");
        }

        SessionKitAgentSession.AttachSession(session, sessionId);
        return sessionId;
    }

    private static AgentSession Session(AgentSession? agentSession, string provider) =>
        agentSession ?? throw new InvalidOperationException(
            $"{provider} needs an agent session to know which conversation to continue; run the agent with a session (agent.CreateSessionAsync()).");
}
