using System.Security.Cryptography;
using System.Text;

namespace SessionKit.Sqlite;

/// <summary>
/// A user's key in the full-text index: "u" and 32 hex digits of the SHA-256 of the user id. One alphanumeric token,
/// so an FTS column filter on it can never match another user (ids like "a-b" and "a b" tokenize alike; their keys do not).
/// </summary>
internal static class UserKey
{
    // The last key computed: appends and searches come in runs for one user, so most calls skip the hash. A key is derived
    // from the id alone (no secret), so keeping it in memory reveals nothing the id does not.
    private static Entry? s_last;

    public static string For(string userId)
    {
        var last = s_last;
        if (last is not null && string.Equals(last.UserId, userId, StringComparison.Ordinal))
        {
            return last.Key;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(userId), hash);
        string key = "u" + Convert.ToHexStringLower(hash[..16]);
        s_last = new Entry(userId, key);
        return key;
    }

    /// <summary>Drops the remembered user id (after an erase, so an erased user's id does not stay in memory).</summary>
    public static void Forget() => s_last = null;

    private sealed record Entry(string UserId, string Key);
}
