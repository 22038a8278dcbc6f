namespace SessionKit;

/// <summary>Exports everything stored about a user (GDPR access and portability) as one JSON document.</summary>
public interface IUserDataExporter
{
    /// <summary>
    /// Writes every session (with messages and summaries), device and session token of <paramref name="userId"/> to
    /// <paramref name="utf8Json"/> as UTF-8 JSON in the <c>sessionkit-export/1</c> format (see docs/export-format.md), streaming:
    /// messages are read a page at a time and flushed as they go, so a long history never sits in memory. Token secrets and
    /// fingerprint hashes are not exported. An unknown user yields a valid document with empty lists.
    /// </summary>
    /// <param name="userId">The user to export.</param>
    /// <param name="utf8Json">A writable stream; it is flushed, not closed.</param>
    /// <param name="cancellationToken">Cancels the export; what was written so far is an incomplete document.</param>
    /// <returns>How much was exported.</returns>
    Task<UserExportResult> ExportUserAsync(string userId, Stream utf8Json, CancellationToken cancellationToken = default);
}
