#include "background-priority.h"

#include <sys/resource.h>
#include <unistd.h>

namespace invx::gui {

void lowerThisThreadsPriority() {
#ifdef __linux__
    // On Linux a nice value belongs to a thread: PRIO_PROCESS with the thread's id sets its own.
    (void)setpriority(PRIO_PROCESS, id_t(gettid()), 10);
#endif
}

}  // namespace invx::gui
