#include "invx/version.h"

namespace invx {

const char* versionString() { return INVX_VERSION; }

}  // namespace invx
