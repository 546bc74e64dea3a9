#pragma once
#include <string>

namespace invx {

// Throws naming `what` and `path` unless `path` is a regular file (or a link to one): a folder, a
// named pipe, a device or a socket is refused before it is opened, so that nothing waits on a pipe
// and nothing reads a device. A missing file is left to the caller's open to report.
void requireRegularFile(const std::string& path, const std::string& what);

// The whole content of `path`. `what` says what the file is for ("tokenizer vocabulary"), so the
// error for a missing or unreadable file can say so.
std::string readWholeFile(const std::string& path, const std::string& what);

// Writes `text` as `path`, beside it first and renamed over it, so that a crash or a full disk
// leaves the previous file whole. Throws naming `what` and `path` when it cannot be written.
void writeFileAtomically(const std::string& path, const std::string& text, const std::string& what);

// `text` without leading and trailing white space (spaces, tabs, line breaks).
std::string trimWhitespace(const std::string& text);

}  // namespace invx
