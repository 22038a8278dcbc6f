using SessionKit.Storage;

namespace SessionKit;

/// <summary>The argument checks of <see cref="ISessionAccessStore"/>, written once for every backend.</summary>
internal static class AccessStoreArguments
{
    public static SessionGrant Grant(SessionGrant grant, int maxIdLength, string paramName)
    {
        ArgumentNullException.ThrowIfNull(grant, paramName);
        IdentityStoreArguments.Id(grant.OwnerUserId, maxIdLength, $"{nameof(SessionGrant)}.{nameof(SessionGrant.OwnerUserId)}", paramName);
        Grantee(grant.Grantee, maxIdLength, paramName);
        SessionId(grant.SessionId, paramName);
        if (grant.Access is not (SessionAccess.Read or SessionAccess.ReadWrite))
        {
            throw new ArgumentException($"SessionGrant.Access must be Read or ReadWrite (was {grant.Access}).", paramName);
        }

        if (grant.Grantee.IsUser(grant.OwnerUserId))
        {
            throw new ArgumentException("A grant's grantee must not be its owner.", paramName);
        }

        if (grant.ExpiresAt is { } expires && expires <= grant.GrantedAt)
        {
            throw new ArgumentException("SessionGrant.ExpiresAt must be later than its GrantedAt.", paramName);
        }

        return grant with { GrantedAt = grant.GrantedAt.ToUniversalTime(), ExpiresAt = grant.ExpiresAt?.ToUniversalTime() };
    }

    public static void Grantee(SessionCaller grantee, int maxIdLength, string paramName)
    {
        ArgumentNullException.ThrowIfNull(grantee, paramName);
        IdentityStoreArguments.Id(grantee.Id, maxIdLength, "The grantee id", paramName);
    }

    public static void SessionId(Guid? sessionId, string paramName)
    {
        if (sessionId == Guid.Empty)
        {
            throw new ArgumentException("A grant's session id must not be Guid.Empty; use null for all of the owner's sessions.", paramName);
        }
    }

    public static void Transfer(string fromUserId, string toUserId, int maxIdLength)
    {
        IdentityStoreArguments.Id(fromUserId, maxIdLength, nameof(fromUserId));
        IdentityStoreArguments.Id(toUserId, maxIdLength, nameof(toUserId));
        if (string.Equals(fromUserId, toUserId, StringComparison.Ordinal))
        {
            throw new ArgumentException("A transfer needs two different users.", nameof(toUserId));
        }
    }
}
