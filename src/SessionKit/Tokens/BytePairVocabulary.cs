using System.Globalization;
using System.Text;
using SharpToken;

namespace SessionKit;

/// <summary>The mergeable ranks of a tiktoken encoding (byte sequence → rank), read from SharpToken's embedded data file.</summary>
internal sealed class BytePairVocabulary
{
    private readonly Dictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>> _ranks;

    private BytePairVocabulary(Dictionary<byte[], int> ranks)
    {
        _ranks = ranks.GetAlternateLookup<ReadOnlySpan<byte>>();
        Count = ranks.Count;
    }

    /// <summary>The number of mergeable tokens.</summary>
    public int Count { get; }

    /// <summary>Loads the ranks of <paramref name="encodingName"/> (<c>o200k_base</c> or <c>cl100k_base</c>).</summary>
    public static BytePairVocabulary Load(string encodingName)
    {
        // SharpToken ships the .tiktoken files as resources; reading them here (rather than its GptEncoding) lets the
        // counter own the merge loop, which SharpToken runs in time quadratic in the length of a pre-token.
        string resource = $"SharpToken.data.{encodingName}.tiktoken";
        using var stream = typeof(GptEncoding).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The tokenizer data '{resource}' is missing from the SharpToken assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var ranks = new Dictionary<byte[], int>(210_000, ByteSequenceComparer.Instance);
        Span<byte> decoded = stackalloc byte[512];
        while (reader.ReadLine() is { } line)
        {
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0)
            {
                continue;
            }

            if (!Convert.TryFromBase64Chars(line.AsSpan(0, space), decoded, out int length))
            {
                throw new InvalidOperationException($"The tokenizer data '{resource}' has a malformed line.");
            }

            ranks[decoded[..length].ToArray()] = int.Parse(line.AsSpan(space + 1), NumberStyles.None, CultureInfo.InvariantCulture);
        }

        return new BytePairVocabulary(ranks);
    }

    /// <summary>Looks up the rank of a byte sequence.</summary>
    public bool TryGetRank(ReadOnlySpan<byte> bytes, out int rank) => _ranks.TryGetValue(bytes, out rank);

    private sealed class ByteSequenceComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly ByteSequenceComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = default(HashCode);
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
