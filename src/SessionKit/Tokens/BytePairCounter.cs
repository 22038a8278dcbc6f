using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace SessionKit;

/// <summary>
/// Counts the tokens of a tiktoken encoding in time O(n log n) in the length of the text whatever its shape: exactly
/// (the count of tiktoken's and SharpToken's encoders) for every pre-token of up to <see cref="MaxExactPieceBytes"/>
/// UTF-8 bytes, and as the pre-token's UTF-8 byte length — never less than its true count — beyond that.
/// </summary>
/// <remarks>
/// <para>
/// tiktoken's reference merge loop (which SharpToken 2.0.6 ports) rescans every pair of a pre-token after each merge,
/// so one long pre-token — a 128 KB word, unpunctuated Chinese, a run of one character — costs time quadratic in its
/// length (seconds for 100 KB, minutes for 1 MB). This counter runs the same merges in the same order: the lowest rank
/// first, the leftmost of equal ranks, until no adjacent pair is a token. Short pre-tokens use that loop directly;
/// longer ones keep the candidate pairs in a binary heap keyed by (rank, position) with stale entries skipped, which
/// picks exactly the pair the loop would pick. Whole pre-tokens that are one token are looked up first.
/// </para>
/// <para>
/// Pre-tokens longer than <see cref="MaxExactPieceBytes"/> occur only in machine-made or hostile text (ordinary words,
/// numbers and punctuation runs are a few dozen bytes; the encodings' longest tokens are 128 bytes). They are charged
/// their UTF-8 byte length: byte-level BPE starts from one token per byte and every merge removes one, so the byte
/// length is a hard upper bound on the true count, and budgets computed with it still hold. It costs one pass over the
/// bytes, where even the heap would spend about a microsecond per byte on such input.
/// </para>
/// </remarks>
internal sealed class BytePairCounter
{
    // Up to this many bytes the quadratic loop (on the stack) is faster than the heap; beyond it the heap wins.
    private const int SmallPiece = 48;

    /// <summary>Pre-tokens up to this many UTF-8 bytes are counted exactly; longer ones are charged their byte length.</summary>
    internal const int MaxExactPieceBytes = 8 * 1024;

    private readonly Regex _preTokenizer;
    private readonly BytePairVocabulary _vocabulary;

    public BytePairCounter(Regex preTokenizer, BytePairVocabulary vocabulary)
    {
        _preTokenizer = preTokenizer;
        _vocabulary = vocabulary;
    }

    /// <summary>Creates the counter of <paramref name="encodingName"/>, loading its ranks (a fraction of a second, once).</summary>
    public static BytePairCounter Load(string encodingName) =>
        new(PreTokenizers.For(encodingName), BytePairVocabulary.Load(encodingName));

    /// <summary>Counts the tokens of <paramref name="text"/>; special-token markers are ordinary text.</summary>
    public int Count(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return 0;
        }

