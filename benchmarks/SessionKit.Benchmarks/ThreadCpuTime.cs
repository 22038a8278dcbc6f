using System.Globalization;

namespace SessionKit.Benchmarks;

/// <summary>
/// The calling thread's time on a CPU and waiting for one, from Linux's <c>/proc/thread-self/schedstat</c> (nanoseconds):
/// on a loaded machine an operation's wall time is mostly whatever else ran, while its CPU time is its own work.
/// </summary>
internal static class ThreadCpuTime
{
    private const string SchedStat = "/proc/thread-self/schedstat";

    /// <summary>Whether the figures can be read here (Linux with scheduler statistics).</summary>
    public static bool IsAvailable { get; } = Read() is not null;

    /// <summary>Nanoseconds the calling thread has run on a CPU and waited in a run queue; <see langword="null"/> where not available.</summary>
    /// <returns>The two counters, or <see langword="null"/>.</returns>
    public static (long OnCpu, long Waiting)? Read()
    {
        try
        {
            var fields = File.ReadAllText(SchedStat).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length >= 2
                && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out long onCpu)
                && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out long waiting)
                ? (onCpu, waiting)
                : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
