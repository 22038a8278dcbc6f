using NUnit.Framework;

namespace SessionKit.Tests.Sessions;

[TestFixture]
public sealed class NewMessageTests
{
    [Test]
    public void User_Assistant_System_SetRoleAndContentOnly()
    {
        var messages = new[] { NewMessage.User("u"), NewMessage.Assistant("a"), NewMessage.System("s") };

        using (Assert.EnterMultipleScope())
        {
            Assert.That(messages.Select(m => m.Role), Is.EqualTo(new[] { MessageRole.User, MessageRole.Assistant, MessageRole.System }));
            Assert.That(messages.Select(m => m.Content), Is.EqualTo(new[] { "u", "a", "s" }));
            Assert.That(messages.Select(m => m.AuthorId), Is.All.Null);
            Assert.That(messages.Select(m => m.ToolCallId), Is.All.Null);
            Assert.That(messages.Select(m => m.ToolName), Is.All.Null);
            Assert.That(messages.Select(m => m.Metadata), Is.All.Null);
        }
    }

    [Test]
    public void ToolCall_IsAnAssistantMessageCarryingTheArgumentsAndCallIdentity()
    {
        var message = NewMessage.ToolCall("call-1", "search", "{\"q\":\"x\"}");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(message.Role, Is.EqualTo(MessageRole.Assistant));
            Assert.That(message.Content, Is.EqualTo("{\"q\":\"x\"}"));
            Assert.That(message.ToolCallId, Is.EqualTo("call-1"));
            Assert.That(message.ToolName, Is.EqualTo("search"));
        }
    }

    [Test]
    public void ToolResult_IsAToolMessagePairedByCallId()
    {
        var withName = NewMessage.ToolResult("call-1", "42", "search");
        var withoutName = NewMessage.ToolResult("call-2", "43");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(withName.Role, Is.EqualTo(MessageRole.Tool));
            Assert.That(withName.Content, Is.EqualTo("42"));
            Assert.That(withName.ToolCallId, Is.EqualTo("call-1"));
            Assert.That(withName.ToolName, Is.EqualTo("search"));
            Assert.That(withoutName.ToolCallId, Is.EqualTo("call-2"));
            Assert.That(withoutName.ToolName, Is.Null);
        }
    }

    [Test]
    public void MessageRole_ValuesNeverChange_BecauseBackendsPersistThem()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That((int)MessageRole.System, Is.Zero);
            Assert.That((int)MessageRole.User, Is.EqualTo(1));
            Assert.That((int)MessageRole.Assistant, Is.EqualTo(2));
            Assert.That((int)MessageRole.Tool, Is.EqualTo(3));
        }
    }
}