        byte[]? rented = null;
        Span<byte> buffer = stackalloc byte[256];
        int count = 0;
        try
        {
            foreach (var match in _preTokenizer.EnumerateMatches(text))
            {
                var piece = text.Slice(match.Index, match.Length);
                if (piece.Length > MaxExactPieceBytes)
                {
                    // At least one byte per char, so certainly over the limit: the byte length bounds the count.
                    count += Encoding.UTF8.GetByteCount(piece);
                    continue;
                }

                int maxBytes = Encoding.UTF8.GetMaxByteCount(piece.Length);
                if (maxBytes > buffer.Length)
                {
                    if (rented is not null)
                    {
                        ArrayPool<byte>.Shared.Return(rented);
                    }

                    rented = ArrayPool<byte>.Shared.Rent(maxBytes);
                    buffer = rented;
                }

                int length = Encoding.UTF8.GetBytes(piece, buffer);
                count += length > MaxExactPieceBytes ? length : CountPiece(buffer[..length]);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        return count;
    }

    /// <summary>Counts the tokens of one pre-token's bytes.</summary>
    internal int CountPiece(ReadOnlySpan<byte> piece)
    {
        if (piece.Length <= 1 || _vocabulary.TryGetRank(piece, out _))
        {
            return piece.Length == 0 ? 0 : 1;
        }

        return piece.Length <= SmallPiece ? CountSmall(piece) : CountLarge(piece);
    }

    /// <summary>tiktoken's loop: merge the lowest-ranked (leftmost on ties) adjacent pair until none is a token.</summary>
    internal int CountSmall(ReadOnlySpan<byte> piece)
    {
        if (piece.Length > SmallPiece)
        {
            throw new ArgumentOutOfRangeException(nameof(piece), piece.Length, "Too long for the quadratic loop.");
        }

        // starts[i] is where part i begins, starts[parts] == piece.Length; ranks[i] is the rank of parts i and i+1 merged.
        int parts = piece.Length;
        Span<int> starts = stackalloc int[SmallPiece + 1];
        Span<int> ranks = stackalloc int[SmallPiece];
        for (int i = 0; i <= parts; i++)
        {
            starts[i] = i;
        }

        for (int i = 0; i < parts - 1; i++)
        {
            ranks[i] = RankOf(piece[i..(i + 2)]);
        }

        ranks[parts - 1] = int.MaxValue;
        while (true)
        {
            int best = -1;
            int bestRank = int.MaxValue;
            for (int i = 0; i < parts - 1; i++)
            {
                if (ranks[i] < bestRank)
                {
                    bestRank = ranks[i];
                    best = i;
                }
            }

            if (best < 0)
            {
                return parts;
            }

            starts[(best + 2)..(parts + 1)].CopyTo(starts[(best + 1)..]);
            ranks[(best + 2)..parts].CopyTo(ranks[(best + 1)..]);
            parts--;
            ranks[best] = best + 1 < parts ? RankOf(piece[starts[best]..starts[best + 2]]) : int.MaxValue;
            if (best > 0)
            {
                ranks[best - 1] = RankOf(piece[starts[best - 1]..starts[best + 1]]);
            }
        }
    }

    /// <summary>The same merges as <see cref="CountSmall"/>, in O(n log n): a heap of candidate pairs, stale ones skipped.</summary>
    internal int CountLarge(ReadOnlySpan<byte> piece)
    {
        int n = piece.Length;
        var pool = ArrayPool<int>.Shared;
        int[] next = pool.Rent(n);
        int[] prev = pool.Rent(n);
        int[] pairRank = pool.Rent(n);
        var heap = new PairHeap(n);
        try
        {
            // Parts are named by their first byte; next/prev link live parts; pairRank[p] is the rank of part p merged
            // with the part after it (-1: not a token, or p is no longer a part).
            for (int i = 0; i < n; i++)
            {
                next[i] = i + 1;
                prev[i] = i - 1;
                pairRank[i] = -1;
            }

            for (int i = 0; i < n - 1; i++)
            {
                if (_vocabulary.TryGetRank(piece[i..(i + 2)], out int rank))
                {
                    pairRank[i] = rank;
                    heap.Push(rank, i);
                }
            }

            int parts = n;
            while (heap.TryPop(out int rank, out int left))
            {
                // A pair's bytes only grow, and every byte sequence has one rank, so a changed pair has another rank.
                if (pairRank[left] != rank)
                {
                    continue;
                }

                int right = next[left];
                int end = next[right];
                pairRank[right] = -1;
                next[left] = end;
                if (end < n)
                {
                    prev[end] = left;
                }

                parts--;
                pairRank[left] = end < n && _vocabulary.TryGetRank(piece[left..next[end]], out int after) ? after : -1;
                if (pairRank[left] >= 0)
                {
                    heap.Push(pairRank[left], left);
                }

                if (left > 0)
                {
                    int before = prev[left];
                    pairRank[before] = _vocabulary.TryGetRank(piece[before..end], out int merged) ? merged : -1;
                    if (pairRank[before] >= 0)
                    {
                        heap.Push(pairRank[before], before);
                    }
                }
            }

            return parts;
        }
        finally
        {
            heap.Dispose();
            pool.Return(next);
            pool.Return(prev);
            pool.Return(pairRank);
        }
    }

    private int RankOf(ReadOnlySpan<byte> bytes) => _vocabulary.TryGetRank(bytes, out int rank) ? rank : int.MaxValue;

    /// <summary>A binary min-heap of (rank, position) packed into one long, on pooled memory.</summary>
    private struct PairHeap : IDisposable
    {
        private long[] _items;
        private int _count;

        public PairHeap(int capacity)
        {
            _items = ArrayPool<long>.Shared.Rent(Math.Max(capacity, 16));
            _count = 0;
        }

        public void Push(int rank, int position)
        {
            if (_count == _items.Length)
            {
                var larger = ArrayPool<long>.Shared.Rent(_items.Length * 2);
                _items.AsSpan(0, _count).CopyTo(larger);
                ArrayPool<long>.Shared.Return(_items);
                _items = larger;
            }

            long item = ((long)rank << 32) | (uint)position;
            int i = _count++;
            while (i > 0)
            {
                int parent = (i - 1) >> 1;
                if (_items[parent] <= item)
                {
                    break;
                }

                _items[i] = _items[parent];
                i = parent;
            }

            _items[i] = item;
        }

        public bool TryPop(out int rank, out int position)
        {
            if (_count == 0)
            {
                rank = 0;
                position = 0;
                return false;
            }

            long top = _items[0];
            long last = _items[--_count];
            int i = 0;
            while (true)
            {
                int child = (2 * i) + 1;
                if (child >= _count)
                {
                    break;
                }

                if (child + 1 < _count && _items[child + 1] < _items[child])
                {
                    child++;
                }

                if (_items[child] >= last)
                {
                    break;
                }

                _items[i] = _items[child];
                i = child;
            }

            if (_count > 0)
            {
                _items[i] = last;
            }

            rank = (int)(top >> 32);
            position = (int)top;
            return true;
        }

        public readonly void Dispose() => ArrayPool<long>.Shared.Return(_items);
    }
}
