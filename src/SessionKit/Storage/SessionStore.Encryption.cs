using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SessionKit.Storage;

/// <summary>
/// Encryption at rest, done once here for every backend: what a backend receives is already sealed, what it returns is
/// opened before anyone sees it. Message content becomes keyed hashes of its words (so the backend's full-text index still
/// ranks it) and the message itself an envelope in a reserved metadata entry; session titles and metadata, and summary
/// texts, become envelopes too. Envelopes are sealed under the owner's data key, stored wrapped by a master key.
/// </summary>
public abstract partial class SessionStore
{
    /// <summary>The metadata entry that holds a sealed envelope (base64) when encryption is on.</summary>
    public const string SealedMetadataKey = "sessionkit.sealed";

    private const string SealedSummaryPrefix = "sealed:";
    private const int CacheLimit = 10_000;

    private readonly IMasterKeyProvider? _masterKeys;
    private readonly ConcurrentDictionary<string, DataKey> _dataKeys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, string> _owners = new();

    /// <summary>Initializes a store that encrypts at rest when <paramref name="masterKeys"/> is given.</summary>
    /// <param name="limits">Size limits; <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="tokenCounter">Counts tokens at append; <see langword="null"/> for <see cref="SharpTokenCounter.Default"/>.</param>
    /// <param name="masterKeys">The master keys; <see langword="null"/> to store plaintext.</param>
    protected SessionStore(SessionLimits? limits, TimeProvider? timeProvider, ITokenCounter? tokenCounter, IMasterKeyProvider? masterKeys)
        : this(limits, timeProvider, tokenCounter)
    {
        _masterKeys = masterKeys;
    }

    /// <summary>Whether this store encrypts what it stores.</summary>
    public bool IsEncrypted => _masterKeys is not null;

    /// <summary>
    /// Re-wraps every user's data key under the current master key (<see cref="IMasterKeyProvider.CurrentKeyId"/>), in
    /// batches. Stored data is not re-encrypted: only the small wrapped keys change. Afterwards the old master key may be
    /// removed. A user key that cannot be unwrapped stops the rotation with <see cref="SessionDecryptionException"/>; keys
    /// rotated before stay rotated, nothing else changes.
    /// </summary>
    /// <param name="cancellationToken">Cancels between batches.</param>
    /// <returns>How many user keys were re-wrapped.</returns>
    /// <exception cref="InvalidOperationException">The store does not encrypt.</exception>
    public async Task<long> RotateMasterKeyAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable(cancellationToken);
        var provider = _masterKeys ?? throw new InvalidOperationException("This store does not encrypt (EncryptionOptions.Enabled is false).");
        string current = provider.CurrentKeyId;
        var master = MasterKey(current);
        long rotated = 0;
        string? after = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = await ListUserKeysCoreAsync(after, 500, cancellationToken).ConfigureAwait(false);
            foreach (var record in batch)
            {
                if (string.Equals(record.MasterKeyId, current, StringComparison.Ordinal))
                {
                    continue;
                }

                byte[] dataKey = Unwrap(record);
                var rewrapped = record with { MasterKeyId = current, WrappedKey = EnvelopeCipher.Wrap(master, dataKey, WrapData(record.UserId, record.KeyId)) };
                CryptographicOperations.ZeroMemory(dataKey);
                if (await ReplaceUserKeyCoreAsync(rewrapped, record.MasterKeyId, cancellationToken).ConfigureAwait(false))
                {
                    rotated++;
                }
            }

            if (batch.Count < 500)
            {
                return rotated;
            }

