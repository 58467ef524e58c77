using System.Reflection;
using ZilOnnx.Converter.Graph;

namespace ZilOnnx.Trainer.Kernels;

/// <summary>
/// The compute side of the converter's operator registry: every <see cref="Kernel{TSpec}"/> this assembly defines,
/// found by its spec type, so that a kernel is registered by the file that writes it. A kernel for an abstract
/// spec serves every spec derived from it that has no kernel of its own.
/// </summary>
public static class KernelRegistry
{
    private static readonly Dictionary<Type, IKernel> Kernels = Discover(typeof(KernelRegistry).Assembly);

    public static IKernel For(OpSpec spec) =>
        Find(spec.GetType()) ?? throw new KernelException($"no kernel for {spec.OpType}");

    /// <summary>The spec types among <paramref name="specTypes"/> that no kernel computes.</summary>
    public static IReadOnlyList<Type> WithoutKernel(IEnumerable<Type> specTypes) =>
        specTypes.Where(t => Find(t) == null).ToList();

    private static IKernel? Find(Type specType)
    {
        for (Type? t = specType; t != null && t != typeof(OpSpec); t = t.BaseType)
            if (Kernels.TryGetValue(t, out var kernel)) return kernel;
        return null;
    }

    private static Dictionary<Type, IKernel> Discover(Assembly assembly)
    {
        var kernels = new Dictionary<Type, IKernel>();
        foreach (var type in assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false, ContainsGenericParameters: false }))
        {
            if (SpecTypeOf(type) is not { } specType) continue;
            var kernel = (IKernel)(Activator.CreateInstance(type)
                ?? throw new InvalidOperationException($"kernel {type.FullName} cannot be created"));
            if (!kernels.TryAdd(specType, kernel))
                throw new InvalidOperationException($"{specType.Name} has two kernels: {kernels[specType].GetType().Name} and {type.Name}");
        }
        return kernels;
    }

    /// <summary>The TSpec of the <see cref="Kernel{TSpec}"/> a type derives from, or null for any other type.</summary>
    private static Type? SpecTypeOf(Type type)
    {
        for (Type? t = type.BaseType; t != null; t = t.BaseType)
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Kernel<>)) return t.GetGenericArguments()[0];
        return null;
    }
}
