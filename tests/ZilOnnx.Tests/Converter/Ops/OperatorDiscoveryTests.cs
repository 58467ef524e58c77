using ZilOnnx.Converter.Graph;
using ZilOnnx.Converter.Ops;
using Xunit;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>The registry is what the converter's mapping files define, with nothing to list beside them.</summary>
public sealed class OperatorDiscoveryTests
{
    [Fact]
    public void Every_mapping_class_of_the_converter_is_registered()
    {
        var mappingTypes = typeof(OperatorRegistry).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IOperatorMapping).IsAssignableFrom(t)).ToList();
        var registered = OperatorRegistry.Default.All.Select(m => m.GetType()).ToHashSet();
        var unregistered = mappingTypes.Where(t => !registered.Contains(t)).Select(t => t.Name).ToList();

        Assert.NotEmpty(mappingTypes);
        Assert.Empty(unregistered);
    }

    [Fact]
    public void A_family_registers_each_member_and_a_plain_mapping_once()
    {
        var mappings = OperatorDiscovery.Among([typeof(PlainMapping), typeof(FamilyMapping)]);

        Assert.Equal(["FamilyA", "FamilyB", "Plain"], mappings.Select(m => m.OpType).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_mapping_class_that_cannot_be_registered_is_an_error_naming_it()
    {
        var e = Assert.Throws<InvalidOperationException>(() => OperatorDiscovery.Among([typeof(UnregistrableMapping)]));

        Assert.Contains(nameof(UnregistrableMapping), e.Message);
    }

    [Fact]
    public void An_operator_mapped_twice_is_an_error_naming_both_mappings()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new OperatorRegistry([new PlainMapping(), new PlainMapping()]));

        Assert.Contains("Plain is mapped twice", e.Message);
    }

    private sealed class PlainMapping : IOperatorMapping
    {
        public string OpType => "Plain";
        public IReadOnlyList<int> SinceVersions { get; } = [1];
        public OpSpec Map(NodeContext node) => IdentitySpec.Instance;
    }

    private sealed class FamilyMapping(string opType) : IOperatorMapping, IOperatorFamily
    {
        public static IEnumerable<IOperatorMapping> Members => [new FamilyMapping("FamilyA"), new FamilyMapping("FamilyB")];
        public string OpType => opType;
        public IReadOnlyList<int> SinceVersions { get; } = [1];
        public OpSpec Map(NodeContext node) => IdentitySpec.Instance;
    }

    private sealed class UnregistrableMapping(string opType) : IOperatorMapping
    {
        public string OpType => opType;
        public IReadOnlyList<int> SinceVersions { get; } = [1];
        public OpSpec Map(NodeContext node) => IdentitySpec.Instance;
    }
}
