namespace SessionKit.Tests.Summarization;

/// <summary>Builds stored messages and summaries for summarizer tests.</summary>
internal static class Conversations
{
    private static readonly Guid SessionId = new("0190a0a0-0000-7000-8000-000000000001");
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A climate-research chat: the user asks about the carbon cycle; the answers sit among small talk.</summary>
    public static IReadOnlyList<SessionMessage> CarbonCycle { get; } = Messages(
        (MessageRole.User, "Hi! I'm researching climate change for a school project."),
        (MessageRole.Assistant, "Hello! I'd be glad to help with your research. What would you like to start with?"),
        (MessageRole.User, "Can you explain the carbon cycle?"),
        (MessageRole.Assistant,
            "Sure! The carbon cycle is the process by which carbon moves between the atmosphere, the oceans, the land and living things. " +
            "Plants take in CO2 through photosynthesis, and animals and microbes release it again when they breathe or decompose. " +
            "The oceans absorb roughly a quarter of the CO2 that humans emit each year, and soils and forests store large amounts of carbon as well."),
        (MessageRole.User, "Thanks, that's really helpful."),
        (MessageRole.Assistant, "You're welcome!"),
        (MessageRole.User, "So why is the carbon cycle out of balance now?"),
        (MessageRole.Assistant,
            "Burning fossil fuels releases carbon that was stored underground for millions of years, adding CO2 to the atmosphere faster than natural sinks like the oceans and forests can absorb it. " +
            "As a result, atmospheric CO2 has risen from about 280 ppm before the industrial revolution to about 420 ppm today. " +
            "This extra CO2 traps heat, which is why the planet has already warmed by about 1.1 °C."),
        (MessageRole.User, "Great, thanks!"),
        (MessageRole.Assistant, "Anytime. Let me know if you have any other questions!"));

    /// <summary>Five questions on climate topics, each answered with facts: numbers, named terms, a definition.</summary>
    public static IReadOnlyList<SessionMessage> ClimateQuestions { get; } = Messages(
        (MessageRole.User, "I'm preparing a talk on climate change. What role does methane play?"),
        (MessageRole.Assistant,
            "Methane is a greenhouse gas that traps about 80 times more heat than CO2 over 20 years. " +
            "Its concentration has more than doubled since pre-industrial times, mostly from agriculture, landfills and fossil fuel extraction."),
        (MessageRole.User, "How quickly is the Arctic sea ice disappearing?"),
        (MessageRole.Assistant,
            "Arctic sea ice in September has shrunk by about 13% per decade since satellite records began in 1979. " +
            "Less ice leaves darker water that absorbs more sunlight, which speeds up the warming."),
        (MessageRole.User, "What did the Paris Agreement decide?"),
        (MessageRole.Assistant,
            "The Paris Agreement of 2015 commits nearly 200 countries to keep warming well below 2 °C and to pursue 1.5 °C. " +
            "Each country submits its own plan, called a nationally determined contribution, and strengthens it every five years."),
        (MessageRole.User, "Why does permafrost matter for the climate?"),
        (MessageRole.Assistant,
            "Permafrost is ground that stays frozen for at least two years, and it holds about 1,500 billion tonnes of carbon. " +
            "As it thaws, microbes break that carbon down and release CO2 and methane, which adds to the warming."),
        (MessageRole.User, "How much of the world's electricity comes from renewables?"),
        (MessageRole.Assistant,
            "Renewables supplied about 30% of global electricity in 2023, led by hydropower, wind and solar. " +
            "Solar power has grown fastest because panel prices fell by about 90% in a decade."));

    public static IReadOnlyList<SessionMessage> Messages(params (MessageRole Role, string Content)[] messages) =>
        messages.Select((m, i) => Message(i + 1, m.Role, m.Content)).ToList();

    public static SessionMessage Message(long sequence, MessageRole role, string content, string? toolName = null, string? toolCallId = null) => new()
    {
        Id = new Guid($"0190a0a0-0000-7000-8000-{sequence:D12}"),
        SessionId = SessionId,
        Sequence = sequence,
        Role = role,
        Content = content,
        ToolName = toolName,
        ToolCallId = toolCallId,
        CreatedAt = Start.AddMinutes(sequence),
    };

