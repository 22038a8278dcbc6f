using SessionKit.Storage;

namespace SessionKit.Testing;

/// <summary>Fixed master keys for encrypted-store tests (never use constant keys outside tests).</summary>
public static class TestMasterKeys
{
    /// <summary>Options with master keys "k1" (current) and, optionally, "k2".</summary>
    /// <param name="current">The current key id.</param>
    /// <param name="ids">The key ids to configure; each key is 32 bytes derived from its id.</param>
    /// <returns>The options.</returns>
    public static EncryptionOptions Options(string current = "k1", params string[] ids)
    {
        var options = new EncryptionOptions { Enabled = true, CurrentMasterKeyId = current };
        foreach (var id in ids.Length == 0 ? [current] : ids)
        {
            options.MasterKeys[id] = Key(id);
        }

        return options;
    }

    /// <summary>A provider over <see cref="Options"/>.</summary>
    /// <param name="current">The current key id.</param>
    /// <param name="ids">The key ids.</param>
    /// <returns>The provider.</returns>
    public static IMasterKeyProvider Provider(string current = "k1", params string[] ids) => new OptionsMasterKeyProvider(Options(current, ids));

    /// <summary>The test key of an id.</summary>
    /// <param name="id">The id.</param>
    /// <returns>32 bytes.</returns>
    public static byte[] Key(string id) => System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("test master key " + id));
}
