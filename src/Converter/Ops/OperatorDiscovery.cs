using System.Reflection;

namespace ZilOnnx.Converter.Ops;

/// <summary>
/// Finds the operator mappings an assembly defines, so that a new operator is registered by the file that maps it
/// and no list has to be kept beside it.
/// </summary>
public static class OperatorDiscovery
{
    /// <summary>
    /// One instance of every concrete <see cref="IOperatorMapping"/> class with a public parameterless constructor,
    /// and the members of every <see cref="IOperatorFamily"/>. A mapping class that is neither would be silently
    /// missing from the registry, so it is an error.
    /// </summary>
    public static IReadOnlyList<IOperatorMapping> In(Assembly assembly) => Among(assembly.GetTypes());

    /// <summary>The mappings among the given types, as <see cref="In"/> finds them in an assembly.</summary>
    public static IReadOnlyList<IOperatorMapping> Among(IEnumerable<Type> types) =>
        types
            .Where(t => t is { IsClass: true, IsAbstract: false, ContainsGenericParameters: false }
                && typeof(IOperatorMapping).IsAssignableFrom(t))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .SelectMany(MappingsOf)
            .ToList();

    private static IEnumerable<IOperatorMapping> MappingsOf(Type type)
    {
        if (typeof(IOperatorFamily).IsAssignableFrom(type))
            return (IEnumerable<IOperatorMapping>)MembersMethod.MakeGenericMethod(type).Invoke(null, null)!;
        if (type.GetConstructor(Type.EmptyTypes) is { } constructor)
            return [(IOperatorMapping)constructor.Invoke(null)];
        throw new InvalidOperationException(
            $"operator mapping {type.FullName} has no parameterless constructor and is not an {nameof(IOperatorFamily)}, so it cannot " +
                $"be registered");
    }

    private static readonly MethodInfo MembersMethod =
        typeof(OperatorDiscovery).GetMethod(nameof(Members), BindingFlags.NonPublic | BindingFlags.Static)!;

    private static IEnumerable<IOperatorMapping> Members<TFamily>() where TFamily : IOperatorFamily => TFamily.Members;
}
