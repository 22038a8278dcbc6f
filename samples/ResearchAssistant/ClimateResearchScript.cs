namespace ResearchAssistant;

/// <summary>
/// Both sides of the demo that a real app would get from its user and its model: the day-0 conversation and the questions
/// a returning user asks. Scripted, so the sample runs offline and tells the same story every time.
/// </summary>
internal static class ClimateResearchScript
{
    public const string SessionTitle = "Climate change research";

    // Sent with every context request rather than stored as a message: it is the app's instruction, not part of the
    // conversation, and the builder charges it to the budget once.
    public const string SystemPrompt =
        "You are a research assistant helping a student understand climate change. Answer from the conversation so far, "
        + "and say where in it your answer comes from.";

    /// <summary>The first conversation, played when the user has no session yet: each turn refines the picture.</summary>
    public static IReadOnlyList<ScriptedTurn> DayZero { get; } =
    [
        new(
            "I'm writing a report on climate change. What actually causes global warming?",
            "Greenhouse gases such as carbon dioxide, methane and water vapour let sunlight through but absorb part of the "
            + "infrared heat the Earth radiates back, so the lower atmosphere warms. This greenhouse effect is natural and "
            + "keeps the planet habitable; adding more of these gases strengthens it."),
        new(
            "How much CO2 is in the atmosphere now, compared with before industrialisation?",
            "Atmospheric CO2 has risen from about 280 ppm before the industrial revolution to about 420 ppm today, a level "
            + "not seen for millions of years. Most of that increase has happened since 1950."),
        new(
            "What is the carbon cycle, and how are we changing it?",
            "The carbon cycle is the process by which carbon moves between the atmosphere, the oceans, the land and living "
            + "things; burning fossil fuels releases carbon stored underground for millions of years faster than the oceans "
            + "and forests can absorb it. Plants take up CO2 through photosynthesis, while respiration and decay return it."),
        new(
            "How much has the planet warmed so far?",
            "Global surface temperature in 2011-2020 was about 1.1 °C above the 1850-1900 average, according to the IPCC. "
            + "Land has warmed faster than the ocean, and the Arctic several times faster than the global average."),
        new(
            "What are feedback loops, and why do they matter?",
            "A feedback loop is a process in which warming triggers changes that amplify or dampen further warming. Melting "
            + "sea ice exposes darker ocean that absorbs more sunlight, and thawing permafrost releases methane; both amplify "
            + "warming. Feedbacks are why the climate responds more strongly than CO2 alone would make it."),
        new(
            "What is ocean acidification?",
            "Ocean acidification is the drop in seawater pH caused by the oceans absorbing about a quarter of the CO2 we emit. "
            + "Surface pH has fallen by about 0.1 since pre-industrial times, which makes it harder for corals and shellfish "
            + "to build their shells and skeletons."),
        new(
            "How fast is the sea level rising, and why?",
            "Global mean sea level rose by about 20 cm between 1901 and 2018, and the rise is accelerating: about 3.7 mm a "
            + "year in 2006-2018. Two causes dominate: seawater expands as it warms, and glaciers and the ice sheets of "
            + "Greenland and Antarctica are melting."),
        new(
            "Which extreme weather events are linked to the warming?",
            "Heat waves have become more frequent and more intense, heavy rainfall has increased over most land regions, and "
            + "some regions face more severe droughts. Attribution studies can now estimate how much more likely the warming "
            + "made a particular event."),
        new(
            "What can be done to limit further warming?",
            "Mitigation means cutting greenhouse gas emissions: replacing coal, oil and gas with wind, solar and other "
            + "low-carbon electricity, electrifying transport and heating, using energy more efficiently and halting "
            + "deforestation. Limiting warming to 1.5 °C requires global CO2 emissions to reach net zero around 2050."),
        new(
            "Could you suggest a structure for my report?",
            "Open with the physical science: the greenhouse effect, rising CO2 and how much warming has been observed. Then "
            + "cover the impacts, from feedbacks to acidification, sea level and extremes, and end with mitigation, "
            + "adaptation and why the next decades matter."),
    ];

    /// <summary>How many messages the day-0 conversation stores.</summary>
    public static int DayZeroMessageCount => 2 * DayZero.Count;

    // The first return asks about something from early on day 0, so the answer has to come from a summary; later runs
    // rotate through the rest so every run still shows a real window and answer.
    private const string FirstReturnQuestion = "What did you say about the carbon cycle?";

    private static readonly string[] LaterReturnQuestions =
    [
        "What did we say about sea-level rise?",
        "Remind me what you said about ocean acidification.",
        "What did you tell me about limiting the warming?",
    ];

    // With --semantic the user asks in other words: no word of these questions is in the answer they are after (the
    // first one's answer is "Global surface temperature in 2011-2020 was about 1.1 °C above the 1850-1900 average").
    public const string FirstParaphrasedQuestion = "By how many degrees has our world heated up?";

    private static readonly string[] LaterParaphrasedQuestions =
    [
        "What stops our world from freezing at night?",
        "Why do storms and dry spells seem worse now?",
        "By how many degrees has our world heated up?",
    ];

    /// <summary>The question a returning user asks when the session already holds <paramref name="messageCount"/> messages.</summary>
    public static string ReturnQuestionFor(long messageCount, bool paraphrased = false)
    {
        // Each return adds a question and its answer to the day-0 messages.
        long returnsSoFar = Math.Max(0, messageCount - DayZeroMessageCount) / 2;
        string[] later = paraphrased ? LaterParaphrasedQuestions : LaterReturnQuestions;
        return returnsSoFar == 0
            ? paraphrased ? FirstParaphrasedQuestion : FirstReturnQuestion
            : later[(int)((returnsSoFar - 1) % later.Length)];
    }
}
