// Measures the public API surface of built assemblies with System.Reflection.Metadata (in the shared framework, so no
// package and no loading of dependencies): public types (visible from outside: public, or public/protected nested in a
// visible type) and their members a user can reach (public, and protected on unsealed types; methods including
// constructors but not property/event accessors, properties, events, fields, enum values). Also counts what a backend
// implements: the abstract members of SessionKit's store base class plus the members of interfaces the in-memory backend
// implements beyond the base class.
//
//   dotnet run --project tools/ApiSurface -c Release -- <assembly.dll>...
using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

if (args.Length == 0)
{
    Console.Error.WriteLine("usage: ApiSurface <assembly.dll>...");
    return 2;
}

Console.WriteLine("| package | public types | public members | namespaces |");
Console.WriteLine("|---|---:|---:|---|");
int totalTypes = 0, totalMembers = 0;
foreach (string path in args)
{
    using var stream = File.OpenRead(path);
    using var pe = new PEReader(stream);
    var md = pe.GetMetadataReader();
    int types = 0, members = 0;
    var namespaces = new SortedDictionary<string, int>(StringComparer.Ordinal);
    foreach (var handle in md.TypeDefinitions)
    {
        var type = md.GetTypeDefinition(handle);
        if (!IsVisible(md, type))
        {
            continue;
        }

        types++;
        string ns = Namespace(md, type);
        namespaces[ns] = namespaces.GetValueOrDefault(ns) + 1;
        members += Members(md, type);
    }

    totalTypes += types;
    totalMembers += members;
    string name = md.GetString(md.GetAssemblyDefinition().Name);
    Console.WriteLine($"| {name} | {types} | {members} | {string.Join(", ", namespaces.Select(n => $"{n.Key} ({n.Value})"))} |");
    if (name == "SessionKit")
    {
        Backend(md);
    }
}

Console.WriteLine($"| total | {totalTypes} | {totalMembers} | |");
return 0;

static bool IsVisible(MetadataReader md, TypeDefinition type)
{
    var visibility = type.Attributes & TypeAttributes.VisibilityMask;
    if (visibility == TypeAttributes.Public)
    {
        return true;
    }

    if (visibility is TypeAttributes.NestedPublic or TypeAttributes.NestedFamily or TypeAttributes.NestedFamORAssem)
    {
        var outer = md.GetTypeDefinition(type.GetDeclaringType());
        bool sealedOuter = (outer.Attributes & TypeAttributes.Sealed) != 0;
        return IsVisible(md, outer) && (visibility == TypeAttributes.NestedPublic || !sealedOuter);
    }

    return false;
}

static string Namespace(MetadataReader md, TypeDefinition type)
{
    while (type.IsNested)
    {
        type = md.GetTypeDefinition(type.GetDeclaringType());
    }

    return md.GetString(type.Namespace);
}

static bool Reachable(MethodAttributes access, bool sealedType) =>
    access == MethodAttributes.Public || (!sealedType && access is MethodAttributes.Family or MethodAttributes.FamORAssem);

static int Members(MetadataReader md, TypeDefinition type)
{
    bool sealedType = (type.Attributes & TypeAttributes.Sealed) != 0;
    var accessors = new HashSet<MethodDefinitionHandle>();
    int count = 0;
    foreach (var p in type.GetProperties())
    {
        var a = md.GetPropertyDefinition(p).GetAccessors();
        accessors.Add(a.Getter);
        accessors.Add(a.Setter);
        foreach (var other in a.Others)
        {
            accessors.Add(other);
        }

        var any = a.Getter.IsNil ? a.Setter : a.Getter;
        if (!any.IsNil && Reachable(md.GetMethodDefinition(any).Attributes & MethodAttributes.MemberAccessMask, sealedType)
            || !a.Setter.IsNil && Reachable(md.GetMethodDefinition(a.Setter).Attributes & MethodAttributes.MemberAccessMask, sealedType))
        {
            count++;
        }
    }

    foreach (var e in type.GetEvents())
    {
        var a = md.GetEventDefinition(e).GetAccessors();
        accessors.Add(a.Adder);
        accessors.Add(a.Remover);
        if (!a.Adder.IsNil && Reachable(md.GetMethodDefinition(a.Adder).Attributes & MethodAttributes.MemberAccessMask, sealedType))
        {
            count++;
        }
    }

    foreach (var m in type.GetMethods())
    {
        if (accessors.Contains(m))
        {
            continue;
        }

        var method = md.GetMethodDefinition(m);
        if (Reachable(method.Attributes & MethodAttributes.MemberAccessMask, sealedType))
        {
            count++;
        }
    }

    foreach (var f in type.GetFields())
    {
        var field = md.GetFieldDefinition(f);
        var access = (MethodAttributes)(int)(field.Attributes & FieldAttributes.FieldAccessMask);
        if (Reachable(access, sealedType) && (field.Attributes & FieldAttributes.SpecialName) == 0)
        {
            count++;
        }
    }

    return count;
}

// What a backend author implements: abstract methods of the store base class, plus members of the interfaces the
// in-memory backend implements that the base class does not (they are what a backend provides by hand).
static void Backend(MetadataReader md)
{
    TypeDefinition? baseType = null, inMemory = null;
    foreach (var handle in md.TypeDefinitions)
    {
        var type = md.GetTypeDefinition(handle);
        string name = md.GetString(type.Name);
        if (name == "SessionStore" && IsVisible(md, type))
        {
            baseType = type;
        }
        else if (name == "InMemorySessionStore")
        {
            inMemory = type;
        }
    }

    if (baseType is not { } b || inMemory is not { } mem)
    {
        return;
    }

    var abstracts = b.GetMethods().Select(md.GetMethodDefinition)
        .Where(m => (m.Attributes & MethodAttributes.Abstract) != 0).Select(m => md.GetString(m.Name)).ToImmutableArray();
    var baseInterfaces = Interfaces(md, b);
    var extra = Interfaces(md, mem).Except(baseInterfaces).ToList();
    int interfaceMembers = 0;
    foreach (var handle in md.TypeDefinitions)
    {
        var type = md.GetTypeDefinition(handle);
        if (extra.Contains(md.GetString(type.Name)))
        {
            interfaceMembers += type.GetMethods().Count(m => (md.GetMethodDefinition(m).Attributes & MethodAttributes.Abstract) != 0);
        }
    }

    Console.WriteLine($"|   backend SPI | abstract members of SessionStore: {abstracts.Length}; members of interfaces a backend implements by hand ({string.Join(", ", extra.Order())}): {interfaceMembers}; total: {abstracts.Length + interfaceMembers} | | |");
}

static HashSet<string> Interfaces(MetadataReader md, TypeDefinition type)
{
    var names = new HashSet<string>(StringComparer.Ordinal);
    foreach (var i in type.GetInterfaceImplementations())
    {
        var handle = md.GetInterfaceImplementation(i).Interface;
        if (handle.Kind == HandleKind.TypeDefinition)
        {
            names.Add(md.GetString(md.GetTypeDefinition((TypeDefinitionHandle)handle).Name));
        }
    }

    return names;
}
