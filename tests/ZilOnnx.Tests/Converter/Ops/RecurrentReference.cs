using ZilOnnx.Converter.Ops;
using ZilOnnx.Converter.Tensors;
using DataType = ZilOnnx.Converter.Onnx.Proto.TensorProto.Types.DataType;

namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>
/// The ONNX RNN/LSTM/GRU equations written out element by element in float64, in layout 0: the oracle for the
/// activations ONNX Runtime does not run, and a second, independent reading of the spec for the rest. Gate order
/// LSTM i, o, f, c and GRU z, r, h; B = [Wb, Rb]; P = [Pi, Po, Pf]; `clip` bounds the input of every gate
/// activation (not h(C_t) of the LSTM output, which ONNX Runtime leaves unclipped); input_forget couples f = 1 - i;
/// a batch entry whose sequence has ended keeps its state and reads zeros in Y.
/// </summary>
internal static class RecurrentReference
{
    /// <summary>Y [T, D, B, H], Y_h and Y_c [D, B, H] for every output the case reads.</summary>
    public static Dictionary<string, HostTensor> Run(RecurrentCase c, RecurrentCaseTensors t, bool onnxRuntimeDefaults = false)
    {
        int steps = c.Steps, batch = c.Batch, hidden = c.Hidden, directions = c.Directions;
        var functions = Functions(c, onnxRuntimeDefaults);
        var y = new double[steps * directions * batch * hidden];
        var yh = new double[directions * batch * hidden];
        var yc = new double[directions * batch * hidden];
        for (int d = 0; d < directions; d++)
        {
            var f = functions.Skip(d * c.ActivationsPerDirection).ToArray();
            bool reverse = c.Direction == "reverse" || d == 1;
            for (int b = 0; b < batch; b++)
            {
                double[] h = new double[hidden], cell = new double[hidden];
                for (int j = 0; j < hidden; j++)
                {
                    if (c.InitialH) h[j] = t.InitialH.Values[(d * batch + b) * hidden + j];
                    if (c.InitialC) cell[j] = t.InitialC.Values[(d * batch + b) * hidden + j];
                }
                int length = c.SequenceLengths?[b] ?? steps;
                for (int i = 0; i < length; i++)
                {
                    int time = reverse ? length - 1 - i : i;
                    var cellModel = new Cell(c, t, d, f, Row(t.X, (time * batch + b) * c.InputSize, c.InputSize), h);
                    (h, cell) = c.Cell switch
                    {
                        RecurrentCell.Rnn => (cellModel.Rnn(), cell),
                        RecurrentCell.Gru => (cellModel.Gru(), cell),
                        _ => cellModel.Lstm(cell),
                    };
                    h.CopyTo(y, ((time * directions + d) * batch + b) * hidden);
                }
                // A sequence of length 0 has no last state: ONNX Runtime gives zeros (the spec is silent).
                if (length == 0) continue;
                h.CopyTo(yh, (d * batch + b) * hidden);
                cell.CopyTo(yc, (d * batch + b) * hidden);
            }
        }
        var outputs = new Dictionary<string, HostTensor>();
        if (c.ReadY) outputs["Y"] = new HostTensor(DataType.Float, [steps, directions, batch, hidden], y);
        if (c.ReadYh) outputs["Y_h"] = new HostTensor(DataType.Float, [directions, batch, hidden], yh);
        if (c.ReadYc && c.Cell == RecurrentCell.Lstm) outputs["Y_c"] = new HostTensor(DataType.Float, [directions, batch, hidden], yc);
        return outputs;
    }

    private static double[] Row(HostTensor t, int start, int count) => t.Values.AsSpan(start, count).ToArray();

    /// <summary>One step of one direction for one batch entry.</summary>
    private sealed class Cell(RecurrentCase c, RecurrentCaseTensors t, int d, Func<double, double>[] f, double[] x, double[] h)
    {
        private readonly int _n = c.Hidden;

        /// <summary>Unit k of X W^T + Wb; <see cref="Recurrent"/> is the matching unit of state R^T + Rb.</summary>
        private double Input(int k)
        {
            double sum = 0;
            for (int i = 0; i < c.InputSize; i++) sum += x[i] * t.W.Values[(d * c.Gates * _n + k) * c.InputSize + i];
            if (c.Bias) sum += t.B.Values[d * 2 * c.Gates * _n + k];
            return sum;
        }

        private double Recurrent(int k, double[] state)
        {
            double sum = 0;
            for (int i = 0; i < _n; i++) sum += state[i] * t.R.Values[(d * c.Gates * _n + k) * _n + i];
            if (c.Bias) sum += t.B.Values[d * 2 * c.Gates * _n + c.Gates * _n + k];
            return sum;
        }

