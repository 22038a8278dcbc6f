using System.Security.Cryptography;
using System.Text;

namespace SessionKit.PostgreSql;

/// <summary>
/// A user's key in the full-text index: "u" and 32 hex digits of the SHA-256 of the user id. One alphanumeric token,
/// so an FTS column filter on it can never match another user (ids like "a-b" and "a b" tokenize alike; their keys do not).
/// </summary>
internal static class UserKey
{
    public static string For(string userId)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(userId), hash);
        return "u" + Convert.ToHexStringLower(hash[..16]);
    }
}
