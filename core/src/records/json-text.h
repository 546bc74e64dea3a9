#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace invx {

// Parses `text`, the content of the `what` at `path` ("model configuration", ...); throws
// invx::Error "<what> '<path>' is not valid JSON: <reason>".
nlohmann::json parseJsonText(const std::string& text, const std::string& what,
                             const std::string& path);
// The same for a file read from disk (missing or unreadable files are named too).
nlohmann::json readJsonFile(const std::string& path, const std::string& what);

}  // namespace invx
