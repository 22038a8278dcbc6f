using Npgsql;
using SessionKit.Storage;

namespace SessionKit.PostgreSql;

/// <summary>Grants and ownership transfer in the same database (see <see cref="ISessionAccessStore"/>).</summary>
public sealed partial class PostgreSqlSessionStore : ISessionAccessStore
{
    private const string GrantColumns = "owner_user_id, session_id, grantee, access, granted_at, expires_at";

    /// <inheritdoc />
    public Task SaveGrantAsync(SessionGrant grant, CancellationToken cancellationToken = default)
    {
        grant = AccessStoreArguments.Grant(grant, Limits.MaxIdLength, nameof(grant));
        ThrowIfUnusable(cancellationToken);
        return WriteAsync(
            async tx =>
            {
                if (grant.SessionId is { } sessionId)
                {
                    var owner = await tx.ScalarAsync(tx.Cmd("SELECT user_id FROM §sessions WHERE id = @id FOR SHARE;").Uuid("id", sessionId)).ConfigureAwait(false) as string;
                    if (owner is null || !string.Equals(PgText.Decode(owner), grant.OwnerUserId, StringComparison.Ordinal))
                    {
                        throw new SessionNotFoundException(sessionId);
                    }
                }

                // One grant per (owner, session or all, grantee): saving again replaces it, atomically under concurrency.
                return await tx.ExecAsync(tx.Cmd(
                    "INSERT INTO §session_grants (" + GrantColumns + ") VALUES (@owner, @session_id, @grantee, @access, @granted_at, @expires_at) " +
                    "ON CONFLICT (owner_user_id, grantee, coalesce(session_id, '00000000-0000-0000-0000-000000000000'::uuid)) DO UPDATE SET access = excluded.access, granted_at = excluded.granted_at, expires_at = excluded.expires_at;")
                    .Text("owner", grant.OwnerUserId)
                    .Uuid("session_id", grant.SessionId)
                    .Text("grantee", grant.Grantee.Principal)
                    .Int("access", (int)grant.Access)
                    .Long("granted_at", PostgresRows.Ticks(grant.GrantedAt))
                    .Long("expires_at", grant.ExpiresAt is { } expires ? PostgresRows.Ticks(expires) : null)).ConfigureAwait(false);
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
            async tx => await tx.ExecAsync(tx.Cmd(
                "DELETE FROM §session_grants WHERE owner_user_id = @owner AND grantee = @grantee AND coalesce(session_id, '00000000-0000-0000-0000-000000000000'::uuid) = coalesce(@session_id, '00000000-0000-0000-0000-000000000000'::uuid);")
                .Text("owner", ownerUserId)
                .Text("grantee", grantee.Principal)
                .Uuid("session_id", sessionId)).ConfigureAwait(false) > 0,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SessionGrant>> ListGrantsAsync(string ownerUserId, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.Id(ownerUserId, Limits.MaxIdLength, nameof(ownerUserId));
        ThrowIfUnusable(cancellationToken);
        return ReadAsync<IReadOnlyList<SessionGrant>>(
            async tx => await tx.ListAsync(
                tx.Cmd("SELECT " + GrantColumns + " FROM §session_grants WHERE owner_user_id = @owner ORDER BY granted_at, grantee;").Text("owner", ownerUserId),
                ReadGrant).ConfigureAwait(false),
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SessionGrant>> FindGrantsAsync(string ownerUserId, SessionCaller grantee, Guid? sessionId, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.Id(ownerUserId, Limits.MaxIdLength, nameof(ownerUserId));
        AccessStoreArguments.Grantee(grantee, Limits.MaxIdLength, nameof(grantee));
        AccessStoreArguments.SessionId(sessionId, nameof(sessionId));
        ThrowIfUnusable(cancellationToken);
        return ReadAsync<IReadOnlyList<SessionGrant>>(
            async tx => await tx.ListAsync(
                tx.Cmd("SELECT " + GrantColumns + " FROM §session_grants WHERE owner_user_id = @owner AND grantee = @grantee AND (session_id IS NULL OR session_id = @session_id);")
                    .Text("owner", ownerUserId)
                    .Text("grantee", grantee.Principal)
                    .Uuid("session_id", sessionId),
                ReadGrant).ConfigureAwait(false),
            cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>One transaction: the sessions, their messages' owner keys (and so the search index), the old owner's grants and the moved sessions' vectors.</remarks>
    public Task<int> TransferSessionsAsync(string fromUserId, string toUserId, CancellationToken cancellationToken = default)
    {
        AccessStoreArguments.Transfer(fromUserId, toUserId, Limits.MaxIdLength);
        ThrowIfUnusable(cancellationToken);
        ThrowIfEncrypted("Transferring sessions to another user", "every row is sealed for its owner; claim anonymous history before encrypting, or copy the messages into a new session of the user");
        return WriteAsync(
            async tx =>
            {
                await tx.ExecAsync(tx.Cmd("UPDATE §messages SET user_key = @to_key WHERE session_id IN (SELECT id FROM §sessions WHERE user_id = @from);")
                    .Text("to_key", UserKey.For(PgText.Encode(toUserId)))
                    .Text("from", fromUserId)).ConfigureAwait(false);
                await tx.ExecAsync(tx.Cmd("DELETE FROM §session_grants WHERE owner_user_id = @from;").Text("from", fromUserId)).ConfigureAwait(false);

                // Message vectors were dropped by the owner-key trigger; summary vectors go too (re-embedded under the new owner).
                await tx.ExecAsync(tx.Cmd("DELETE FROM §summary_embeddings WHERE session_id IN (SELECT id FROM §sessions WHERE user_id = @from);").Text("from", fromUserId)).ConfigureAwait(false);
                return await tx.ExecAsync(tx.Cmd("UPDATE §sessions SET user_id = @to WHERE user_id = @from;")
                    .Text("to", toUserId)
                    .Text("from", fromUserId)).ConfigureAwait(false);
            },
            cancellationToken);
    }

    private static SessionGrant ReadGrant(NpgsqlDataReader reader) => new()
    {
        OwnerUserId = PostgresRows.ReadText(reader, 0),
        SessionId = reader.IsDBNull(1) ? null : reader.GetGuid(1),
        Grantee = SessionCaller.Parse(PostgresRows.ReadText(reader, 2)),
        Access = (SessionAccess)reader.GetInt32(3),
        GrantedAt = PostgresRows.ReadTime(reader, 4),
        ExpiresAt = reader.IsDBNull(5) ? null : PostgresRows.ReadTime(reader, 5),
    };
}
