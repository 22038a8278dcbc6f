namespace ResearchAssistant;

/// <summary>
/// The assistant's side of the demo, scripted so the sample runs offline and prints the same conversation every time.
/// A model behind an <c>IChatClient</c> takes its place once SessionKit builds context windows for one.
/// </summary>
internal static class ClimateResearchScript
{
    public const string SessionTitle = "Climate change research";

    public const string SystemPrompt =
        "You are a research assistant helping a student write a report on climate change. Answer concisely, cite the "
        + "consensus of the IPCC where it applies, and build on what was said earlier in the conversation.";

    /// <summary>The first conversation, played when the user has no session yet.</summary>
    public static IReadOnlyList<ScriptedTurn> Opening { get; } =
    [
        new(
            "I'm starting a report on climate change. What is the basic mechanism behind global warming?",
            "Greenhouse gases such as carbon dioxide, methane and water vapour let sunlight through but absorb part of the "
            + "infrared radiation the Earth gives off, so more of that heat stays in the lower atmosphere. Raising their "
            + "concentration strengthens this greenhouse effect: atmospheric CO2 has risen from about 280 ppm before the "
            + "industrial revolution to more than 420 ppm today."),
        new(
            "Can you explain the carbon cycle and how we are changing it?",
            "The carbon cycle is the continuous movement of carbon between the atmosphere, the oceans, the land and living "
            + "things: plants take up CO2 by photosynthesis, respiration and decay release it again, and the oceans absorb "
            + "and give off CO2 at their surface. Burning fossil fuels releases carbon that was locked underground for "
            + "millions of years, adding CO2 to the atmosphere faster than the oceans and forests can absorb it, so the "
            + "concentration keeps rising."),
        new(
            "How much has the planet warmed so far?",
            "According to the IPCC's Sixth Assessment Report, global surface temperature in 2011-2020 was about 1.1 °C "
            + "above the 1850-1900 average, and land has warmed faster than the ocean. Nearly all of that warming is "
            + "attributed to human activity."),
        new(
            "Which effects should my report cover?",
            "Cover rising sea levels (thermal expansion and melting ice), more frequent and intense heat waves, changes in "
            + "rainfall with heavier downpours and longer droughts, shrinking glaciers and Arctic sea ice, and ocean "
            + "acidification, which happens because the oceans absorb part of the extra CO2."),
    ];

    /// <summary>Questions a returning user asks, one per later run, in turn.</summary>
    public static IReadOnlyList<ScriptedTurn> FollowUps { get; } =
    [
        new(
            "Picking up where we left off: how much of our CO2 do the oceans and forests actually absorb?",
            "Roughly a quarter of the CO2 emitted by human activity is taken up by the oceans and nearly a third by plants "
            + "and soils on land; a little under half stays in the atmosphere, which is why the concentration keeps rising."),
        new(
            "What are the main ways to limit further warming?",
            "Cut emissions at their source: clean electricity from wind, solar and other low-carbon sources, electrified "
            + "transport and heating, more efficient buildings and industry, and less deforestation. Removing CO2 from the "
            + "air, by forests or technology, can offset the emissions that are hardest to avoid."),
        new(
            "How do scientists project future warming?",
            "Climate models are run under emission scenarios; the IPCC's shared socioeconomic pathways range from very low "
            + "emissions, which keep warming near 1.5 °C, to very high emissions, which lead to roughly 3.3-5.7 °C of "
            + "warming by the end of the century."),
        new(
            "Could you suggest an outline for my report?",
            "1. The greenhouse effect and the carbon cycle. 2. Observed warming and its attribution. 3. Impacts: sea level, "
            + "extremes, ice and oceans. 4. Projections under different scenarios. 5. Mitigation and adaptation. "
            + "6. Conclusion: why the next decades matter."),
    ];

    /// <summary>The follow-up for a session that already holds <paramref name="messageCount"/> messages, cycling through the list.</summary>
    public static ScriptedTurn FollowUpFor(long messageCount)
    {
        long openingLength = 1 + (2 * Opening.Count);
        long followUpsAsked = Math.Max(0, messageCount - openingLength) / 2;
        return FollowUps[(int)(followUpsAsked % FollowUps.Count)];
    }
}
