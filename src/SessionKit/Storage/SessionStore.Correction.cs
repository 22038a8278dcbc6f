using System.Security.Cryptography;
using System.Text;

namespace SessionKit.Storage;

// Correction and rollback (ISessionCorrectionStore), idempotent appends and conditional deletion: validation here, persistence in the backends.
public abstract partial class SessionStore : ISessionCorrectionStore
{
    /// <inheritdoc />
    public Task<CorrectionResult> EditMessageAsync(Guid sessionId, long sequence, string content, CorrectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ValidateSessionId(sessionId);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequence, 1);
        ArgumentNullException.ThrowIfNull(content);
        if (content.Length > Limits.MaxContentLength)
        {
            throw new MessageTooLargeException(0, content.Length, Limits.MaxContentLength);
        }

        if (!IsWellFormed(content))
        {
            throw new ArgumentException("The content has an unpaired surrogate; it is not valid Unicode and could not be stored faithfully.", nameof(content));
        }

        options = ValidateCorrection(options);
        ThrowIfUnusable(cancellationToken);
        ThrowIfEncrypted("Editing a message", "the edited content and its revision would be stored without a valid envelope");
        return NotifyAfter(EditMessageCoreAsync(sessionId, sequence, content, options, Now(), cancellationToken), sessionId);
    }

    /// <inheritdoc />
    public Task<Session> DeleteMessageAsync(Guid sessionId, long sequence, CorrectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ValidateSessionId(sessionId);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequence, 1);
        options = ValidateCorrection(options);
        ThrowIfUnusable(cancellationToken);
        return NotifyAfter(DeleteMessageCoreAsync(sessionId, sequence, options, Now(), cancellationToken), sessionId);
    }

    /// <inheritdoc />
    public Task<Session> RewindAsync(Guid sessionId, long toSequence, CorrectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ValidateSessionId(sessionId);
        ArgumentOutOfRangeException.ThrowIfNegative(toSequence);
        options = ValidateCorrection(options);
        ThrowIfUnusable(cancellationToken);
        return NotifyAfter(RewindCoreAsync(sessionId, toSequence, options, Now(), cancellationToken), sessionId);
    }

    /// <inheritdoc />
    public Task<Session> ForkSessionAsync(Guid sessionId, long atSequence, ForkOptions? options = null, CancellationToken cancellationToken = default)
    {
        ValidateSessionId(sessionId);
        ArgumentOutOfRangeException.ThrowIfNegative(atSequence);
        options ??= new ForkOptions();
        ValidateTitle(options.Title, nameof(options));
        ValidateExpectedVersion(options.ExpectedVersion, nameof(options));
        ThrowIfUnusable(cancellationToken);
        ThrowIfEncrypted("Forking a session", "the copied rows would keep envelopes bound to the originals");
        var now = Now();
        return ForkSessionCoreAsync(sessionId, atSequence, options, Guid.CreateVersion7(now), now, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<MessageRevision>> GetMessageRevisionsAsync(Guid sessionId, long sequence, CancellationToken cancellationToken = default)
    {
        ValidateSessionId(sessionId);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequence, 1);
        ThrowIfUnusable(cancellationToken);
        return GetMessageRevisionsCoreAsync(sessionId, sequence, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> DeleteSessionAsync(Guid sessionId, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ValidateSessionId(sessionId);
        ValidateExpectedVersion(expectedVersion, nameof(expectedVersion));
        ThrowIfUnusable(cancellationToken);
        return ForgetTempAfter(DeleteSessionCoreAsync(sessionId, expectedVersion, cancellationToken), sessionId);
    }

    /// <summary>
    /// Replaces a message's content atomically: checks the expected version, keeps the replaced content as a revision
    /// (<see cref="PlanEdit"/>), updates the search index, deletes summaries ending at or after the sequence and stores the
    /// session from <see cref="PlanEdit"/>. Throws <see cref="MessageNotFoundException"/> when there is no such message.
    /// </summary>
    /// <param name="sessionId">A non-empty id.</param>
    /// <param name="sequence">At least 1.</param>
    /// <param name="content">Validated content.</param>
    /// <param name="options">Validated options.</param>
    /// <param name="now">The time of the edit.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The session and the message after the edit.</returns>
    protected abstract Task<CorrectionResult> EditMessageCoreAsync(Guid sessionId, long sequence, string content, CorrectionOptions options, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a message, its revisions and its search entry and the summaries ending at or after it, and stores the session
    /// from <see cref="PlanDelete"/>, atomically. Throws <see cref="MessageNotFoundException"/> when there is no such message.
    /// </summary>
    /// <param name="sessionId">A non-empty id.</param>
    /// <param name="sequence">At least 1.</param>
    /// <param name="options">The expected version and who deletes (for the change feed).</param>
    /// <param name="now">The time of the deletion.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The session after the deletion.</returns>
    protected abstract Task<Session> DeleteMessageCoreAsync(Guid sessionId, long sequence, CorrectionOptions options, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes everything after <paramref name="toSequence"/> (messages, revisions, search entries, summaries ending after it,
    /// idempotency keys of appends that stored any of it) and stores the session from <see cref="PlanRewind"/>, atomically.
    /// </summary>
    /// <param name="sessionId">A non-empty id.</param>
    /// <param name="toSequence">Zero or more; <see cref="PlanRewind"/> rejects one after the last sequence.</param>
    /// <param name="options">The expected version and who rewinds (for the change feed).</param>
    /// <param name="now">The time of the rewind.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The session after the rewind.</returns>
    protected abstract Task<Session> RewindCoreAsync(Guid sessionId, long toSequence, CorrectionOptions options, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Creates the fork described by <see cref="PlanFork"/> with copies (<see cref="CopyForFork(SessionMessage, Guid, DateTimeOffset)"/>)
    /// of the messages up to <paramref name="atSequence"/> and of the summaries inside that range, indexed for search, atomically.
    /// </summary>
    /// <param name="sessionId">The source; a non-empty id.</param>
    /// <param name="atSequence">Zero or more.</param>
    /// <param name="options">Validated options.</param>
    /// <param name="forkId">The new session's id.</param>
    /// <param name="now">The time of the fork.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new session.</returns>
    protected abstract Task<Session> ForkSessionCoreAsync(Guid sessionId, long atSequence, ForkOptions options, Guid forkId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Reads a message's replaced revisions, oldest first; throws <see cref="MessageNotFoundException"/> when there is no such message.</summary>
    /// <param name="sessionId">A non-empty id.</param>
    /// <param name="sequence">At least 1.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The revisions.</returns>
    protected abstract Task<IReadOnlyList<MessageRevision>> GetMessageRevisionsCoreAsync(Guid sessionId, long sequence, CancellationToken cancellationToken);

    /// <summary>Deletes a session and everything stored under it, first checking its version (<see cref="CheckVersion"/>)
    /// when <paramref name="expectedVersion"/> is given.</summary>
    /// <param name="sessionId">A non-empty id.</param>
    /// <param name="expectedVersion">The expected version, if any.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether the session existed.</returns>
    protected abstract Task<bool> DeleteSessionCoreAsync(Guid sessionId, long? expectedVersion, CancellationToken cancellationToken);

    /// <summary>
    /// Computes an edit: the message with the new content, its revision incremented and its tokens recounted; the replaced
    /// revision; and the session at its next version. Checks the expected version first.
    /// </summary>
    /// <param name="current">The session as read inside the transaction or lock.</param>
    /// <param name="message">The message as stored.</param>
    /// <param name="content">The new content.</param>
    /// <param name="options">The edit's options.</param>
    /// <param name="now">The time of the edit.</param>
    /// <param name="replaced">The revision to keep.</param>
    /// <returns>The session and message to store.</returns>
    /// <exception cref="SessionConcurrencyException">The version does not match.</exception>
    protected CorrectionResult PlanEdit(Session current, SessionMessage message, string content, CorrectionOptions options, DateTimeOffset now, out MessageRevision replaced)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(options);
        CheckVersion(current, options.ExpectedVersion);
        replaced = new MessageRevision
        {
            SessionId = message.SessionId,
            Sequence = message.Sequence,
            Revision = message.Revision,
            Content = message.Content,
            TokenCount = message.TokenCount,
            ReplacedAt = now,
            ReplacedBy = options.AuthorId,
        };
        var edited = message with
        {
            Content = content,
            Revision = message.Revision + 1,
            TokenCount = TokenCounting.Count(TokenCounter, message.Role, content, message.AuthorId, message.ToolCallId, message.ToolName),
            TokenEncoding = TokenCounter.EncodingName,
        };
        return new CorrectionResult(current with { Version = current.Version + 1 }, edited);
    }

    /// <summary>Computes the session after one message is deleted, checking the expected version.</summary>
    /// <param name="current">The session as read inside the transaction or lock.</param>
    /// <param name="expectedVersion">The expected version, if any.</param>
    /// <returns>The session to store.</returns>
    protected static Session PlanDelete(Session current, long? expectedVersion)
    {
        ArgumentNullException.ThrowIfNull(current);
        CheckVersion(current, expectedVersion);
        return current with { MessageCount = current.MessageCount - 1, Version = current.Version + 1 };
    }

    /// <summary>Checks a rewind (version, then target) before anything is deleted.</summary>
    /// <param name="current">The session as read inside the transaction or lock.</param>
    /// <param name="toSequence">The last sequence to keep.</param>
    /// <param name="expectedVersion">The expected version, if any.</param>
    protected static void CheckRewind(Session current, long toSequence, long? expectedVersion)
    {
        ArgumentNullException.ThrowIfNull(current);
        CheckVersion(current, expectedVersion);
        if (toSequence > current.LastSequence)
        {
            throw new ArgumentOutOfRangeException(nameof(toSequence), toSequence, $"The session's last sequence is {current.LastSequence}; a rewind cannot go forward.");
        }
    }

    /// <summary>Computes the session after a rewind that deleted <paramref name="removed"/> messages.</summary>
    /// <param name="current">The session as read inside the transaction or lock (checked with <see cref="CheckRewind"/>).</param>
    /// <param name="toSequence">The last sequence kept.</param>
    /// <param name="removed">How many messages were deleted.</param>
    /// <returns>The session to store.</returns>
    protected static Session PlanRewind(Session current, long toSequence, long removed)
    {
        ArgumentNullException.ThrowIfNull(current);
        return current with { LastSequence = toSequence, MessageCount = current.MessageCount - removed, Version = current.Version + 1 };
    }

    /// <summary>Checks a fork (version, then point) and computes the new session.</summary>
    /// <param name="source">The source as read inside the transaction or lock.</param>
    /// <param name="atSequence">The last sequence copied.</param>
    /// <param name="copied">How many messages are copied.</param>
    /// <param name="options">The fork's options.</param>
    /// <param name="forkId">The new id.</param>
    /// <param name="now">The time of the fork.</param>
    /// <returns>The session to create.</returns>
    protected static Session PlanFork(Session source, long atSequence, long copied, ForkOptions options, Guid forkId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        CheckVersion(source, options.ExpectedVersion);
        if (atSequence > source.LastSequence)
        {
            throw new ArgumentOutOfRangeException(nameof(atSequence), atSequence, $"The session's last sequence is {source.LastSequence}; a fork cannot start after it.");
        }

        return new Session
        {
            Id = forkId,
            UserId = source.UserId,
            Title = options.Title is null ? source.Title : options.Title.Length == 0 ? null : options.Title,
            CreatedAt = now,
            LastActivityAt = now,
            Version = 1,
            LastSequence = atSequence,
            MessageCount = copied,
            ForkedFromSessionId = source.Id,
            ForkedAtSequence = atSequence,
            Metadata = source.Metadata,
        };
    }

    /// <summary>A copy of <paramref name="message"/> for a fork: new id, the fork's session id, revision 1.</summary>
    /// <param name="message">The source message.</param>
    /// <param name="forkId">The fork's id.</param>
    /// <param name="now">The time of the fork (seeds the new id).</param>
    /// <returns>The copy.</returns>
    protected static SessionMessage CopyForFork(SessionMessage message, Guid forkId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message with { Id = Guid.CreateVersion7(now), SessionId = forkId, Revision = 1 };
    }

    /// <summary>A copy of <paramref name="summary"/> for a fork: new id, the fork's session id.</summary>
    /// <param name="summary">The source summary.</param>
    /// <param name="forkId">The fork's id.</param>
    /// <param name="now">The time of the fork (seeds the new id).</param>
    /// <returns>The copy.</returns>
    protected static SessionSummary CopyForFork(SessionSummary summary, Guid forkId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return summary with { Id = Guid.CreateVersion7(now), SessionId = forkId };
    }

    /// <summary>
    /// Decides a retried append: throws <see cref="IdempotencyKeyReusedException"/> when the key was used for other messages,
    /// otherwise returns the replay result.
    /// </summary>
    /// <param name="current">The session now.</param>
    /// <param name="idempotency">The retried append's key and fingerprint.</param>
    /// <param name="storedFingerprint">The fingerprint stored with the key.</param>
    /// <param name="original">The messages the first append stored, as they are now.</param>
    /// <returns>The result to return.</returns>
    protected static AppendResult Replay(Session current, IdempotentAppend idempotency, string storedFingerprint, IReadOnlyList<SessionMessage> original)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(idempotency);
        if (!string.Equals(storedFingerprint, idempotency.Fingerprint, StringComparison.Ordinal))
        {
            throw new IdempotencyKeyReusedException(current.Id, idempotency.Key);
        }

        return new AppendResult(current, original) { IsReplay = true };
    }

    private IdempotentAppend? PrepareIdempotency(AppendOptions? options, IReadOnlyList<SessionMessage> messages)
    {
        if (options?.IdempotencyKey is not { } key)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(key) || !IsWellFormed(key))
        {
            throw new ArgumentException("AppendOptions.IdempotencyKey must not be blank or malformed; use null for none.", nameof(options));
        }

        if (key.Length > AppendOptions.MaxIdempotencyKeyLength)
        {
            throw new ArgumentException($"AppendOptions.IdempotencyKey has {key.Length} characters; the limit is {AppendOptions.MaxIdempotencyKeyLength}.", nameof(options));
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (var message in messages)
        {
            AppendField(hash, length, ((int)message.Role).ToString(System.Globalization.CultureInfo.InvariantCulture));
            AppendField(hash, length, message.Content);
            AppendField(hash, length, message.AuthorId);
            AppendField(hash, length, message.ToolCallId);
            AppendField(hash, length, message.ToolName);
        }

        return new IdempotentAppend(key, Convert.ToHexString(hash.GetHashAndReset()));
    }

    // Length-prefixed so that ("ab", "c") and ("a", "bc") hash differently; -1 marks null.
    private static void AppendField(IncrementalHash hash, Span<byte> length, string? value)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, value is null ? -1 : value.Length);
        hash.AppendData(length);
        if (value is not null)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(value));
        }
    }

    private CorrectionOptions ValidateCorrection(CorrectionOptions? options)
    {
        options ??= new CorrectionOptions();
        ValidateExpectedVersion(options.ExpectedVersion, nameof(options));
        if (options.AuthorId is { } author)
        {
            if (string.IsNullOrWhiteSpace(author) || !IsWellFormed(author))
            {
                throw new ArgumentException("CorrectionOptions.AuthorId must not be blank or malformed; use null for none.", nameof(options));
            }

            if (author.Length > Limits.MaxIdLength)
            {
                throw new ArgumentException($"CorrectionOptions.AuthorId has {author.Length} characters; the limit is {Limits.MaxIdLength} (SessionLimits.MaxIdLength).", nameof(options));
            }
        }

        return options;
    }
}
