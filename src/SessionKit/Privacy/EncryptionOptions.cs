namespace SessionKit;

/// <summary>
/// Encryption at rest (off by default). When <see cref="Enabled"/>, message content and metadata, session titles and
/// metadata, and summary texts are stored as AES-256-GCM envelopes under a per-user data key, which is itself stored wrapped
/// by a master key from <see cref="MasterKeys"/>; search works on keyed hashes of the words.
/// </summary>
public sealed class EncryptionOptions
{
    /// <summary>The length of a master key, in bytes (AES-256).</summary>
    public const int KeyLength = 32;

    /// <summary>Whether stored data is encrypted. Turning it on for a store that already holds plaintext is not supported.</summary>
    public bool Enabled { get; set; }

    /// <summary>The master keys by id: the current one wraps new and rotated user keys, older ones unwrap existing user keys until rotated.</summary>
    public IDictionary<string, byte[]> MasterKeys { get; } = new Dictionary<string, byte[]>(StringComparer.Ordinal);

    /// <summary>The id (in <see cref="MasterKeys"/>) of the master key that wraps new user keys.</summary>
    public string? CurrentMasterKeyId { get; set; }

    /// <summary>Checks every setting (only when <see cref="Enabled"/>).</summary>
    /// <param name="prefix">The name the messages give the options object.</param>
    /// <returns>One message per invalid setting, naming it; empty when all are valid. Key bytes never appear in a message.</returns>
    public IReadOnlyList<string> Validate(string prefix = nameof(EncryptionOptions))
    {
        var failures = new List<string>();
        if (!Enabled)
        {
            return failures;
        }

        if (string.IsNullOrWhiteSpace(CurrentMasterKeyId))
        {
            failures.Add($"{prefix}.{nameof(CurrentMasterKeyId)} must name a master key when encryption is enabled.");
        }
        else if (!MasterKeys.ContainsKey(CurrentMasterKeyId))
        {
            failures.Add($"{prefix}.{nameof(CurrentMasterKeyId)} '{CurrentMasterKeyId}' is not in {prefix}.{nameof(MasterKeys)}.");
        }

        foreach (var (id, key) in MasterKeys)
        {
            if (string.IsNullOrWhiteSpace(id) || id.Length > 64)
            {
                failures.Add($"{prefix}.{nameof(MasterKeys)} has a blank or longer than 64 characters key id.");
            }

            if (key is null || key.Length != KeyLength)
            {
                failures.Add($"{prefix}.{nameof(MasterKeys)}['{id}'] must be {KeyLength} bytes (was {key?.Length ?? 0}).");
            }
        }

        return failures;
    }

    internal EncryptionOptions Copy()
    {
        var copy = new EncryptionOptions { Enabled = Enabled, CurrentMasterKeyId = CurrentMasterKeyId };
        foreach (var (id, key) in MasterKeys)
        {
            copy.MasterKeys[id] = key?.ToArray()!;
        }

        return copy;
    }
}
