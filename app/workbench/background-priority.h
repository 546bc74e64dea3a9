#pragma once
// The workers' threads (the search, the inspector, the results' measurements) yield the CPU to the
// window's thread. QThread::LowPriority does nothing for Linux's normal scheduling, so on a 2-core
// machine a search's libtorch threads took as much CPU as the window and a tab switch could wait
// most of a second; a nice value on the worker's own thread (which the OpenMP threads it starts
// inherit) gives the window the larger share whenever it has work.

namespace invx::gui {

// Lowers the calling thread's priority (nice 10); does nothing where that is not possible.
void lowerThisThreadsPriority();

}  // namespace invx::gui
