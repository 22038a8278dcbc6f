using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace SessionKit;

/// <summary>The vector arithmetic semantic search needs: dot products, unit length, float32 bytes.</summary>
internal static class VectorMath
{
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int length = Math.Min(a.Length, b.Length);
        float sum = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && length >= Vector<float>.Count)
        {
            // Four accumulators: independent additions keep the vector unit busy (a 384-float row is 12 AVX2 steps each).
            var acc0 = Vector<float>.Zero;
            var acc1 = Vector<float>.Zero;
            var acc2 = Vector<float>.Zero;
            var acc3 = Vector<float>.Zero;
            var va = MemoryMarshal.Cast<float, Vector<float>>(a[..length]);
            var vb = MemoryMarshal.Cast<float, Vector<float>>(b[..length]);
            int v = 0;
            for (; v + 4 <= va.Length; v += 4)
            {
                acc0 += va[v] * vb[v];
                acc1 += va[v + 1] * vb[v + 1];
                acc2 += va[v + 2] * vb[v + 2];
                acc3 += va[v + 3] * vb[v + 3];
            }

            for (; v < va.Length; v++)
            {
                acc0 += va[v] * vb[v];
            }

            sum = Vector.Dot((acc0 + acc1) + (acc2 + acc3), Vector<float>.One);
            i = va.Length * Vector<float>.Count;
        }

        for (; i < length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    /// <summary>A copy scaled to unit length, or <see langword="null"/> for a zero or non-finite vector.</summary>
    public static float[]? Normalized(ReadOnlySpan<float> vector)
    {
        double norm = 0;
        foreach (float x in vector)
        {
            norm += (double)x * x;
        }

        if (!(norm > 0) || double.IsInfinity(norm))
        {
            return null;
        }

        float scale = (float)(1 / Math.Sqrt(norm));
        var result = new float[vector.Length];
        for (int i = 0; i < vector.Length; i++)
        {
            result[i] = vector[i] * scale;
        }

        return result;
    }

    public static byte[] ToBytes(float[] vector)
    {
        var bytes = new byte[vector.Length * sizeof(float)];
        for (int i = 0; i < vector.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), vector[i]);
        }

        return bytes;
    }

    public static float[] FromBytes(ReadOnlySpan<byte> bytes)
    {
        var vector = new float[bytes.Length / sizeof(float)];
        for (int i = 0; i < vector.Length; i++)
        {
            vector[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]);
        }

        return vector;
    }
}
