using System.Buffers.Binary;
using System.Buffers.Text;

namespace SessionKit.Storage;

/// <summary>
/// The keyset position of a session in a user's listing: newest activity first, ties broken by id, descending.
/// Ids compare by their big-endian bytes, which is also how SQLite orders them as BLOBs.
/// </summary>
/// <param name="LastActivityTicks">The session's <see cref="Session.LastActivityAt"/> in UTC ticks.</param>
/// <param name="Id">The session id.</param>
public readonly record struct SessionListPosition(long LastActivityTicks, Guid Id) : IComparable<SessionListPosition>
{
    private const int EncodedLength = 1 + 8 + 16;
    private const byte FormatVersion = 1;
    private const int CreationEncodedLength = 1 + 16;
    private const byte CreationFormatVersion = 2;

    /// <summary>The position of a session.</summary>
    /// <param name="session">The session.</param>
    /// <returns>Its position.</returns>
    public static SessionListPosition Of(Session session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return new(session.LastActivityAt.UtcTicks, session.Id);
    }

    /// <summary>Compares in listing order: a position that is listed earlier is smaller.</summary>
    /// <param name="other">The other position.</param>
    /// <returns>Negative when this one is listed first.</returns>
    public int CompareTo(SessionListPosition other)
    {
        int byActivity = other.LastActivityTicks.CompareTo(LastActivityTicks);
        return byActivity != 0 ? byActivity : CompareIds(other.Id, Id);
    }

    /// <summary>Compares two ids by their big-endian byte representation (the order of version 7 GUIDs' timestamps).</summary>
    /// <param name="x">One id.</param>
    /// <param name="y">Another id.</param>
    /// <returns>The order of <paramref name="x"/> relative to <paramref name="y"/>.</returns>
    public static int CompareIds(Guid x, Guid y)
    {
        Span<byte> a = stackalloc byte[16];
        Span<byte> b = stackalloc byte[16];
        x.TryWriteBytes(a, bigEndian: true, out _);
        y.TryWriteBytes(b, bigEndian: true, out _);
        return a.SequenceCompareTo(b);
    }

    /// <summary>Whether <paramref name="left"/> is listed before <paramref name="right"/>.</summary>
    /// <param name="left">One position.</param>
    /// <param name="right">Another position.</param>
    /// <returns>The comparison.</returns>
    public static bool operator <(SessionListPosition left, SessionListPosition right) => left.CompareTo(right) < 0;

    /// <summary>Whether <paramref name="left"/> is listed after <paramref name="right"/>.</summary>
    /// <param name="left">One position.</param>
    /// <param name="right">Another position.</param>
    /// <returns>The comparison.</returns>
    public static bool operator >(SessionListPosition left, SessionListPosition right) => left.CompareTo(right) > 0;

    /// <summary>Whether <paramref name="left"/> is listed before or at <paramref name="right"/>.</summary>
    /// <param name="left">One position.</param>
    /// <param name="right">Another position.</param>
    /// <returns>The comparison.</returns>
    public static bool operator <=(SessionListPosition left, SessionListPosition right) => left.CompareTo(right) <= 0;

    /// <summary>Whether <paramref name="left"/> is listed after or at <paramref name="right"/>.</summary>
    /// <param name="left">One position.</param>
    /// <param name="right">Another position.</param>
    /// <returns>The comparison.</returns>
    public static bool operator >=(SessionListPosition left, SessionListPosition right) => left.CompareTo(right) >= 0;

    /// <summary>Encodes the position as an opaque, URL-safe cursor.</summary>
    /// <returns>The cursor text.</returns>
    public string ToCursor()
    {
        Span<byte> bytes = stackalloc byte[EncodedLength];
        bytes[0] = FormatVersion;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], LastActivityTicks);
        Id.TryWriteBytes(bytes[9..], bigEndian: true, out _);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>The cursor after session <paramref name="id"/> in <see cref="SessionListOrder.Created"/> order.</summary>
    /// <param name="id">The last session of a page.</param>
    /// <returns>The cursor.</returns>
    internal static string ToCreationCursor(Guid id)
    {
        Span<byte> bytes = stackalloc byte[CreationEncodedLength];
        bytes[0] = CreationFormatVersion;
        id.TryWriteBytes(bytes[1..], bigEndian: true, out _);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>Parses a cursor made by <see cref="ToCreationCursor"/>.</summary>
    /// <param name="cursor">The cursor.</param>
    /// <returns>The id of the last session of the previous page.</returns>
    /// <exception cref="ArgumentException">The cursor is malformed or belongs to the other order.</exception>
    internal static Guid FromCreationCursor(string cursor)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        Span<byte> bytes = stackalloc byte[CreationEncodedLength + 3];
        if (!Base64Url.IsValid(cursor, out int decodedLength) || decodedLength != CreationEncodedLength
            || !Base64Url.TryDecodeFromChars(cursor, bytes, out int written) || written != CreationEncodedLength || bytes[0] != CreationFormatVersion)
        {
            throw new ArgumentException("The cursor is not valid for SessionListOrder.Created: pass the NextCursor of a previous page listed in the same order, unchanged.", nameof(cursor));
        }

        return new Guid(bytes.Slice(1, 16), bigEndian: true);
    }

    /// <summary>Decodes a cursor made by <see cref="ToCursor"/>.</summary>
    /// <param name="cursor">The cursor text.</param>
    /// <returns>The position.</returns>
    /// <exception cref="ArgumentException">The text is not a cursor made by this library.</exception>
    public static SessionListPosition FromCursor(string cursor)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        Span<byte> bytes = stackalloc byte[EncodedLength + 3];
        // TryDecodeFromChars throws FormatException on characters outside the alphabet, so validate first: bad input is an ArgumentException.
        if (!Base64Url.IsValid(cursor, out int decodedLength) || decodedLength != EncodedLength
            || !Base64Url.TryDecodeFromChars(cursor, bytes, out int written) || written != EncodedLength || bytes[0] != FormatVersion)
        {
            throw new ArgumentException("The cursor is not valid: pass the NextCursor of a previous page unchanged.", nameof(cursor));
        }

        return new(BinaryPrimitives.ReadInt64BigEndian(bytes[1..]), new Guid(bytes.Slice(9, 16), bigEndian: true));
    }
}
