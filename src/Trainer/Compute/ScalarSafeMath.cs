using TorchSharp;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Compute;

/// <summary>
/// Tensor arithmetic whose <see cref="Scalar"/> operands outlive the native call that reads them.
/// </summary>
/// <remarks>
/// TorchSharp turns every number given to a tensor operation into a temporary <see cref="Scalar"/> (an implicit
/// conversion: <c>t * 0.5</c>, <c>t.add_(u, alpha: k)</c>, <c>t.clamp(0.0, 1.0)</c>), and so does
/// <c>a + b</c>, which is <c>a.add(b, 1)</c>. Scalar has a finalizer that frees the native c10::Scalar. Once the
/// wrapper has read the Scalar's handle, nothing references the managed object any more, so a garbage collection
/// on another thread may finalize it while libtorch is still reading it: a use-after-free that shows up, rarely and
/// only under load, as "Expected false to be true" from c10::Scalar::toDouble, or as a wrong value when the memory
/// has been reused (TorchSharp PR #1434 and #1496, not released). Here each Scalar is a cached static (a static root
/// is never finalized) or a <c>using</c> local, which stays reachable until its Dispose after the call.
///
/// Every method calls the very torch operation, with the very scalar value and kind, that the operator or overload
/// it replaces calls inside TorchSharp, so results are bitwise unchanged. Integers are passed as 64-bit scalars:
/// c10::Scalar stores every integer as int64, so an int and a long scalar are the same scalar.
/// Tensor-by-tensor <c>-</c>, <c>*</c> and <c>/</c> take no Scalar and need no replacement.
/// </remarks>
public static class ScalarSafeMath
{
    /// <summary>The alpha of a plain add; an int, as in TorchSharp's own <c>add(target, 1)</c>.</summary>
    private static readonly Scalar One = 1.ToScalar();
    private static readonly Scalar Zero = 0.ToScalar();
    private static readonly Scalar Two = 2.ToScalar();
    private static readonly Scalar OneDouble = 1.0.ToScalar();

    /// <summary>
    /// <paramref name="op"/> given <paramref name="value"/> as a Scalar that stays reachable (the using) until op
    /// has returned, so it cannot be finalized while libtorch reads it.
    /// </summary>
    private static Tensor WithScalar(long value, Func<Scalar, Tensor> op)
    {
        using var s = value.ToScalar();
        return op(s);
    }

    /// <inheritdoc cref="WithScalar(long, Func{Scalar, Tensor})"/>
    private static Tensor WithScalar(double value, Func<Scalar, Tensor> op)
    {
        using var s = value.ToScalar();
        return op(s);
    }

    /// <summary><c>a + b</c>.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);

    /// <summary><c>a += b</c>: the same elementwise additions as <see cref="Plus(Tensor, Tensor)"/>, into a.</summary>
    public static Tensor PlusInPlace(this Tensor a, Tensor b) => a.add_(b, One);

    /// <summary><c>t.index_add_(axis, index, source)</c> with alpha 1, as autograd's backward of index_select runs it.</summary>
    public static Tensor IndexAddInPlace(this Tensor t, long axis, Tensor index, Tensor source) => t.index_add_(axis, index, source, One);

    /// <summary><c>t + value</c> (also <c>value + t</c>).</summary>
    public static Tensor Plus(this Tensor t, long value) => WithScalar(value, s => t.add(s, One));

    /// <inheritdoc cref="Plus(Tensor, long)"/>
    public static Tensor Plus(this Tensor t, double value) => WithScalar(value, s => t.add(s, One));

    /// <summary><c>t - value</c>.</summary>
    public static Tensor Minus(this Tensor t, long value) => WithScalar(value, s => t.sub(s));

    /// <inheritdoc cref="Minus(Tensor, long)"/>
    public static Tensor Minus(this Tensor t, double value) => WithScalar(value, s => t.sub(s));

    /// <summary><c>value - t</c>, computed as TorchSharp's operator does: <c>-t + value</c>.</summary>
    public static Tensor SubtractedFrom(this Tensor t, long value) => WithScalar(value, s => t.neg().add(s, One));

    /// <inheritdoc cref="SubtractedFrom(Tensor, long)"/>
    public static Tensor SubtractedFrom(this Tensor t, double value) => WithScalar(value, s => t.neg().add(s, One));

    /// <summary><c>t * factor</c> (also <c>factor * t</c>).</summary>
    public static Tensor Times(this Tensor t, long factor) => WithScalar(factor, s => t.mul(s));

    /// <inheritdoc cref="Times(Tensor, long)"/>
    public static Tensor Times(this Tensor t, double factor) => WithScalar(factor, s => t.mul(s));

    /// <summary><c>t / divisor</c>.</summary>
    public static Tensor DividedBy(this Tensor t, long divisor) => WithScalar(divisor, s => t.div(s));

    /// <inheritdoc cref="DividedBy(Tensor, long)"/>
    public static Tensor DividedBy(this Tensor t, double divisor) => WithScalar(divisor, s => t.div(s));

