#pragma once
#include <string>

namespace invx {

// The whole content of `path`. `what` says what the file is for ("tokenizer vocabulary"), so the
// error for a missing or unreadable file can say so.
std::string readWholeFile(const std::string& path, const std::string& what);

// `text` without leading and trailing white space (spaces, tabs, line breaks).
std::string trimWhitespace(const std::string& text);

}  // namespace invx
