#pragma once
#include <string>

namespace invx {

// The whole content of `path`. `what` says what the file is for ("tokenizer vocabulary"), so the
// error for a missing or unreadable file can say so.
std::string readWholeFile(const std::string& path, const std::string& what);

}  // namespace invx
