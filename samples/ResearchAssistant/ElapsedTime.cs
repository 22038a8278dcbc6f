using System.Globalization;

namespace ResearchAssistant;

/// <summary>Says how much time passed the way a person would ("two days", "12 minutes").</summary>
internal static class ElapsedTime
{
    private static readonly string[] SmallNumbers = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];

    /// <summary>"a moment", "12 minutes", "one hour", "two days".</summary>
    public static string Amount(TimeSpan elapsed) =>
        elapsed.TotalMinutes < 1 ? "a moment"
        : elapsed.TotalHours < 1 ? Count((int)elapsed.TotalMinutes, "minute")
        : elapsed.TotalDays < 1 ? Count((int)elapsed.TotalHours, "hour")
        : Count((int)elapsed.TotalDays, "day");

    /// <summary>"two days ago".</summary>
    public static string Ago(TimeSpan elapsed) => Amount(elapsed) + " ago";

    /// <summary>The text with its first letter in upper case, to open a sentence with an amount.</summary>
    public static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static string Count(int count, string unit)
    {
        string number = count < SmallNumbers.Length ? SmallNumbers[count] : count.ToString(CultureInfo.InvariantCulture);
        return $"{number} {unit}{(count == 1 ? string.Empty : "s")}";
    }
}
