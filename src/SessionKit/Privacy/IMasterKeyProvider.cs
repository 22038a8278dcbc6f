using System.Diagnostics.CodeAnalysis;

namespace SessionKit;

/// <summary>Supplies the master keys that wrap per-user data keys (from options, a key vault, an HSM-backed service…).</summary>
public interface IMasterKeyProvider
{
    /// <summary>The id of the master key that wraps new and rotated user keys.</summary>
    string CurrentKeyId { get; }

    /// <summary>Gets a master key by id.</summary>
    /// <param name="keyId">The id recorded with a wrapped user key.</param>
    /// <param name="key">The 32-byte key, when found.</param>
    /// <returns><see langword="true"/> when the provider has that key.</returns>
    bool TryGetKey(string keyId, [NotNullWhen(true)] out byte[]? key);
}
