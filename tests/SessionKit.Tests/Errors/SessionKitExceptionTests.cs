using NUnit.Framework;

namespace SessionKit.Tests.Errors;

[TestFixture]
public sealed class SessionKitExceptionTests
{
    [Test]
    public void SessionNotFoundException_NamesTheSession()
    {
        var id = Guid.CreateVersion7();

        var ex = new SessionNotFoundException(id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.SessionId, Is.EqualTo(id));
            Assert.That(ex.Message, Does.Contain(id.ToString()));
            Assert.That(ex, Is.InstanceOf<SessionKitException>());
        }
    }

    [Test]
    public void SessionConcurrencyException_CarriesBothVersions()
    {
        var id = Guid.CreateVersion7();

        var ex = new SessionConcurrencyException(id, 3, 5);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.SessionId, Is.EqualTo(id));
            Assert.That(ex.ExpectedVersion, Is.EqualTo(3));
            Assert.That(ex.ActualVersion, Is.EqualTo(5));
            Assert.That(ex.Message, Does.Contain(id.ToString()).And.Contain("version 5").And.Contain("expected version 3"));
            Assert.That(ex, Is.InstanceOf<SessionKitException>());
        }
    }

    [Test]
    public void MessageTooLargeException_SaysWhichMessageHowLargeAndTheLimit()
    {
        var ex = new MessageTooLargeException(2, 1500, 1000);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Index, Is.EqualTo(2));
            Assert.That(ex.Length, Is.EqualTo(1500));
            Assert.That(ex.Limit, Is.EqualTo(1000));
            Assert.That(ex.Message, Does.Contain("Message 2").And.Contain("1500").And.Contain("1000").And.Contain("SessionLimits.MaxContentLength"));
            Assert.That(ex, Is.InstanceOf<SessionKitException>());
        }
    }

    private static IEnumerable<TestCaseData> StandardConstructors()
    {
        yield return Case<SessionKitException>(() => new SessionKitException(), m => new SessionKitException(m), (m, i) => new SessionKitException(m, i));
        yield return Case<SessionNotFoundException>(() => new SessionNotFoundException(), m => new SessionNotFoundException(m), (m, i) => new SessionNotFoundException(m, i));
        yield return Case<SessionConcurrencyException>(() => new SessionConcurrencyException(), m => new SessionConcurrencyException(m), (m, i) => new SessionConcurrencyException(m, i));
        yield return Case<MessageTooLargeException>(() => new MessageTooLargeException(), m => new MessageTooLargeException(m), (m, i) => new MessageTooLargeException(m, i));

        static TestCaseData Case<T>(Func<Exception> none, Func<string, Exception> message, Func<string, Exception, Exception> inner) =>
            new TestCaseData(none, message, inner).SetArgDisplayNames(typeof(T).Name);
    }

    [TestCaseSource(nameof(StandardConstructors))]
    public void StandardConstructors_KeepMessageAndCause(Func<Exception> none, Func<string, Exception> withMessage, Func<string, Exception, Exception> withInner)
    {
        var cause = new InvalidOperationException("cause");

        var plain = none();
        var messaged = withMessage("custom message");
        var wrapped = withInner("wrapped", cause);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(plain.Message, Is.Not.Empty);
            Assert.That(messaged.Message, Is.EqualTo("custom message"));
            Assert.That(wrapped.Message, Is.EqualTo("wrapped"));
            Assert.That(wrapped.InnerException, Is.SameAs(cause));
            Assert.That(new[] { plain, messaged, wrapped }, Is.All.InstanceOf<SessionKitException>());
        }
    }

    [Test]
    public void SessionNotFoundException_WithoutId_HasEmptySessionId()
    {
        Assert.That(new SessionNotFoundException("gone").SessionId, Is.EqualTo(Guid.Empty));
    }
}
