using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace SessionKit;

/// <summary>The word lists and patterns the extractive summarizer scores sentences with.</summary>
internal static partial class TextFeatures
{
    /// <summary>English function words plus chat small talk ("sure", "thanks", "great question"), lower case.</summary>
    public static readonly FrozenSet<string> Stopwords = """
        a about above after again against all almost along already also although always am among an and another any anyone
        anything anyway are aren't around as at be became because become been before being below between both but by can
        can't cannot could couldn't did didn't do does doesn't doing don't done down during each either else enough even
        ever every everyone everything few for from further get gets getting give given go goes going gone got had hadn't
        has hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his how how's however i
        i'd i'll i'm i've if in into is isn't it it's its itself just least less let let's like likely made make makes
        many may maybe me might mine more most mostly much must mustn't my myself neither never no nor not nothing now of
        off often on once one only onto or other others otherwise ought our ours ourselves out over own per perhaps quite
        rather really said same say says see seem seems shall shan't she she'd she'll she's should shouldn't since so some
        somehow someone something sometimes still such sure than that that's the their theirs them themselves then there
        there's these they they'd they'll they're they've thing things this those though through thus to too toward
        towards under until up upon us use used using very via want was wasn't way we we'd we'll we're we've well were
        weren't what what's whatever when when's where where's whether which while who who's whom whose why why's will
        with within without won't would wouldn't yes yet you you'd you'll you're you've your yours yourself yourselves
        ok okay yeah yep hi hello hey thanks thank welcome please great good nice cool awesome perfect wow glad happy
        hope helps help helpful question questions ask asked asking answer tell explain know knew think thought mean
        interesting fascinating amazing absolutely certainly definitely course sorry feel free bit lot lots kind sort
        anyway alright right actually basically simply pretty need needs wanted wants let's could've would've should've
        """.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries).ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> StopwordLookup =
        Stopwords.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly FrozenSet<string> DefinitionVerbs =
        new[] { "is", "are", "means", "mean", "refers", "denotes", "describes", "stands" }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> DefinitionVerbLookup =
        DefinitionVerbs.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Whether the word (lower case) is a stopword.</summary>
    public static bool IsStopword(ReadOnlySpan<char> lowerWord) => StopwordLookup.Contains(lowerWord);

    /// <summary>Whether the word (lower case) introduces a definition: "X is", "X are", "X means", "X refers to".</summary>
    public static bool IsDefinitionVerb(ReadOnlySpan<char> lowerWord) => DefinitionVerbLookup.Contains(lowerWord);

    /// <summary>A word: a number (with decimals or thousands separators) or letters with inner apostrophes and hyphens.</summary>
    [GeneratedRegex(@"\p{Nd}+(?:[.,]\p{Nd}+)*|[\p{L}\p{Mn}][\p{L}\p{Mn}\p{Nd}\p{No}]*(?:['’\-][\p{L}\p{Mn}\p{Nd}\p{No}]+)*", RegexOptions.CultureInvariant)]
    public static partial Regex Word();

    /// <summary>A quantity: a number not inside a word ("CO2"), with an optional currency sign and unit.</summary>
    [GeneratedRegex(
        @"(?<![\p{L}\p{Nd}.,])(?<currency>[$€£¥])?(?<number>\p{Nd}{1,3}(?:,\p{Nd}{3})+|\p{Nd}+)(?:\.\p{Nd}+)?" +
        @"(?:\s?(?<unit>%|°\s?[CFK]\b|°|percent\b|per\s?cent\b|degrees?\b|ppm\b|ppb\b|[kMGT]?Wh?\b|k[mg]\b|cm\b|mm\b|m\b|" +
        @"[GM]t\b|tonnes?\b|tons?\b|years?\b|months?\b|weeks?\b|days?\b|hours?\b|minutes?\b|seconds?\b|ms\b|" +
        @"billion\b|million\b|trillion\b|thousand\b|[kKMGT]B\b|[GM]Hz\b|USD\b|EUR\b|dollars?\b|euros?\b|x\b|times\b|fold\b))?",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    public static partial Regex Quantity();

    /// <summary>Small talk that opens a sentence with little content after it.</summary>
    [GeneratedRegex(
        @"^\W*(?:sure|ok(?:ay)?|great|good|thanks?|thank you|you'?re welcome|no problem|happy to|glad|hope|let me know|feel free|" +
        @"of course|absolutely|certainly|hi|hello|hey|wow|cool|awesome|perfect|nice|interesting|fascinating|got it|sounds good|" +
        @"makes sense|that'?s (?:great|interesting|fascinating|helpful|amazing|clear)|i see|anything else)\b",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    public static partial Regex FillerOpening();

    /// <summary>A discourse marker before the content ("Sure, ", "Well, "), dropped from the summary to keep it compact.</summary>
    [GeneratedRegex(
        @"^(?:sure|well|so|okay|ok|yes|yeah|absolutely|of course|certainly|alright|right|indeed|great question|good question)\s*[,!.:—–-]\s+",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    public static partial Regex DiscourseMarker();

    /// <summary>An opening that leans on the sentence before ("This …", "It …", "As a result, …", "Most of that …").</summary>
    [GeneratedRegex(
        @"^(?:(?:most|much|some|all|part|many|half|none|each|both|one) of (?:this|that|these|those|it|them)\b|" +
        @"(?:this|that|these|those|it|its|they|their|such|he|she|as a result|therefore|thus|hence|however|but|and|also|then|in addition|moreover|furthermore)\b)",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    public static partial Regex DependentOpening();

    /// <summary>A question answered by a quantity: "How much …", "How many …", "How fast …", "What percentage …".</summary>
    [GeneratedRegex(
        @"\bhow (?:much|many|fast|quickly|far|long|big|large|high|often|old|warm|hot|cold|deep|heavy)\b|\bwhat (?:percentage|share|proportion|fraction|amount)\b",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    public static partial Regex QuantityQuestion();

    /// <summary>The speaker label an extractive summary puts before a line ("User asked: ", "Assistant: ").</summary>
    [GeneratedRegex(
        @"^(?<label>User asked|User|Assistant called [^\s:]{1,64}|Assistant|System|Tool [^\s:]{1,64}|Tool):\s+",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    public static partial Regex SpeakerLabel();
}
