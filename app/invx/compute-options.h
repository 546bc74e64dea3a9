#pragma once
// --device, --dtype and --threads, shared by every command that runs a model.
#include <vector>

#include "command-line.h"

namespace invx::cli {

std::vector<Option> computeOptions();
// Sets libtorch's CPU threads (--threads) and whether non-finite weights load; the device and dtype
// go to the core as given.
void applyThreads(const Arguments& args);

}  // namespace invx::cli
