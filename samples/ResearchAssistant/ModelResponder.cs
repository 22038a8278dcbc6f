using Microsoft.Extensions.AI;
using SessionKit;

namespace ResearchAssistant;

/// <summary>
/// Answers through a real model behind the SessionKit chat-client middleware: the middleware sends the model the
/// budgeted context window of the session and stores the reply. The question is already stored by the app, so the
/// request carries only the system prompt and no new message.
/// </summary>
internal sealed class ModelResponder(IChatClient chatClient) : IDisposable
{
    /// <summary>Asks the model; the reply is stored in the session by the middleware when it arrives.</summary>
    public async Task<string> AnswerAsync(Guid sessionId, string systemPrompt, CancellationToken cancellationToken = default)
    {
        var response = await chatClient.GetResponseAsync(
            [new ChatMessage(ChatRole.System, systemPrompt)],
            new ChatOptions { ConversationId = sessionId.ToString() },
            cancellationToken);
        return response.Text;
    }

    /// <summary>Wraps <paramref name="model"/> with the middleware over the sample's store, budget and token counter.</summary>
    public static ModelResponder Create(IChatClient model, ISessionStore store, IContextBuilder contextBuilder, ITokenCounter tokenCounter, int tokenBudget) =>
        new(new ChatClientBuilder(model)
            // A single-user console demo over its own store: the unchecked form is the plain choice here. A server takes
            // UseSessionKit(accessor, ...) so each request is held to its caller.
            .UseSessionKitTrusted(store, contextBuilder, tokenCounter, options => options.TokenBudget = tokenBudget)
            .Build());

    public void Dispose() => chatClient.Dispose();
}