    /// <summary><c>t.div(divisor, rounding_mode: floor)</c>.</summary>
    public static Tensor FloorDividedBy(this Tensor t, long divisor) => WithScalar(divisor, s => t.div(s, RoundingMode.floor));

    /// <summary><c>t.remainder(divisor)</c>.</summary>
    public static Tensor Remainder(this Tensor t, long divisor) => WithScalar(divisor, s => t.remainder(s));

    /// <summary><c>t.pow(exponent)</c>.</summary>
    public static Tensor Pow(this Tensor t, long exponent) => WithScalar(exponent, s => t.pow(s));

    /// <inheritdoc cref="Pow(Tensor, long)"/>
    public static Tensor Pow(this Tensor t, double exponent) => WithScalar(exponent, s => t.pow(s));

    /// <summary><c>t.square()</c>, which TorchSharp computes as <c>t.pow(2)</c>.</summary>
    public static Tensor Squared(this Tensor t) => t.pow(Two);

    /// <summary><c>t.clamp(min, max)</c>; a null bound is absent.</summary>
    public static Tensor Clamp(this Tensor t, double? min, double? max)
    {
        using var lo = min?.ToScalar();
        using var hi = max?.ToScalar();
        return t.clamp(lo, hi);
    }

    /// <summary><c>t &gt; value</c>.</summary>
    public static Tensor GreaterThan(this Tensor t, long value) => WithScalar(value, s => t.gt(s));

    /// <inheritdoc cref="GreaterThan(Tensor, long)"/>
    public static Tensor GreaterThan(this Tensor t, double value) => WithScalar(value, s => t.gt(s));

    /// <summary><c>t &gt;= value</c>.</summary>
    public static Tensor GreaterOrEqual(this Tensor t, long value) => WithScalar(value, s => t.ge(s));

    /// <summary><c>t &lt; value</c>.</summary>
    public static Tensor LessThan(this Tensor t, long value) => WithScalar(value, s => t.lt(s));

    /// <summary><c>t &lt;= value</c>.</summary>
    public static Tensor LessOrEqual(this Tensor t, long value) => WithScalar(value, s => t.le(s));

    /// <summary><c>t.add_(other)</c>.</summary>
    public static Tensor AddInPlace(this Tensor t, Tensor other) => t.add_(other, One);

    /// <summary><c>t.add_(other, alpha)</c>: t += alpha * other.</summary>
    public static Tensor AddInPlace(this Tensor t, Tensor other, double alpha) => WithScalar(alpha, s => t.add_(other, s));

    /// <summary><c>t.add_(value)</c>.</summary>
    public static Tensor AddInPlace(this Tensor t, double value) => WithScalar(value, s => t.add_(s, One));

    /// <summary><c>t.mul_(factor)</c>.</summary>
    public static Tensor MulInPlace(this Tensor t, double factor) => WithScalar(factor, s => t.mul_(s));

    /// <summary><c>t.div_(divisor)</c>.</summary>
    public static Tensor DivInPlace(this Tensor t, long divisor) => WithScalar(divisor, s => t.div_(s));

    /// <inheritdoc cref="DivInPlace(Tensor, long)"/>
    public static Tensor DivInPlace(this Tensor t, double divisor) => WithScalar(divisor, s => t.div_(s));

    /// <summary><c>t.addcmul_(a, b, value)</c>: t += value * a * b.</summary>
    public static Tensor AddProductInPlace(this Tensor t, Tensor a, Tensor b, double value) => WithScalar(value, s => t.addcmul_(a, b, s));

    /// <summary><c>t.addcdiv_(a, b, value)</c>: t += value * a / b.</summary>
    public static Tensor AddQuotientInPlace(this Tensor t, Tensor a, Tensor b, double value) => WithScalar(value, s => t.addcdiv_(a, b, s));

    /// <summary><c>torch.arange(stop, dtype, device)</c>, which is <c>arange(0, stop, 1, ...)</c>.</summary>
    public static Tensor Arange(long stop, ScalarType dtype, Device device) => WithScalar(stop, s => arange(Zero, s, One, dtype, device));

    /// <summary><c>nn.functional.leaky_relu(t, slope)</c>.</summary>
    public static Tensor LeakyRelu(this Tensor t, double slope) => WithScalar(slope, s => t.leaky_relu(s));

    /// <summary><c>nn.functional.elu(t, alpha)</c>, which is <c>t.elu(alpha, 1.0, 1.0)</c>.</summary>
    public static Tensor Elu(this Tensor t, double alpha) => WithScalar(alpha, s => t.elu(s, OneDouble, OneDouble));

    /// <summary><c>nn.functional.celu(t, alpha)</c>.</summary>
    public static Tensor Celu(this Tensor t, double alpha) => WithScalar(alpha, s => t.celu(s));

    /// <summary><c>nn.functional.softsign(t)</c>, TorchSharp's composite: <c>t / (1 + |t|)</c>.</summary>
    public static Tensor Softsign(this Tensor t)
    {
        using var abs = t.abs();
        using var denominator = abs.add(One, One);
        return t.div(denominator);
    }
}
