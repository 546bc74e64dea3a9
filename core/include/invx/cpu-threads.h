#pragma once
// CPU threading that suits libtorch + OpenBLAS on few cores.

namespace invx {

// libtorch's OpenMP threads spin while they wait, and on a small machine they spin against
// OpenBLAS's own threads: measured on 2 cores, an 8 x 512 forward of the demo model takes 1.05 s
// with spinning and 0.67 s with OMP_WAIT_POLICY=PASSIVE. libgomp reads that variable when it is
// loaded, before main(), so a program calls this first thing in main(): when the variable is unset
// it sets PASSIVE and re-executes itself once. It returns (changing nothing) when the variable is
// already set, by the user or by the re-execution, or when re-execution fails.
void preferPassiveOpenMpWaiting(char** argv);

// Sets libtorch's intra-op threads, 0 = one per core, and returns how many it set.
int setCpuThreads(int threads);

}  // namespace invx
