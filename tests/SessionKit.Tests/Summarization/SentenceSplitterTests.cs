using NUnit.Framework;

namespace SessionKit.Tests.Summarization;

[TestFixture]
public sealed class SentenceSplitterTests
{
    private static List<string> Split(string line)
    {
        var sentences = new List<string>();
        SentenceSplitter.SplitSentences(line, sentences);
        return sentences;
    }

    [Test]
    public void SplitSentences_AtPeriodsQuestionAndExclamationMarks()
    {
        Assert.That(
            Split("Sure! The cycle is slow. Why does it matter? It sets the climate."),
            Is.EqualTo(new[] { "Sure!", "The cycle is slow.", "Why does it matter?", "It sets the climate." }));
    }

    [TestCase("Warming is 1.5 degrees at most. Then more.", "Warming is 1.5 degrees at most.")]
    [TestCase("Sinks, e.g. Forests and oceans, absorb CO2. Then more.", "Sinks, e.g. Forests and oceans, absorb CO2.")]
    [TestCase("Sinks, e.g. forests, absorb CO2. Then more.", "Sinks, e.g. forests, absorb CO2.")]
    [TestCase("Dr. Keeling measured CO2 in 1958. Then more.", "Dr. Keeling measured CO2 in 1958.")]
    [TestCase("C. D. Keeling started it. Then more.", "C. D. Keeling started it.")]
    [TestCase("The U.S. economy emits a lot. Then more.", "The U.S. economy emits a lot.")]
    [TestCase("It warmed by 1.1 °C. Then more.", "It warmed by 1.1 °C.")]
    [TestCase("See example.com for data. Then more.", "See example.com for data.")]
    [TestCase("He said \"it is rising.\" Then more.", "He said \"it is rising.\"")]
    [TestCase("Wait... what happened? Then more.", "Wait... what happened?")]
    public void SplitSentences_DoesNotSplitInsideAbbreviationsDecimalsAndInitials(string line, string first)
    {
        var sentences = Split(line);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(sentences, Has.Count.EqualTo(2));
            Assert.That(sentences[0], Is.EqualTo(first));
            Assert.That(sentences[^1], Is.EqualTo("Then more."));
        }
    }

    [Test]
    public void SplitLines_DropsMarkdownMarkersAndEmptyLines_AndFlagsCode()
    {
        var lines = SentenceSplitter.SplitLines("# Carbon\n\n- oceans absorb CO2\n* forests store carbon\n2. soils too\n> quoted\n```\nvar x = 1;\n```\nEnd.");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(lines.Select(l => l.Text), Is.EqualTo(new[] { "Carbon", "oceans absorb CO2", "forests store carbon", "soils too", "quoted", "var x = 1;", "End." }));
            Assert.That(lines.Select(l => l.IsCode), Is.EqualTo(new[] { false, false, false, false, false, true, false }));
        }
    }
}
