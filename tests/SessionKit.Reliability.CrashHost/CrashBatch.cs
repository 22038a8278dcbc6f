using System.Globalization;

namespace SessionKit.Reliability.CrashHost;

/// <summary>The content of one batch, recomputable by the parent from (writer, batch, seed).</summary>
public static class CrashBatch
{
    /// <summary>The number of messages in a batch: 1 to 8, from the seed.</summary>
    /// <param name="writer">The writer's name.</param>
    /// <param name="batch">The batch number.</param>
    /// <param name="seed">The run's seed.</param>
    /// <returns>The size.</returns>
    public static int Size(string writer, int batch, int seed)
    {
        // A stable mix (string.GetHashCode is randomized per process).
        uint h = (uint)seed * 2654435761u ^ (uint)batch * 40503u;
        foreach (char c in writer)
        {
            h = (h ^ c) * 16777619u;
        }

        return (int)(h % 8) + 1;
    }

    /// <summary>The text of one message.</summary>
    /// <param name="writer">The writer's name.</param>
    /// <param name="batch">The batch number.</param>
    /// <param name="index">The message's index in the batch.</param>
    /// <param name="size">The batch's size.</param>
    /// <returns>The content.</returns>
    public static string Content(string writer, int batch, int index, int size) =>
        string.Create(CultureInfo.InvariantCulture, $"{writer}/{batch}/{index}/{size} ") + new string('x', 200);

    /// <summary>The messages of one batch.</summary>
    /// <param name="writer">The writer's name.</param>
    /// <param name="batch">The batch number.</param>
    /// <param name="seed">The run's seed.</param>
    /// <returns>The messages.</returns>
    public static IReadOnlyList<NewMessage> Messages(string writer, int batch, int seed)
    {
        int size = Size(writer, batch, seed);
        return Enumerable.Range(0, size).Select(i => NewMessage.User(Content(writer, batch, i, size))).ToArray();
    }
}
