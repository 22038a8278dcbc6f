using System.Text.Json;
using SessionKit.Storage;

namespace SessionKit;

/// <summary>
/// Writes a user's data in the <c>sessionkit-export/1</c> JSON format (docs/export-format.md) with a <see cref="Utf8JsonWriter"/>,
/// one section per kind of data, flushing to the stream every <see cref="FlushThreshold"/> bytes.
/// </summary>
public sealed class UserDataExporter : IUserDataExporter
{
    /// <summary>The value of the document's <c>format</c> property.</summary>
    public const string Format = "sessionkit-export/1";

    /// <summary>How many bytes the writer buffers before it flushes them to the stream.</summary>
    public const int FlushThreshold = 16 * 1024;

    private const int SessionPageSize = 100;

    private readonly ISessionStore _sessions;
    private readonly ISessionPrivacyStore _privacy;
    private readonly ISessionTokenStore _identity;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates an exporter.</summary>
    /// <param name="sessions">Where sessions, messages and summaries are read.</param>
    /// <param name="privacy">Where the user's token records are listed.</param>
    /// <param name="identity">Where the user's devices are listed.</param>
    /// <param name="timeProvider">Stamps the export; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    public UserDataExporter(ISessionStore sessions, ISessionPrivacyStore privacy, ISessionTokenStore identity, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(privacy);
        ArgumentNullException.ThrowIfNull(identity);
        _sessions = sessions;
        _privacy = privacy;
        _identity = identity;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public async Task<UserExportResult> ExportUserAsync(string userId, Stream utf8Json, CancellationToken cancellationToken = default)
    {
        // The whole id is checked before the first byte is written: a store would refuse it only half-way through the stream.
        IdentityStoreArguments.Id(userId, ((_sessions as SessionStore)?.Limits ?? new SessionLimits()).MaxIdLength, "The user id", nameof(userId));
        ArgumentNullException.ThrowIfNull(utf8Json);
        if (!utf8Json.CanWrite)
        {
            throw new ArgumentException("The stream must be writable.", nameof(utf8Json));
        }

        var writer = new Utf8JsonWriter(utf8Json, new JsonWriterOptions { Indented = false });
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            writer.WriteString("format", Format);
            writer.WriteString("exportedAt", _timeProvider.GetUtcNow().ToUniversalTime());
            writer.WriteString("userId", userId);

            var result = new UserExportResult();
            result = await WriteSessionsAsync(writer, userId, result, cancellationToken).ConfigureAwait(false);
            result = await WriteDevicesAsync(writer, userId, result, cancellationToken).ConfigureAwait(false);
            result = await WriteTokensAsync(writer, userId, result, cancellationToken).ConfigureAwait(false);
            result = await WriteGrantsAsync(writer, userId, result, cancellationToken).ConfigureAwait(false);
            result = await WriteUserStateAsync(writer, userId, result, cancellationToken).ConfigureAwait(false);
            await WriteEmbeddingsAsync(writer, userId, cancellationToken).ConfigureAwait(false);

            writer.WriteStartObject("counts");
            writer.WriteNumber("sessions", result.Sessions);
            writer.WriteNumber("messages", result.Messages);
            writer.WriteNumber("summaries", result.Summaries);
            writer.WriteNumber("devices", result.Devices);
            writer.WriteNumber("tokens", result.Tokens);
            writer.WriteNumber("grants", result.Grants);
            writer.WriteNumber("stateEntries", result.StateEntries);
            writer.WriteEndObject();
            writer.WriteEndObject();
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }
    }

    private async Task<UserExportResult> WriteSessionsAsync(Utf8JsonWriter writer, string userId, UserExportResult result, CancellationToken cancellationToken)
    {
        writer.WriteStartArray("sessions");
        string? cursor = null;
        do
        {
            var page = await _sessions.ListSessionsAsync(userId, new SessionListOptions { PageSize = SessionPageSize, Cursor = cursor }, cancellationToken).ConfigureAwait(false);
            foreach (var session in page.Items)
            {
                result = await WriteSessionAsync(writer, session, result, cancellationToken).ConfigureAwait(false);
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);

        writer.WriteEndArray();
        return result;
    }

    private async Task<UserExportResult> WriteSessionAsync(Utf8JsonWriter writer, Session session, UserExportResult result, CancellationToken cancellationToken)
    {
        writer.WriteStartObject();
        writer.WriteString("id", session.Id);
        WriteOptional(writer, "title", session.Title);
        writer.WriteString("createdAt", session.CreatedAt);
        writer.WriteString("lastActivityAt", session.LastActivityAt);
        writer.WriteNumber("version", session.Version);
        if (session.ContinuesFromSessionId is { } previous)
        {
            writer.WriteString("continuesFromSessionId", previous);
        }

        WriteMetadata(writer, session.Metadata);
        long messages = 0;
        long summaries = 0;
        writer.WriteStartArray("messages");
        try
        {
            await foreach (var message in _sessions.ReadAllMessagesAsync(session.Id, cancellationToken).ConfigureAwait(false))
            {
                WriteMessage(writer, message);
                messages++;
                await FlushIfFullAsync(writer, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (SessionNotFoundException)
        {
            // Deleted while being exported: it no longer holds any data of the user.
        }

        writer.WriteEndArray();
        writer.WriteStartArray("summaries");
        try
        {
            for (int level = 1; ; level++)
            {
                long after = 0;
                int found = 0;
                while (true)
                {
                    var page = await _sessions.GetSummariesAsync(
                        session.Id,
                        new SummaryQuery { Level = level, FromSequenceAfter = after, NewestFirst = false, Limit = SummaryQuery.MaxLimit },
                        cancellationToken).ConfigureAwait(false);
                    foreach (var summary in page)
                    {
                        WriteSummary(writer, summary);
                        after = Math.Max(after, summary.FromSequence);
                        await FlushIfFullAsync(writer, cancellationToken).ConfigureAwait(false);
                    }

                    found += page.Count;
                    if (page.Count < SummaryQuery.MaxLimit)
                    {
                        break;
                    }
                }

                summaries += found;
                if (found == 0)
                {
                    break;
                }
            }
        }
        catch (SessionNotFoundException)
        {
            // Deleted while being exported.
        }

        writer.WriteEndArray();
        long state = await WriteStateAsync(writer, StateScope.Session, session.Id.ToString(), cancellationToken).ConfigureAwait(false);
        state += await WriteStateAsync(writer, StateScope.Temp, session.Id.ToString(), cancellationToken).ConfigureAwait(false);
        writer.WriteEndObject();
        return result with { Sessions = result.Sessions + 1, Messages = result.Messages + messages, Summaries = result.Summaries + summaries, StateEntries = result.StateEntries + state };
    }

    // The user's own state (user scope); session and temp state are written inside each session.
    private async Task<UserExportResult> WriteUserStateAsync(Utf8JsonWriter writer, string userId, UserExportResult result, CancellationToken cancellationToken)
    {
        long count = await WriteStateAsync(writer, StateScope.User, userId, cancellationToken).ConfigureAwait(false);
        return result with { StateEntries = result.StateEntries + count };
    }

    /// <summary>Writes one scope's entries as a <c>state</c> array (<c>tempState</c> for the temp scope); returns how many.</summary>
    private async Task<long> WriteStateAsync(Utf8JsonWriter writer, StateScope scope, string scopeId, CancellationToken cancellationToken)
    {
        IReadOnlyList<StateEntry> entries = [];
        if (_sessions is ISessionStateStore state)
        {
            try
            {
                entries = await state.ListStateAsync(scope, scopeId, cancellationToken).ConfigureAwait(false);
            }
            catch (SessionNotFoundException)
            {
                // Deleted while being exported.
            }
        }

        writer.WriteStartArray(scope == StateScope.Temp ? "tempState" : "state");
        foreach (var entry in entries)
        {
            writer.WriteStartObject();
            writer.WriteString("key", entry.Key);
            writer.WriteString("value", entry.Value);
            writer.WriteNumber("version", entry.Version);
            writer.WriteString("updatedAt", entry.UpdatedAt);
            WriteOptional(writer, "updatedBy", entry.UpdatedBy);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        await FlushIfFullAsync(writer, cancellationToken).ConfigureAwait(false);
        return entries.Count;
    }

    // Which models made the user's vectors, and how many; the vectors themselves are derived data and not exported.
    private async Task WriteEmbeddingsAsync(Utf8JsonWriter writer, string userId, CancellationToken cancellationToken)
    {
        var models = _sessions is SessionStore store ? await store.CountEmbeddingsAsync(userId, cancellationToken).ConfigureAwait(false) : [];
        writer.WriteStartArray("embeddings");
        foreach (var model in models)
        {
            writer.WriteStartObject();
            writer.WriteString("model", model.ModelId);
            writer.WriteNumber("dimensions", model.Dimensions);
            writer.WriteNumber("count", model.Count);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private async Task<UserExportResult> WriteDevicesAsync(Utf8JsonWriter writer, string userId, UserExportResult result, CancellationToken cancellationToken)
    {
        var devices = await _identity.ListDevicesAsync(userId, cancellationToken).ConfigureAwait(false);
        writer.WriteStartArray("devices");
        foreach (var device in devices)
        {
            writer.WriteStartObject();
            writer.WriteString("deviceId", device.DeviceId);
            WriteOptional(writer, "displayName", device.DisplayName);
            writer.WriteBoolean("hasFingerprint", !device.FingerprintHash.IsEmpty);
            writer.WriteString("firstSeenAt", device.FirstSeenAt);
            writer.WriteString("lastSeenAt", device.LastSeenAt);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        await FlushIfFullAsync(writer, cancellationToken).ConfigureAwait(false);
        return result with { Devices = devices.Count };
    }

    // The grants the user gave, when the store keeps grants (both built-in stores do).
    private async Task<UserExportResult> WriteGrantsAsync(Utf8JsonWriter writer, string userId, UserExportResult result, CancellationToken cancellationToken)
    {
        var grants = _sessions is ISessionAccessStore access ? await access.ListGrantsAsync(userId, cancellationToken).ConfigureAwait(false) : [];
        writer.WriteStartArray("grants");
        foreach (var grant in grants)
        {
            writer.WriteStartObject();
            if (grant.SessionId is { } sessionId)
            {
                writer.WriteString("sessionId", sessionId);
            }

            writer.WriteString("grantee", grant.Grantee.Principal);
            writer.WriteString("access", grant.Access == SessionAccess.ReadWrite ? "readWrite" : "read");
            writer.WriteString("grantedAt", grant.GrantedAt);
            if (grant.ExpiresAt is { } expires)
            {
                writer.WriteString("expiresAt", expires);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        await FlushIfFullAsync(writer, cancellationToken).ConfigureAwait(false);
        return result with { Grants = grants.Count };
    }

    private async Task<UserExportResult> WriteTokensAsync(Utf8JsonWriter writer, string userId, UserExportResult result, CancellationToken cancellationToken)
    {
        var tokens = await _privacy.ListUserTokensAsync(userId, cancellationToken).ConfigureAwait(false);
        writer.WriteStartArray("tokens");
        foreach (var token in tokens)
        {
            writer.WriteStartObject();
            writer.WriteString("tokenId", token.TokenId);
            if (token.SessionId is { } sessionId)
            {
                writer.WriteString("sessionId", sessionId);
            }

            WriteOptional(writer, "deviceId", token.DeviceId);
            writer.WriteString("createdAt", token.CreatedAt);
            writer.WriteString("expiresAt", token.ExpiresAt);
            if (token.RevokedAt is { } revoked)
            {
                writer.WriteString("revokedAt", revoked);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        await FlushIfFullAsync(writer, cancellationToken).ConfigureAwait(false);
        return result with { Tokens = tokens.Count };
    }

    private static void WriteMessage(Utf8JsonWriter writer, SessionMessage message)
    {
        writer.WriteStartObject();
        writer.WriteString("id", message.Id);
        writer.WriteNumber("sequence", message.Sequence);
        writer.WriteString("role", JsonNamingPolicy.CamelCase.ConvertName(message.Role.ToString()));
        writer.WriteString("content", message.Content);
        WriteOptional(writer, "authorId", message.AuthorId);
        WriteOptional(writer, "toolCallId", message.ToolCallId);
        WriteOptional(writer, "toolName", message.ToolName);
        writer.WriteString("createdAt", message.CreatedAt);
        writer.WriteNumber("tokenCount", message.TokenCount);
        WriteMetadata(writer, message.Metadata);
        writer.WriteEndObject();
    }

    private static void WriteSummary(Utf8JsonWriter writer, SessionSummary summary)
    {
        writer.WriteStartObject();
        writer.WriteString("id", summary.Id);
        writer.WriteNumber("level", summary.Level);
        writer.WriteNumber("fromSequence", summary.FromSequence);
        writer.WriteNumber("toSequence", summary.ToSequence);
        writer.WriteString("text", summary.Content);
        writer.WriteString("summarizerId", summary.SummarizerId);
        writer.WriteString("createdAt", summary.CreatedAt);
        writer.WriteEndObject();
    }

    private static void WriteMetadata(Utf8JsonWriter writer, IReadOnlyDictionary<string, string> metadata)
    {
        writer.WriteStartObject("metadata");
        foreach (var (key, value) in metadata.OrderBy(static pair => pair.Key, StringComparer.Ordinal))
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static async Task FlushIfFullAsync(Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        if (writer.BytesPending >= FlushThreshold)
        {
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
