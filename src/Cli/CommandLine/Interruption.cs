using System.Runtime.InteropServices;

namespace ZilOnnx.Cli.CommandLine;

/// <summary>
/// Turns Ctrl-C (SIGINT) and SIGTERM into a request the training loop honours between steps, so that an
/// interrupted run ends with a checkpoint instead of losing its progress. A second signal while the first is
/// still being handled is left to its default action, so a stuck run can still be stopped.
/// </summary>
public sealed class Interruption : IDisposable
{
    private readonly List<PosixSignalRegistration> _registrations = [];
    private volatile string? _signal;

    /// <param name="notify">Called with the signal's name as soon as it arrives (on the signal's thread), or null.</param>
    public Interruption(Action<string>? notify = null)
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
            _registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                if (_signal != null) return; // the second time: default action, the process ends
                _signal = context.Signal == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM";
                context.Cancel = true;
                notify?.Invoke(_signal);
            }));
    }

    /// <summary>The signal received ("SIGINT" or "SIGTERM"), or null.</summary>
    public string? Signal => _signal;

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
    }
}