    public static SessionSummary Summary(long from, long to, string text, int level = 1) => new()
    {
        Id = new Guid($"0190a0a0-0000-7000-9000-{to:D12}"),
        SessionId = SessionId,
        FromSequence = from,
        ToSequence = to,
        Level = level,
        Content = text,
        TokenCount = 0,
        TokenEncoding = SharpTokenCounter.O200kBase,
        SummarizerId = "extractive/1",
        CreatedAt = Start.AddMinutes(to),
    };

    /// <summary>A long research chat of about <paramref name="tokens"/> tokens in <paramref name="count"/> messages.</summary>
    public static IReadOnlyList<SessionMessage> Large(int count, int tokens)
    {
        var random = new Random(42);
        var sentences = CarbonCycle.Where(m => m.Role == MessageRole.Assistant).SelectMany(m => m.Content.Split(". ")).Select(s => s.TrimEnd('.') + ".").ToArray();
        var perMessage = tokens / count;
        var messages = new List<SessionMessage>(count);
        for (var i = 0; i < count; i++)
        {
            var role = i % 2 == 0 ? MessageRole.User : MessageRole.Assistant;
            var builder = new System.Text.StringBuilder();
            while (SharpTokenCounter.Default.CountTokens(builder.ToString()) < perMessage)
            {
                builder.Append(sentences[random.Next(sentences.Length)]).Append(' ');
                builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"Measurement {random.Next(1000)} found {random.Next(100)}.{random.Next(10)} ppm at site {random.Next(50)}. ");
            }

            messages.Add(Message(i + 1, role, builder.ToString().Trim()));
        }

        return messages;
    }

    /// <summary>A random but reproducible conversation: topical sentences, numbers, questions and small talk.</summary>
    public static IReadOnlyList<SessionMessage> Random(int seed, int count)
    {
        var random = new Random(seed);
        string[] subjects = ["The carbon cycle", "Ocean acidification", "The Paris Agreement", "Solar power", "Permafrost", "Methane", "Sea level", "The IPCC report", "Mauna Loa Observatory", "Deforestation"];
        string[] verbs = ["is driven by", "depends on", "has changed because of", "is measured against", "is closely linked to", "affects"];
        string[] objects = ["atmospheric CO2", "fossil fuel emissions", "global temperatures", "the oceans", "tropical forests", "arctic ice", "rainfall patterns", "agricultural land"];
        string[] numbers = ["about 420 ppm", "roughly 1.1 °C", "nearly 30%", "by 2050", "around 3.3 mm per year", "over 1.5 billion tonnes", "since 1958"];
        string[] fillers = ["Sure!", "Great question.", "Thanks!", "Okay.", "Got it, thanks.", "You're welcome!", "Interesting.", "Let me know if you have other questions."];
        string[] emoji = ["🌍", "🔥", "🌊", "😀", "Ünïcödé", "naïve café", "日本語のテキスト"];

        var messages = new List<SessionMessage>(count);
        for (var i = 0; i < count; i++)
        {
            var role = i % 2 == 0 ? MessageRole.User : MessageRole.Assistant;
            var parts = new List<string>();
            var sentenceCount = role == MessageRole.User ? random.Next(1, 3) : random.Next(1, 8);
            for (var s = 0; s < sentenceCount; s++)
            {
                var roll = random.Next(10);
                if (roll < 2)
                {
                    parts.Add(fillers[random.Next(fillers.Length)]);
                }
                else if (role == MessageRole.User && roll < 6)
                {
                    parts.Add($"How does {subjects[random.Next(subjects.Length)].ToLowerInvariant()} relate to {objects[random.Next(objects.Length)]}?");
                }
                else
                {
                    var sentence = $"{subjects[random.Next(subjects.Length)]} {verbs[random.Next(verbs.Length)]} {objects[random.Next(objects.Length)]}";
                    if (random.Next(2) == 0)
                    {
                        sentence += $", {numbers[random.Next(numbers.Length)]}";
                    }

                    if (random.Next(6) == 0)
                    {
                        sentence += " " + emoji[random.Next(emoji.Length)];
                    }

                    parts.Add(sentence + (random.Next(8) == 0 ? "\n" : "."));
                }
            }

            messages.Add(Message(i + 1, role, string.Join(" ", parts)));
        }

        return messages;
    }
}
