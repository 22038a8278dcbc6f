namespace SessionKit.Storage;

/// <summary>An append's idempotency key with a fingerprint of its messages, as passed to a backend.</summary>
/// <param name="Key">The validated <see cref="AppendOptions.IdempotencyKey"/>.</param>
/// <param name="Fingerprint">A hash (hex) of the messages' roles, contents, authors and tool fields, to tell a retry from a reuse.</param>
public sealed record IdempotentAppend(string Key, string Fingerprint);
