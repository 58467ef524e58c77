namespace ZilOnnx.Converter.Ops;

/// <summary>
/// A mapping class that serves several operators, one instance each (Relu, Sigmoid and Tanh share
/// <see cref="ActivationMapping"/>): <see cref="OperatorDiscovery"/> registers the instances it lists. A mapping
/// class with a parameterless constructor is one operator and is registered without this.
/// </summary>
public interface IOperatorFamily
{
    static abstract IEnumerable<IOperatorMapping> Members { get; }
}
