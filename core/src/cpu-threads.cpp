#include "invx/cpu-threads.h"

#include <unistd.h>

#include <cstdlib>

namespace invx {

void preferPassiveOpenMpWaiting(char** argv) {
    if (std::getenv("OMP_WAIT_POLICY")) return;
    ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    ::execv("/proc/self/exe", argv);  // returns only on failure: then carry on as we are
}

}  // namespace invx
