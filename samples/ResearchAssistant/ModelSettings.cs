using System.ClientModel;
using Microsoft.Extensions.AI;
using OpenAI;

namespace ResearchAssistant;

/// <summary>
/// An OpenAI-compatible model to answer with instead of the offline responder, configured only through environment
/// variables, so the default run needs no key and no network.
/// </summary>
/// <param name="Endpoint">The API base address; <see langword="null"/> for OpenAI's.</param>
/// <param name="ApiKey">The API key.</param>
/// <param name="Model">The model id.</param>
internal sealed record ModelSettings(Uri? Endpoint, string ApiKey, string Model)
{
    public const string EndpointVariable = "SESSIONKIT_OPENAI_ENDPOINT";
    public const string ApiKeyVariable = "SESSIONKIT_OPENAI_API_KEY";
    public const string ModelVariable = "SESSIONKIT_OPENAI_MODEL";
    public const string DefaultModel = "gpt-4o-mini";

    /// <summary>The settings, or <see langword="null"/> (offline) when <see cref="ApiKeyVariable"/> is not set.</summary>
    public static ModelSettings? FromEnvironment()
    {
        string? apiKey = Environment.GetEnvironmentVariable(ApiKeyVariable);
        if (string.IsNullOrWhiteSpace(apiKey))
        {
            return null;
        }

        string? endpoint = Environment.GetEnvironmentVariable(EndpointVariable);
        if (!string.IsNullOrWhiteSpace(endpoint) && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
        {
            throw new ArgumentException($"{EndpointVariable} must be an absolute URL such as https://api.openai.com/v1 (was '{endpoint}').");
        }

        string? model = Environment.GetEnvironmentVariable(ModelVariable);
        return new ModelSettings(
            string.IsNullOrWhiteSpace(endpoint) ? null : new Uri(endpoint),
            apiKey,
            string.IsNullOrWhiteSpace(model) ? DefaultModel : model);
    }

    /// <summary>The plain chat client for the model (no SessionKit middleware).</summary>
    public IChatClient CreateChatClient()
    {
        var options = new OpenAIClientOptions();
        if (Endpoint is not null)
        {
            options.Endpoint = Endpoint;
        }

        return new OpenAIClient(new ApiKeyCredential(ApiKey), options).GetChatClient(Model).AsIChatClient();
    }

    public override string ToString() => $"{Model} at {Endpoint?.ToString() ?? "api.openai.com"}";
}
