using System.Diagnostics.CodeAnalysis;

namespace SessionKit.Storage;

/// <summary>The master keys given in <see cref="EncryptionOptions"/>.</summary>
public sealed class OptionsMasterKeyProvider : IMasterKeyProvider
{
    private readonly Dictionary<string, byte[]> _keys;

    /// <summary>Creates the provider from validated options (copied).</summary>
    /// <param name="options">Options with <see cref="EncryptionOptions.Enabled"/> set.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names the setting, never a key.</exception>
    public OptionsMasterKeyProvider(EncryptionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = options.Validate();
        if (!options.Enabled || failures.Count > 0)
        {
            throw new ArgumentException(options.Enabled ? string.Join(" ", failures) : "EncryptionOptions.Enabled must be true.", nameof(options));
        }

        _keys = options.MasterKeys.ToDictionary(static p => p.Key, static p => p.Value.ToArray(), StringComparer.Ordinal);
        CurrentKeyId = options.CurrentMasterKeyId!;
    }

    /// <inheritdoc />
    public string CurrentKeyId { get; }

    /// <inheritdoc />
    public bool TryGetKey(string keyId, [NotNullWhen(true)] out byte[]? key) => _keys.TryGetValue(keyId, out key);
}