            after = batch[^1].UserId;
        }
    }

    /// <summary>Reads a user's wrapped data key.</summary>
    /// <param name="userId">A validated user id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The record, or <see langword="null"/>.</returns>
    protected abstract Task<UserKeyRecord?> FindUserKeyCoreAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Stores a user's wrapped data key unless the user has one already; returns the one stored.</summary>
    /// <param name="record">The new key.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The user's key (the new one, or the existing one).</returns>
    protected abstract Task<UserKeyRecord> AddUserKeyCoreAsync(UserKeyRecord record, CancellationToken cancellationToken);

    /// <summary>Reads user keys in user-id order (ordinal), after <paramref name="afterUserId"/>.</summary>
    /// <param name="afterUserId">The last user id of the previous batch, or <see langword="null"/>.</param>
    /// <param name="limit">At least 1.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Up to <paramref name="limit"/> records.</returns>
    protected abstract Task<IReadOnlyList<UserKeyRecord>> ListUserKeysCoreAsync(string? afterUserId, int limit, CancellationToken cancellationToken);

    /// <summary>Replaces a user's wrapped key if it is still wrapped by <paramref name="expectedMasterKeyId"/>.</summary>
    /// <param name="record">The re-wrapped key (same user and key id).</param>
    /// <param name="expectedMasterKeyId">The master key id it had when read.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether it was replaced.</returns>
    protected abstract Task<bool> ReplaceUserKeyCoreAsync(UserKeyRecord record, string expectedMasterKeyId, CancellationToken cancellationToken);

    private async Task<Session> CreateSealedAsync(Session session, CancellationToken cancellationToken)
    {
        var key = await KeyForUserAsync(session.UserId, create: true, cancellationToken).ConfigureAwait(false);
        await CreateSessionCoreAsync(SealSession(session, key!), cancellationToken).ConfigureAwait(false);
        Remember(session.Id, session.UserId);
        return session;
    }

    private async Task<Session?> OpenAsync(Task<Session?> pending, CancellationToken cancellationToken)
    {
        var session = await pending.ConfigureAwait(false);
        return session is null ? null : await OpenSessionAsync(session, cancellationToken).ConfigureAwait(false);
    }

    private async Task<SessionPage> OpenAsync(Task<SessionPage> pending, CancellationToken cancellationToken)
    {
        var page = await pending.ConfigureAwait(false);
        var items = new List<Session>(page.Items.Count);
        foreach (var session in page.Items)
        {
            items.Add(await OpenSessionAsync(session, cancellationToken).ConfigureAwait(false));
        }

        return page with { Items = items };
    }

    private async Task<IReadOnlyList<Session>> OpenAsync(Task<IReadOnlyList<Session>> pending, CancellationToken cancellationToken)
    {
        var sessions = await pending.ConfigureAwait(false);
        var opened = new List<Session>(sessions.Count);
        foreach (var session in sessions)
        {
            opened.Add(await OpenSessionAsync(session, cancellationToken).ConfigureAwait(false));
        }

        return opened;
    }

    private async Task<Session> UpdateSealedAsync(Guid sessionId, SessionUpdate update, CancellationToken cancellationToken)
    {
        // The title and metadata live in one envelope, so a partial update is a read-modify-write, made safe by the version.
        while (true)
        {
            var stored = await FindSessionCoreAsync(sessionId, cancellationToken).ConfigureAwait(false) ?? throw new SessionNotFoundException(sessionId);
            var current = await OpenSessionAsync(stored, cancellationToken).ConfigureAwait(false);
            var merged = PlanUpdate(current, update);
            var key = await KeyForUserAsync(current.UserId, create: true, cancellationToken).ConfigureAwait(false);
            var sealedSession = SealSession(merged, key!);
            try
            {
                var result = await UpdateSessionCoreAsync(sessionId, new SessionUpdate { Title = string.Empty, Metadata = sealedSession.Metadata, ExpectedVersion = stored.Version }, cancellationToken).ConfigureAwait(false);
                return merged with { Version = result.Version };
            }
            catch (SessionConcurrencyException) when (update.ExpectedVersion is null)
            {
                // Someone else changed the session between the read and the write; merge into their version.
            }
        }
    }

    private async Task<AppendResult> AppendSealedAsync(Guid sessionId, SessionMessage[] prepared, long? expectedVersion, IdempotentAppend? idempotency, DateTimeOffset now, CancellationToken cancellationToken)
    {
        string owner = await OwnerAsync(sessionId, cancellationToken).ConfigureAwait(false);
        var key = await KeyForUserAsync(owner, create: true, cancellationToken).ConfigureAwait(false);
        var sealedMessages = new SessionMessage[prepared.Length];
        for (int i = 0; i < prepared.Length; i++)
        {
            sealedMessages[i] = SealMessage(prepared[i], owner, key!);
        }

        AppendResult result;
        try
        {
            result = await AppendMessagesCoreAsync(sessionId, sealedMessages, expectedVersion, Keyed(idempotency, key!), now, cancellationToken).ConfigureAwait(false);
        }
        catch (IdempotencyKeyReusedException) when (idempotency is not null)
        {
            // The backend knows only the keyed hash; report the key the caller sent.
            throw new IdempotencyKeyReusedException(sessionId, idempotency.Key);
        }

        var stored = new SessionMessage[result.Messages.Count];
        for (int i = 0; i < stored.Length; i++)
        {
            // A replayed append returns the original rows: their ids, sequences and times, with the (identical) content.
            stored[i] = prepared[i] with { Id = result.Messages[i].Id, Sequence = result.Messages[i].Sequence, CreatedAt = result.Messages[i].CreatedAt, Revision = result.Messages[i].Revision };
        }

        return result with { Session = await OpenSessionAsync(result.Session, cancellationToken).ConfigureAwait(false), Messages = stored };
    }

    // An idempotency key is caller text (often a request id that says something) and the fingerprint a hash of the
    // messages, which would let an observer of the file confirm a guessed content: both are stored as keyed hashes.
    private static IdempotentAppend? Keyed(IdempotentAppend? idempotency, DataKey key) => idempotency is null ? null : new IdempotentAppend(
        "k:" + Convert.ToHexStringLower(HMACSHA256.HashData(key.SearchKey, Encoding.UTF8.GetBytes("sessionkit-idempotency-key\n" + idempotency.Key))),
        Convert.ToHexStringLower(HMACSHA256.HashData(key.SearchKey, Encoding.UTF8.GetBytes("sessionkit-idempotency-fingerprint\n" + idempotency.Fingerprint))));

    private async Task<IReadOnlyList<SessionMessage>> OpenAsync(Guid sessionId, Task<IReadOnlyList<SessionMessage>> pending, CancellationToken cancellationToken)
    {
        var messages = await pending.ConfigureAwait(false);
        if (messages.Count == 0)
        {
            return messages;
        }

        string owner = await OwnerAsync(sessionId, cancellationToken).ConfigureAwait(false);
        var key = await KeyForUserAsync(owner, create: false, cancellationToken).ConfigureAwait(false);
        var opened = new SessionMessage[messages.Count];
        for (int i = 0; i < opened.Length; i++)
        {
            opened[i] = OpenMessage(messages[i], owner, key);
        }

        return opened;
    }

    private async Task<SessionSummary> SaveSealedSummaryAsync(SessionSummary summary, CancellationToken cancellationToken)
    {
        string owner = await OwnerAsync(summary.SessionId, cancellationToken).ConfigureAwait(false);
        var key = await KeyForUserAsync(owner, create: true, cancellationToken).ConfigureAwait(false);
        var stored = await SaveSummaryCoreAsync(summary with { Content = SealSummaryText(summary, owner, key!) }, cancellationToken).ConfigureAwait(false);
        return OpenSummary(stored, owner, key);
    }

    private async Task<IReadOnlyList<SessionSummary>> OpenAsync(Guid sessionId, Task<IReadOnlyList<SessionSummary>> pending, CancellationToken cancellationToken)
    {
        var summaries = await pending.ConfigureAwait(false);
        if (summaries.Count == 0)
        {
            return summaries;
        }

        string owner = await OwnerAsync(sessionId, cancellationToken).ConfigureAwait(false);
        var key = await KeyForUserAsync(owner, create: false, cancellationToken).ConfigureAwait(false);
        return summaries.Select(s => OpenSummary(s, owner, key)).ToList();
    }

    private async Task<SearchPage> SearchSealedAsync(string userId, SearchQuery query, IReadOnlyList<string> terms, int offset, CancellationToken cancellationToken)
    {
        var key = await KeyForUserAsync(userId, create: false, cancellationToken).ConfigureAwait(false);
        if (key is null)
        {
            return SearchPage.Empty;
        }

        var stems = terms.Select(PorterStemmer.Stem).ToList();
        var hashed = stems.Select(stem => EnvelopeCipher.HashTerm(key.SearchKey, stem)).Distinct(StringComparer.Ordinal).ToList();
        var results = await SearchCoreAsync(userId, query, hashed, offset, cancellationToken).ConfigureAwait(false);
        var hits = new List<SearchHit>(results.Items.Count);
        foreach (var hit in results.Items)
        {
            var message = OpenMessage(hit.Message, userId, key);
            string snippet = SearchSnippet.Build(message.Content, stems, query.HighlightStart, query.HighlightEnd);
            hits.Add(hit with { Message = message, Snippet = snippet });
        }

        return results with { Items = hits };
    }

    private void Forget(string userId)
    {
        _dataKeys.TryRemove(userId, out _);
        _vectorCache.Evict(userId);
        foreach (var (sessionId, owner) in _owners)
        {
            if (string.Equals(owner, userId, StringComparison.Ordinal))
            {
                _owners.TryRemove(sessionId, out _);
            }
        }
    }

    private async Task<Session> OpenSessionAsync(Session session, CancellationToken cancellationToken)
    {
        if (!session.Metadata.TryGetValue(SealedMetadataKey, out var sealedText))
        {
            throw new SessionDecryptionException($"Session '{session.Id}' is not sealed although the store encrypts: it was written without encryption or altered.");
        }

        Remember(session.Id, session.UserId);
        var key = await KeyForUserAsync(session.UserId, create: false, cancellationToken).ConfigureAwait(false)
            ?? throw new SessionDecryptionException($"The data key of the owner of session '{session.Id}' is missing.");
        var json = EnvelopeCipher.Open(key.Key, key.KeyId, Decode(sealedText, $"session '{session.Id}'"), RowData("s", session.UserId, session.Id), $"session '{session.Id}'");
        var payload = JsonSerializer.Deserialize(json, SealedJsonContext.Default.SealedSession) ?? throw new SessionDecryptionException($"Session '{session.Id}' has an empty envelope.");
        return session with { Title = payload.Title, Metadata = payload.Metadata.AsReadOnly() };
    }

    private static Session SealSession(Session session, DataKey key)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new SealedSession(session.Title, new Dictionary<string, string>(session.Metadata, StringComparer.Ordinal)), SealedJsonContext.Default.SealedSession);
        var envelope = EnvelopeCipher.Seal(key.Key, key.KeyId, payload, RowData("s", session.UserId, session.Id));
        return session with { Title = null, Metadata = Sealed(envelope) };
    }

    private static SessionMessage SealMessage(SessionMessage message, string owner, DataKey key)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new SealedMessage(message.Content, new Dictionary<string, string>(message.Metadata, StringComparer.Ordinal), message.ToolName), SealedJsonContext.Default.SealedMessage);
        var envelope = EnvelopeCipher.Seal(key.Key, key.KeyId, payload, RowData("m", owner, message.Id));

        // The indexed text: one keyed hash per word, in order, so term frequencies and lengths (and BM25) are as in plaintext.
        var words = SearchTokenizer.Tokenize(message.Content);
        var indexed = new StringBuilder(words.Count * 21);
        foreach (var word in words)
        {
            indexed.Append(EnvelopeCipher.HashTerm(key.SearchKey, word.Stem)).Append(' ');
        }

        // The tool name says what the assistant did (e.g. "search_medical_records"), so it lives in the envelope only.
        return message with { Content = indexed.ToString().TrimEnd(), Metadata = Sealed(envelope), ToolName = null };
    }

    private static SessionMessage OpenMessage(SessionMessage message, string owner, DataKey? key)
    {
        if (key is null || !message.Metadata.TryGetValue(SealedMetadataKey, out var sealedText))
        {
            throw new SessionDecryptionException($"Message '{message.Id}' is not sealed or its owner's data key is missing.");
        }

        var json = EnvelopeCipher.Open(key.Key, key.KeyId, Decode(sealedText, $"message '{message.Id}'"), RowData("m", owner, message.Id), $"message '{message.Id}'");
        var payload = JsonSerializer.Deserialize(json, SealedJsonContext.Default.SealedMessage) ?? throw new SessionDecryptionException($"Message '{message.Id}' has an empty envelope.");
        return message with { Content = payload.Content, Metadata = payload.Metadata.AsReadOnly(), ToolName = payload.ToolName ?? message.ToolName };
    }

    private static string SealSummaryText(SessionSummary summary, string owner, DataKey key) =>
        SealedSummaryPrefix + Convert.ToBase64String(EnvelopeCipher.Seal(key.Key, key.KeyId, Encoding.UTF8.GetBytes(summary.Content), RowData("y", owner, summary.Id)));

    private static SessionSummary OpenSummary(SessionSummary summary, string owner, DataKey? key)
    {
        if (key is null || !summary.Content.StartsWith(SealedSummaryPrefix, StringComparison.Ordinal))
        {
            throw new SessionDecryptionException($"Summary '{summary.Id}' is not sealed or its owner's data key is missing.");
        }

        var text = EnvelopeCipher.Open(key.Key, key.KeyId, Decode(summary.Content[SealedSummaryPrefix.Length..], $"summary '{summary.Id}'"), RowData("y", owner, summary.Id), $"summary '{summary.Id}'");
        return summary with { Content = Encoding.UTF8.GetString(text) };
    }

    private async Task<string> OwnerAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        if (_owners.TryGetValue(sessionId, out var owner))
        {
            return owner;
        }

        var session = await FindSessionCoreAsync(sessionId, cancellationToken).ConfigureAwait(false) ?? throw new SessionNotFoundException(sessionId);
        Remember(sessionId, session.UserId);
        return session.UserId;
    }

    private void Remember(Guid sessionId, string userId)
    {
        if (_owners.Count >= CacheLimit)
        {
            _owners.Clear();
        }

        _owners[sessionId] = userId;
    }

    private async Task<DataKey?> KeyForUserAsync(string userId, bool create, CancellationToken cancellationToken)
    {
        if (_dataKeys.TryGetValue(userId, out var cached))
        {
            return cached;
        }

        var record = await FindUserKeyCoreAsync(userId, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            if (!create)
            {
                return null;
            }

            var fresh = RandomNumberGenerator.GetBytes(EnvelopeCipher.KeyLength);
            string keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
            string masterId = _masterKeys!.CurrentKeyId;
            record = await AddUserKeyCoreAsync(
                new UserKeyRecord
                {
                    UserId = userId,
                    KeyId = keyId,
                    MasterKeyId = masterId,
                    WrappedKey = EnvelopeCipher.Wrap(MasterKey(masterId), fresh, WrapData(userId, keyId)),
                    CreatedAt = TimeProvider.GetUtcNow().ToUniversalTime(),
                },
                cancellationToken).ConfigureAwait(false);
            CryptographicOperations.ZeroMemory(fresh);
        }

        var dataKey = Unwrap(record);
        var key = new DataKey(record.KeyId, dataKey, EnvelopeCipher.SearchKey(dataKey));
        if (_dataKeys.Count >= CacheLimit)
        {
            _dataKeys.Clear();
        }

        _dataKeys[userId] = key;
        return key;
    }

    private byte[] Unwrap(UserKeyRecord record) =>
        EnvelopeCipher.Unwrap(MasterKey(record.MasterKeyId), record.WrappedKey.Span, WrapData(record.UserId, record.KeyId), "a user");

    private byte[] MasterKey(string masterKeyId) =>
        _masterKeys!.TryGetKey(masterKeyId, out var key) && key.Length == EnvelopeCipher.KeyLength
            ? key
            : throw new SessionDecryptionException($"Master key '{masterKeyId}' is not configured (EncryptionOptions.MasterKeys); keep every master key that still wraps a user key until RotateMasterKeyAsync has run.");

    private static byte[] WrapData(string userId, string keyId) => Encoding.UTF8.GetBytes($"sessionkit-user-key\n{userId}\n{keyId}");

    private static byte[] RowData(string kind, string userId, Guid rowId) => Encoding.UTF8.GetBytes($"{kind}\n{userId}\n{rowId:N}");

    private static System.Collections.ObjectModel.ReadOnlyDictionary<string, string> Sealed(byte[] envelope) =>
        new Dictionary<string, string>(1, StringComparer.Ordinal) { [SealedMetadataKey] = Convert.ToBase64String(envelope) }.AsReadOnly();

    private static byte[] Decode(string base64, string what)
    {
        try
        {
            return Convert.FromBase64String(base64);
        }
        catch (FormatException ex)
        {
            throw new SessionDecryptionException($"The envelope of {what} is corrupted (not base64).", ex);
        }
    }

    private sealed record DataKey(string KeyId, byte[] Key, byte[] SearchKey);

    private sealed record SealedSession(string? Title, Dictionary<string, string> Metadata);

    // ToolName is absent (null) in envelopes written before tool names were sealed; those kept it in the row.
    private sealed record SealedMessage(string Content, Dictionary<string, string> Metadata, string? ToolName = null);

    // Source-generated (no reflection), so the store works trimmed and under native AOT; the JSON is the same as the
    // reflection serializer wrote (property names as declared), so existing envelopes still open.
    [JsonSerializable(typeof(SealedSession))]
    [JsonSerializable(typeof(SealedMessage))]
    private sealed partial class SealedJsonContext : JsonSerializerContext
    {
    }

    // Sealed rows are bound to their id and owner, and revisions have no envelope yet: rather than store plaintext in an
    // encrypted store (or keep envelopes that no longer open), operations that would need re-sealing are refused.
    internal void ThrowIfEncrypted(string operation, string reason)
    {
        if (IsEncrypted)
        {
            throw new NotSupportedException(
                $"{operation} is not supported while encryption at rest is on: {reason}. Appends, deletes, rewinds, state, search, erase and export work.");
        }
    }

    // App-wide state belongs to no user; its values are sealed under a data key of this reserved owner.
    private const string AppStateOwner = "sessionkit\u001Fapp";

    private const string SealedStatePrefix = "sealed:";

    private async Task<string> SealStateAsync(StateEntry entry, string scopeKey, CancellationToken cancellationToken)
    {
        string owner = await StateOwnerAsync(entry.Scope, scopeKey, cancellationToken).ConfigureAwait(false);
        var key = await KeyForUserAsync(owner, create: true, cancellationToken).ConfigureAwait(false);
        return SealedStatePrefix + Convert.ToBase64String(EnvelopeCipher.Seal(key!.Key, key.KeyId, Encoding.UTF8.GetBytes(entry.Value), StateData(entry, owner, scopeKey)));
    }

    private async Task<StateEntry> OpenStateAsync(StateEntry entry, string scopeKey, CancellationToken cancellationToken)
    {
        string what = $"state entry '{entry.Key}' ({entry.Scope})";
        string owner = await StateOwnerAsync(entry.Scope, scopeKey, cancellationToken).ConfigureAwait(false);
        var key = await KeyForUserAsync(owner, create: false, cancellationToken).ConfigureAwait(false);
        if (key is null || !entry.Value.StartsWith(SealedStatePrefix, StringComparison.Ordinal))
        {
            throw new SessionDecryptionException($"The {what} is not sealed or its owner's data key is missing.");
        }

        var value = EnvelopeCipher.Open(key.Key, key.KeyId, Decode(entry.Value[SealedStatePrefix.Length..], what), StateData(entry, owner, scopeKey), what);
        return entry with { Value = Encoding.UTF8.GetString(value) };
    }

    // Whose data key seals a state value: the user's for user state, the session owner's for session state.
    private async Task<string> StateOwnerAsync(StateScope scope, string scopeKey, CancellationToken cancellationToken) => scope switch
    {
        StateScope.User => scopeKey,
        StateScope.Session => await OwnerAsync(Guid.Parse(scopeKey), cancellationToken).ConfigureAwait(false),
        _ => AppStateOwner,
    };

    // Binds the envelope to its address, so a value moved to another key, scope or owner fails authentication.
    private static byte[] StateData(StateEntry entry, string owner, string scopeKey) =>
        Encoding.UTF8.GetBytes($"s\n{owner}\n{(int)entry.Scope}\n{scopeKey}\n{entry.Key}");
}
