#pragma once

namespace invx {

// The project's version, "MAJOR.MINOR.PATCH".
const char* versionString();

}  // namespace invx
