using Microsoft.Data.Sqlite;
using SessionKit.Storage;

namespace SessionKit.Sqlite;

/// <summary>Grants and ownership transfer in the same database file, through the same single writer (see <see cref="ISessionAccessStore"/>).</summary>
public sealed partial class SqliteSessionStore : ISessionAccessStore
{
    private const string GrantColumns = "owner_user_id, session_id, grantee, access, granted_at, expires_at";

    /// <inheritdoc />
    public Task SaveGrantAsync(SessionGrant grant, CancellationToken cancellationToken = default)
    {
        grant = AccessStoreArguments.Grant(grant, Limits.MaxIdLength, nameof(grant));
        ThrowIfUnusable(cancellationToken);
        return WriteAsync(
            grant,
            static (connection, transaction, grant) =>
            {
                if (grant.SessionId is { } sessionId)
                {
                    var owner = connection.Command("SELECT user_id FROM sessions WHERE id = $id;", transaction);
                    owner.Parameters.AddWithValue("$id", SqliteRows.Id(sessionId));
                    if (owner.ExecuteScalar() is not string userId || !string.Equals(userId, grant.OwnerUserId, StringComparison.Ordinal))
                    {
                        throw new SessionNotFoundException(sessionId);
                    }
                }

                var delete = connection.Command(
                    "DELETE FROM session_grants WHERE owner_user_id = $owner AND grantee = $grantee AND IFNULL(session_id, X'') = $session;",
                    transaction);
                AddGrantKey(delete, grant.OwnerUserId, grant.SessionId, grant.Grantee);
                delete.ExecuteNonQuery();

                var insert = connection.Command(
                    "INSERT INTO session_grants (" + GrantColumns + ") VALUES ($owner, $session_id, $grantee, $access, $granted_at, $expires_at);",
                    transaction);
                insert.Parameters.AddWithValue("$owner", grant.OwnerUserId);
                insert.Parameters.AddWithValue("$session_id", grant.SessionId is { } id ? SqliteRows.Id(id) : DBNull.Value);
                insert.Parameters.AddWithValue("$grantee", grant.Grantee.Principal);
                insert.Parameters.AddWithValue("$access", (int)grant.Access);
                insert.Parameters.AddWithValue("$granted_at", SqliteRows.Ticks(grant.GrantedAt));
                insert.Parameters.AddWithValue("$expires_at", grant.ExpiresAt is { } expires ? SqliteRows.Ticks(expires) : DBNull.Value);
                insert.ExecuteNonQuery();
                return true;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> DeleteGrantAsync(string ownerUserId, Guid? sessionId, SessionCaller grantee, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.Id(ownerUserId, Limits.MaxIdLength, nameof(ownerUserId));
        AccessStoreArguments.SessionId(sessionId, nameof(sessionId));
        AccessStoreArguments.Grantee(grantee, Limits.MaxIdLength, nameof(grantee));
        ThrowIfUnusable(cancellationToken);
        return WriteAsync(
            (ownerUserId, sessionId, grantee),
            static (connection, transaction, state) =>
            {
                var delete = connection.Command(
                    "DELETE FROM session_grants WHERE owner_user_id = $owner AND grantee = $grantee AND IFNULL(session_id, X'') = $session;",
                    transaction);
                AddGrantKey(delete, state.ownerUserId, state.sessionId, state.grantee);
                return delete.ExecuteNonQuery() > 0;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SessionGrant>> ListGrantsAsync(string ownerUserId, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.Id(ownerUserId, Limits.MaxIdLength, nameof(ownerUserId));
        ThrowIfUnusable(cancellationToken);
        return ReadAsync(
            ownerUserId,
            static (connection, transaction, ownerUserId) =>
            {
                var command = connection.Command(
                    "SELECT " + GrantColumns + " FROM session_grants WHERE owner_user_id = $owner ORDER BY granted_at, grantee;",
                    transaction);
                command.Parameters.AddWithValue("$owner", ownerUserId);
                return (IReadOnlyList<SessionGrant>)ReadGrants(command);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SessionGrant>> FindGrantsAsync(string ownerUserId, SessionCaller grantee, Guid? sessionId, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.Id(ownerUserId, Limits.MaxIdLength, nameof(ownerUserId));
        AccessStoreArguments.Grantee(grantee, Limits.MaxIdLength, nameof(grantee));
        AccessStoreArguments.SessionId(sessionId, nameof(sessionId));
        ThrowIfUnusable(cancellationToken);
        return ReadAsync(
            (ownerUserId, grantee, sessionId),
            static (connection, transaction, state) =>
            {
                var command = connection.Command(
                    "SELECT " + GrantColumns + " FROM session_grants WHERE owner_user_id = $owner AND grantee = $grantee AND (session_id IS NULL OR session_id = $session);",
                    transaction);
                AddGrantKey(command, state.ownerUserId, state.sessionId, state.grantee);
                return (IReadOnlyList<SessionGrant>)ReadGrants(command);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>One transaction: the sessions, their messages' user keys (and so the search index, through its triggers) and the old owner's grants.</remarks>
    public Task<int> TransferSessionsAsync(string fromUserId, string toUserId, CancellationToken cancellationToken = default)
    {
        AccessStoreArguments.Transfer(fromUserId, toUserId, Limits.MaxIdLength);
        ThrowIfUnusable(cancellationToken);
        ThrowIfEncrypted("Transferring sessions to another user", "every row is sealed for its owner; claim anonymous history before encrypting, or copy the messages into a new session of the user");
        return WriteAsync(
            (fromUserId, toUserId),
            static (connection, transaction, state) =>
            {
                var messages = connection.Command(
                    "UPDATE messages SET user_key = $to_key WHERE session_id IN (SELECT id FROM sessions WHERE user_id = $from);",
                    transaction);
                messages.Parameters.AddWithValue("$to_key", UserKey.For(state.toUserId));
                messages.Parameters.AddWithValue("$from", state.fromUserId);
                messages.ExecuteNonQuery();

                var grants = connection.Command("DELETE FROM session_grants WHERE owner_user_id = $from;", transaction);
                grants.Parameters.AddWithValue("$from", state.fromUserId);
                grants.ExecuteNonQuery();

                var sessions = connection.Command("UPDATE sessions SET user_id = $to WHERE user_id = $from;", transaction);
                sessions.Parameters.AddWithValue("$to", state.toUserId);
                sessions.Parameters.AddWithValue("$from", state.fromUserId);
                return sessions.ExecuteNonQuery();
            },
            cancellationToken);
    }

    private static void AddGrantKey(SqliteCommand command, string ownerUserId, Guid? sessionId, SessionCaller grantee)
    {
        command.Parameters.AddWithValue("$owner", ownerUserId);
        command.Parameters.AddWithValue("$grantee", grantee.Principal);
        command.Parameters.AddWithValue("$session", sessionId is { } id ? SqliteRows.Id(id) : Array.Empty<byte>());
    }

    private static List<SessionGrant> ReadGrants(SqliteCommand command)
    {
        var grants = new List<SessionGrant>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            grants.Add(new SessionGrant
            {
                OwnerUserId = reader.GetString(0),
                SessionId = reader.IsDBNull(1) ? null : SqliteRows.ReadGuid(reader, 1),
                Grantee = SessionCaller.Parse(reader.GetString(2)),
                Access = (SessionAccess)reader.GetInt32(3),
                GrantedAt = SqliteRows.ReadTime(reader, 4),
                ExpiresAt = reader.IsDBNull(5) ? null : SqliteRows.ReadTime(reader, 5),
            });
        }

        return grants;
    }
}
