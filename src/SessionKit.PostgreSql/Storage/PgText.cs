namespace SessionKit.PostgreSql;

/// <summary>
/// PostgreSQL text cannot hold U+0000, which SessionKit accepts as data. Every string goes through this reversible escape:
/// U+FFFF becomes U+FFFF '1' and U+0000 becomes U+FFFF '0'; strings with neither (almost all) pass unchanged and unallocated.
/// The mapping is injective, so equality and uniqueness are kept; only the order of strings holding U+0000 or U+FFFF shifts.
/// </summary>
internal static class PgText
{
    private const char Escape = '\uFFFF';

    public static string Encode(string value)
    {
        if (value.AsSpan().IndexOfAny('\0', Escape) < 0)
        {
            return value;
        }

        var builder = new System.Text.StringBuilder(value.Length + 8);
        foreach (char c in value)
        {
            switch (c)
            {
                case '\0':
                    builder.Append(Escape).Append('0');
                    break;
                case Escape:
                    builder.Append(Escape).Append('1');
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.ToString();
    }

    public static string? EncodeNullable(string? value) => value is null ? null : Encode(value);

    public static string Decode(string value)
    {
        int at = value.IndexOf(Escape, StringComparison.Ordinal);
        if (at < 0)
        {
            return value;
        }

        var builder = new System.Text.StringBuilder(value.Length);
        builder.Append(value, 0, at);
        for (int i = at; i < value.Length; i++)
        {
            char c = value[i];
            if (c == Escape && i + 1 < value.Length)
            {
                builder.Append(value[++i] == '0' ? '\0' : Escape);
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