        private double Clip(double v) => c.Clip is { } limit ? Math.Clamp(v, -limit, limit) : v;

        private double Peephole(int gate, int j, double[] cell) => c.Peepholes ? t.P.Values[d * 3 * _n + gate * _n + j] * cell[j] : 0;

        public double[] Rnn() => [.. Enumerable.Range(0, _n).Select(j => f[0](Clip(Input(j) + Recurrent(j, h))))];

        public double[] Gru()
        {
            var result = new double[_n];
            var reset = Enumerable.Range(0, _n).Select(j => f[0](Clip(Input(_n + j) + Recurrent(_n + j, h)))).ToArray();
            var resetH = h.Select((v, j) => reset[j] * v).ToArray();
            for (int j = 0; j < _n; j++)
            {
                double z = f[0](Clip(Input(j) + Recurrent(j, h)));
                double candidate = c.LinearBeforeReset == 1
                    ? f[1](Clip(Input(2 * _n + j) + reset[j] * Recurrent(2 * _n + j, h)))
                    : f[1](Clip(Input(2 * _n + j) + Recurrent(2 * _n + j, resetH)));
                result[j] = (1 - z) * candidate + z * h[j];
            }
            return result;
        }

        public (double[] H, double[] C) Lstm(double[] cell)
        {
            double[] newH = new double[_n], newC = new double[_n];
            for (int j = 0; j < _n; j++)
            {
                double input = f[0](Clip(Input(j) + Recurrent(j, h) + Peephole(0, j, cell)));
                double forget = c.InputForget == 1 ? 1 - input : f[0](Clip(Input(2 * _n + j) + Recurrent(2 * _n + j, h) + Peephole(2, j, cell)));
                double candidate = f[1](Clip(Input(3 * _n + j) + Recurrent(3 * _n + j, h)));
                newC[j] = forget * cell[j] + input * candidate;
            }
            for (int j = 0; j < _n; j++)
            {
                double output = f[0](Clip(Input(_n + j) + Recurrent(_n + j, h) + Peephole(1, j, newC)));
                newH[j] = output * f[2](newC[j]);
            }
            return (newH, newC);
        }
    }

    /// <summary>
    /// The activations with their alpha/beta: activation_alpha and activation_beta are consumed in order by the
    /// activations that take them; an activation left without one uses its ONNX operator's default, or with
    /// <paramref name="onnxRuntimeDefaults"/> what ONNX Runtime uses instead: 0 for Affine's alpha,
    /// ThresholdedRelu's alpha and ScaledTanh's alpha and beta (the converter refuses such a node).
    /// </summary>
    public static Func<double, double>[] Functions(RecurrentCase c, bool onnxRuntimeDefaults = false)
    {
        var alphas = new Queue<float>(c.Alphas ?? []);
        var betas = new Queue<float>(c.Betas ?? []);
        // The spec's default, and the one ONNX Runtime applies when they differ.
        double Next(Queue<float> q, double spec, double? onnxRuntime = null) =>
            q.Count > 0 ? q.Dequeue() : onnxRuntimeDefaults && onnxRuntime is { } value ? value : spec;
        return [.. c.EffectiveActivations.Select<string, Func<double, double>>(name =>
        {
            switch (name)
            {
                case "Relu": return v => Math.Max(0, v);
                case "Tanh": return Math.Tanh;
                case "Sigmoid": return v => 1 / (1 + Math.Exp(-v));
                case "Softsign": return v => v / (1 + Math.Abs(v));
                case "Softplus": return v => Math.Log(1 + Math.Exp(v));
                case "LeakyRelu": { double a = Next(alphas, 0.01); return v => v >= 0 ? v : a * v; }
                case "ThresholdedRelu": { double a = Next(alphas, 1.0, 0); return v => v > a ? v : 0; }
                case "Elu": { double a = Next(alphas, 1.0); return v => v >= 0 ? v : a * (Math.Exp(v) - 1); }
                case "Affine": { double a = Next(alphas, 1.0, 0), b = Next(betas, 0.0); return v => a * v + b; }
                case "ScaledTanh": { double a = Next(alphas, 1.0, 0), b = Next(betas, 1.0, 0); return v => a * Math.Tanh(b * v); }
                case "HardSigmoid": { double a = Next(alphas, 0.2), b = Next(betas, 0.5); return v => Math.Clamp(a * v + b, 0, 1); }
                default: throw new ArgumentException($"no reference for activation '{name}'");
            }
        })];
    }
}
