using NUnit.Framework;

namespace SessionKit.Benchmarks.Tests;

public sealed class SeededConversationTests
{
    [Test]
    public void Create_AlternatesUserAndAssistant_WithinTheTokenRange()
    {
        var messages = SeededConversation.Create(200, 60, 120);

        var tokens = messages.Select(message => SharpTokenCounter.Default.CountTokens(message.Content)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(messages.Select(message => message.Role), Is.EqualTo(Enumerable.Range(0, 200).Select(i => i % 2 == 0 ? MessageRole.User : MessageRole.Assistant)));
            Assert.That(tokens, Is.All.InRange(60, 120));
            Assert.That(tokens.Average(), Is.InRange(80, 100));
            Assert.That(messages.Select(message => message.Content).Distinct().Count(), Is.EqualTo(200));
        });
    }

    [Test]
    public void Create_WithTheSameSeed_GivesTheSameMessages()
    {
        var first = SeededConversation.Create(50, 60, 120, seed: 3);
        var second = SeededConversation.Create(50, 60, 120, seed: 3);

        Assert.That(second, Is.EqualTo(first));
    }
}
