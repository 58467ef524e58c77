using System.Runtime.ExceptionServices;
using TorchSharp;
using static TorchSharp.torch;

namespace ZilOnnx.Trainer.Rules;

/// <summary>
/// A verified step's two backward computations side by side on the CPU (`--verify-beside`): backprop's autograd call
/// (the witness) on a thread of its own while Z-IL's sweep runs on the caller's, each with half of libtorch's intra-op
/// threads, so the step costs F + max(S, B) on half the threads instead of F + S + B on all of them. It pays where most
/// operations are too small to keep all the threads busy (two threads ran DenseNet-121's bp step 1.38 times as fast as
/// one, ResNet-18's 1.8 times) and the step is long; on short steps it costs more, since the OpenMP thread that the
/// forward pass leaves idle spins for a while on the core the witness needs (bench/README.md, "The verified step side by
/// side", measures both per model). So it is asked for, not taken by default.
/// <para>
/// Libtorch's results can depend on how many threads compute them (a reduction split in two rounds differently), so both
/// sides always take the same count, and a verified step's numbers are those of its rules run alone with that count:
/// still bit for bit equal to each other, not necessarily to an unverified step's in the last bits.
/// </para>
/// </summary>
public static class WitnessBeside
{
    /// <summary>The intra-op threads each side takes, or null where the two run one after the other: on a GPU, whose
    /// operations are queued on one stream anyway, and with one thread, which cannot be halved.</summary>
    public static int? ThreadsEach(DeviceType device) => device == DeviceType.CPU && get_num_threads() is var threads && threads >= 2
        ? threads / 2
        : null;

    /// <summary>
    /// Runs <paramref name="witness"/> on a thread of its own beside <paramref name="rule"/> on this one, with
    /// <paramref name="threadsEach"/> intra-op threads each, and gives both results. The witness's tensors are handed to
    /// the dispose scope outside <paramref name="current"/> (this thread's), where a witness computed here would have put them.
    /// </summary>
    public static (RuleResult Rule, RuleResult Witness) Run(Func<RuleResult> witness, Func<RuleResult> rule, int threadsEach,
        DisposeScope current)
    {
        RuleResult? witnessResult = null;
        Exception? witnessFailure = null;
        int threads = get_num_threads();
        set_num_threads(threadsEach);
        using var job = WitnessThread.Start(() =>
        {
            try
            {
                set_num_threads(threadsEach);
                using var scope = NewDisposeScope();
                witnessResult = witness();
                // Taken out of this thread's scopes whole, for the caller's thread to adopt.
                foreach (var tensor in TensorsOf(witnessResult)) tensor.DetachFromDisposeScope();
            }
            catch (Exception e)
            {
                witnessFailure = e;
            }
        });
        // The witness reads the recorded forward pass, which the caller frees on the way out: it must be done first.
        void Finish()
        {
            job.Wait();
            set_num_threads(threads);
        }
        RuleResult ruleResult;
        try
        {
            ruleResult = rule();
        }
        catch
        {
            Finish();
            witnessResult?.Dispose();
            throw;
        }
        Finish();
        if (witnessFailure != null)
        {
            ruleResult.Dispose();
            ExceptionDispatchInfo.Capture(witnessFailure).Throw();
        }
        return (ruleResult, Adopt(witnessResult!, current));
    }

    /// <summary>The result's tensors, which no dispose scope holds (the witness's thread has none outside its own), moved
    /// to the scope outside <paramref name="current"/>, where a witness computed in it would have put them.</summary>
    private static RuleResult Adopt(RuleResult result, DisposeScope current)
    {
        foreach (var tensor in TensorsOf(result))
        {
            current.Attach(tensor);
            tensor.MoveToOuterDisposeScope();
        }
        return result;
    }

    private static IEnumerable<Tensor> TensorsOf(RuleResult result) => result.Updates.Values.Append(result.Output);
}
