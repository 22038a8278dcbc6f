using NUnit.Framework;
using SessionKit.Storage;

namespace SessionKit.Tests.Storage;

[TestFixture]
public sealed class SessionListPositionTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static IEnumerable<TestCaseData> Positions()
    {
        yield return new TestCaseData(new SessionListPosition(0, Guid.Empty)).SetArgDisplayNames("zero");
        yield return new TestCaseData(new SessionListPosition(Start.UtcTicks, Guid.CreateVersion7(Start))).SetArgDisplayNames("typical");
        yield return new TestCaseData(new SessionListPosition(DateTimeOffset.MaxValue.UtcTicks, Guid.AllBitsSet)).SetArgDisplayNames("largest");
        yield return new TestCaseData(new SessionListPosition(long.MinValue, Guid.Parse("00112233-4455-6677-8899-aabbccddeeff"))).SetArgDisplayNames("negative ticks");
    }

    [TestCaseSource(nameof(Positions))]
    public void Cursor_RoundTripsThePosition(SessionListPosition position)
    {
        string cursor = position.ToCursor();

        Assert.That(SessionListPosition.FromCursor(cursor), Is.EqualTo(position));
    }

    [Test]
    public void Cursor_IsUrlSafeText()
    {
        for (int i = 0; i < 200; i++)
        {
            var position = new SessionListPosition(Start.AddSeconds(i * 7919).UtcTicks, Guid.NewGuid());

            Assert.That(position.ToCursor(), Does.Match("^[A-Za-z0-9_-]+$"));
        }
    }

    [TestCase("")]
    [TestCase(" ")]
    [TestCase("abc")]
    [TestCase("!!!!")]
    [TestCase("not a cursor")]
    [TestCase("%2F%2B")]
    [TestCase("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [TestCase("AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void FromCursor_WithGarbage_ThrowsArgumentException(string cursor)
    {
        var ex = Assert.Throws<ArgumentException>(() => SessionListPosition.FromCursor(cursor));

        Assert.That(ex?.Message, Does.Contain("NextCursor"));
    }

    [Test]
    public void FromCursor_WithTruncatedOrExtendedCursor_ThrowsArgumentException()
    {
        string cursor = new SessionListPosition(Start.UtcTicks, Guid.CreateVersion7(Start)).ToCursor();

        using (Assert.EnterMultipleScope())
        {
            Assert.Throws<ArgumentException>(() => SessionListPosition.FromCursor(cursor[..^1]));
            Assert.Throws<ArgumentException>(() => SessionListPosition.FromCursor(cursor[..^4]));
            Assert.Throws<ArgumentException>(() => SessionListPosition.FromCursor(cursor + "A"));
            Assert.Throws<ArgumentException>(() => SessionListPosition.FromCursor(cursor + "AAAA"));
        }
    }

    [Test]
    public void FromCursor_WithAlteredFormatVersion_ThrowsArgumentException()
    {
        string cursor = new SessionListPosition(Start.UtcTicks, Guid.CreateVersion7(Start)).ToCursor();
        // The first character encodes the top six bits of the format-version byte (1), so any other first character changes the version.
        string altered = (cursor[0] == 'B' ? 'C' : 'B') + cursor[1..];

        Assert.Throws<ArgumentException>(() => SessionListPosition.FromCursor(altered));
    }

    [Test]
    public void FromCursor_WithCharactersOutsideTheUrlSafeAlphabet_ThrowsArgumentException()
    {
        string cursor = new SessionListPosition(Start.UtcTicks, Guid.CreateVersion7(Start)).ToCursor();

        using (Assert.EnterMultipleScope())
        {
            Assert.Throws<ArgumentException>(() => SessionListPosition.FromCursor(cursor[..10] + "+" + cursor[11..]));
            Assert.Throws<ArgumentException>(() => SessionListPosition.FromCursor(cursor[..10] + "/" + cursor[11..]));
            Assert.Throws<ArgumentException>(() => SessionListPosition.FromCursor(cursor[..10] + "é" + cursor[11..]));
        }
    }

    [Test]
    public void FromCursor_WithNull_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => SessionListPosition.FromCursor(null!));
    }

    [Test]
    public void Of_TakesTheSessionsLastActivityInUtcTicksAndItsId()
    {
        var id = Guid.CreateVersion7(Start);
        var session = new Session
        {
            Id = id,
            UserId = "alice",
            CreatedAt = Start,
            LastActivityAt = new DateTimeOffset(2026, 1, 1, 2, 0, 0, TimeSpan.FromHours(2)),
            Version = 1,
        };

        var position = SessionListPosition.Of(session);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(position.LastActivityTicks, Is.EqualTo(Start.UtcTicks));
            Assert.That(position.Id, Is.EqualTo(id));
        }
    }

    [Test]
    public void Of_WithNull_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => SessionListPosition.Of(null!));
    }

    [Test]
    public void Ordering_ListsNewerActivityFirst()
    {
        var older = new SessionListPosition(Start.UtcTicks, Guid.AllBitsSet);
        var newer = new SessionListPosition(Start.AddTicks(1).UtcTicks, Guid.Empty);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(newer.CompareTo(older), Is.Negative);
            Assert.That(older.CompareTo(newer), Is.Positive);
            Assert.That(newer < older, Is.True);
            Assert.That(newer <= older, Is.True);
            Assert.That(older > newer, Is.True);
            Assert.That(older >= newer, Is.True);
            Assert.That(older < newer, Is.False);
        }
    }

    [Test]
    public void Ordering_WithEqualActivity_ListsTheLargerIdFirst()
    {
        var smallId = new SessionListPosition(Start.UtcTicks, Guid.Parse("00000001-0000-0000-0000-000000000000"));
        var largeId = new SessionListPosition(Start.UtcTicks, Guid.Parse("00000100-0000-0000-0000-000000000000"));

        using (Assert.EnterMultipleScope())
        {
            var same = smallId with { };
            Assert.That(largeId < smallId, Is.True);
            Assert.That(smallId.CompareTo(same), Is.Zero);
            Assert.That(smallId <= same, Is.True);
            Assert.That(smallId >= same, Is.True);
        }
    }

    [Test]
    public void CompareIds_ComparesBigEndianBytes_NotTheLittleEndianLayoutOfToByteArray()
    {
        // Little-endian, the first group's bytes are 01 00 00 00 versus 00 01 00 00; big-endian (as written) 00000001 < 00000100.
        var x = Guid.Parse("00000001-0000-0000-0000-000000000000");
        var y = Guid.Parse("00000100-0000-0000-0000-000000000000");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(SessionListPosition.CompareIds(x, y), Is.Negative);
            Assert.That(SessionListPosition.CompareIds(y, x), Is.Positive);
            Assert.That(SessionListPosition.CompareIds(x, x), Is.Zero);
        }
    }

    [Test]
    public void CompareIds_AgreesWithOrdinalOrderOfTheCanonicalText()
    {
        var ids = Enumerable.Range(0, 500).Select(_ => Guid.NewGuid()).ToList();

        var byBytes = ids.Order(Comparer<Guid>.Create(SessionListPosition.CompareIds)).ToList();
        var byText = ids.OrderBy(id => id.ToString("D"), StringComparer.Ordinal).ToList();

        Assert.That(byBytes, Is.EqualTo(byText));
    }

    [Test]
    public void CompareIds_OrdersVersion7IdsByCreationTime()
    {
        var ids = Enumerable.Range(0, 100).Select(i => Guid.CreateVersion7(Start.AddMilliseconds(i))).ToList();

        Assert.That(ids, Is.Ordered.Using<Guid>(SessionListPosition.CompareIds));
    }

    [Test]
    public void Sorting_ByPosition_GivesListingOrder()
    {
        var a = new SessionListPosition(30, Guid.Parse("00000000-0000-0000-0000-000000000001"));
        var b = new SessionListPosition(20, Guid.Parse("00000000-0000-0000-0000-000000000009"));
        var c = new SessionListPosition(20, Guid.Parse("00000000-0000-0000-0000-000000000002"));
        var d = new SessionListPosition(10, Guid.Parse("ffffffff-0000-0000-0000-000000000000"));

        var sorted = new[] { d, c, a, b }.Order().ToArray();

        Assert.That(sorted, Is.EqualTo(new[] { a, b, c, d }));
    }
}
