using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace SessionKit.Extensions.AI.Tests;

/// <summary>
/// A deterministic stand-in for a model: records every request (a copy of the messages and options) and answers with what
/// <see cref="Respond"/> returns; can fail before answering or in the middle of a stream.
/// </summary>
internal sealed class FakeChatClient : IChatClient
{
    public List<(List<ChatMessage> Messages, ChatOptions? Options)> Requests { get; } = [];

    /// <summary>Makes the reply to a request (its messages); by default an assistant message numbered by the request.</summary>
    public Func<IReadOnlyList<ChatMessage>, ChatResponse> Respond { get; set; }

    /// <summary>Thrown instead of answering, when set.</summary>
    public Exception? Failure { get; set; }

    /// <summary>When set, a stream throws this after its first update.</summary>
    public Exception? StreamFailure { get; set; }

    public FakeChatClient() => Respond = DefaultReply;

    public static ChatResponse DefaultReply(IReadOnlyList<ChatMessage> messages) =>
        new(new ChatMessage(ChatRole.Assistant, $"Noted: {messages[^1].Text}") { MessageId = $"reply-{messages.Count}" });

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var list = Record(messages, options);
        if (Failure is not null)
        {
            throw Failure;
        }

        return Task.FromResult(Respond(list));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = Record(messages, options);
        if (Failure is not null)
        {
            throw Failure;
        }

        var updates = Chunks(Respond(list));
        for (int i = 0; i < updates.Count; i++)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            if (i == 1 && StreamFailure is not null)
            {
                throw StreamFailure;
            }

            yield return updates[i];
        }
    }

    /// <summary>Streams each text-only message word by word (updates sharing the message id), other messages whole.</summary>
    private static List<ChatResponseUpdate> Chunks(ChatResponse response)
    {
        var updates = new List<ChatResponseUpdate>();
        foreach (var message in response.Messages)
        {
            string messageId = message.MessageId ?? $"m{updates.Count}";
            if (message.Contents.All(c => c is TextContent))
            {
                foreach (string word in message.Text.Split(' '))
                {
                    updates.Add(new ChatResponseUpdate(message.Role, (updates.Count == 0 || updates[^1].MessageId != messageId ? "" : " ") + word) { MessageId = messageId });
                }
            }
            else
            {
                updates.Add(new ChatResponseUpdate(message.Role, message.Contents) { MessageId = messageId });
            }
        }

        return updates;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    private List<ChatMessage> Record(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var list = messages.Select(m => m.Clone()).ToList();
        Requests.Add((list, options?.Clone()));
        return list;
    }
}
