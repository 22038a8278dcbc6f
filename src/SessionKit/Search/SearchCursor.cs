using System.Buffers.Binary;
using System.Buffers.Text;

namespace SessionKit;

/// <summary>The opaque <see cref="SearchQuery.Cursor"/>: a format byte and the number of ranked hits to skip, base64url.</summary>
internal static class SearchCursor
{
    private const byte FormatVersion = 1;
    private const int EncodedLength = 1 + 4;

    public static string Encode(int offset)
    {
        Span<byte> bytes = stackalloc byte[EncodedLength];
        bytes[0] = FormatVersion;
        BinaryPrimitives.WriteInt32BigEndian(bytes[1..], offset);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>The offset the query's cursor stands for: 0 for none; an <see cref="ArgumentException"/> for anything that is
    /// not a cursor a search made or points deeper than <see cref="SearchQuery.MaxOffset"/>.</summary>
    public static int Decode(SearchQuery query)
    {
        string? cursor = query.Cursor;
        if (cursor is null)
        {
            return 0;
        }

        Span<byte> bytes = stackalloc byte[EncodedLength + 3];
        // TryDecodeFromChars throws FormatException on characters outside the alphabet, so validate first.
        if (!Base64Url.IsValid(cursor, out int decodedLength) || decodedLength != EncodedLength
            || !Base64Url.TryDecodeFromChars(cursor, bytes, out int written) || written != EncodedLength || bytes[0] != FormatVersion)
        {
            throw new ArgumentException("SearchQuery.Cursor is not valid: pass the NextCursor of a previous page unchanged.", nameof(query));
        }

        int offset = BinaryPrimitives.ReadInt32BigEndian(bytes[1..]);
        if (offset is < 0 or > SearchQuery.MaxOffset)
        {
            throw new ArgumentOutOfRangeException(nameof(query), offset, $"SearchQuery.Cursor points past the deepest page: paging stops after {SearchQuery.MaxOffset} hits.");
        }

        return offset;
    }
}
