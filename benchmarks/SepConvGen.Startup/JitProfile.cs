using System;
using System.Collections.Generic;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Linq;

namespace SepConvGen.Benchmarks
{
    /// <summary>
    /// The methods the JIT compiles while it listens, with the time each took (from the runtime's own JIT events, so it
    /// adds no code to the methods): what a first call spends compiling, method by method. JIT builds only.
    /// </summary>
    public sealed class JitProfile : EventListener
    {
        private const EventKeywords JitKeyword = (EventKeywords)0x10;
        private readonly Dictionary<long, (DateTime Start, string Name, int IlSize)> _started = new();
        private readonly List<(string Name, int IlSize, double Ms)> _compiled = new();

        /// <summary>Prints the <paramref name="count"/> methods that took longest to compile, and the total.</summary>
        public void Print(int count)
        {
            lock (_compiled)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"JIT-compiled while listening: {_compiled.Count} methods, {_compiled.Sum(m => m.Ms):F1} ms (the listener's own included)"));
                foreach ((string name, int ilSize, double ms) in _compiled.OrderByDescending(m => m.Ms).Take(count))
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{ms,8:F2} ms  IL {ilSize,5}  {name}"));
                }
            }
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, JitKeyword);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.Payload is null)
            {
                return;
            }

            // MethodJittingStarted: MethodID, ModuleID, MethodToken, MethodILSize, MethodNamespace, MethodName, ...
            // MethodLoadVerbose: MethodID first; it follows the compilation.
            long id = Convert.ToInt64(e.Payload[0], CultureInfo.InvariantCulture);
            lock (_compiled)
            {
                if (e.EventName == "MethodJittingStarted_V1")
                {
                    _started[id] = (e.TimeStamp, $"{e.Payload[4]}::{e.Payload[5]}", Convert.ToInt32(e.Payload[3], CultureInfo.InvariantCulture));
                }
                else if (e.EventName?.StartsWith("MethodLoadVerbose", StringComparison.Ordinal) == true && _started.Remove(id, out var start))
                {
                    _compiled.Add((start.Name, start.IlSize, (e.TimeStamp - start.Start).TotalMilliseconds));
                }
            }
        }
    }
}
