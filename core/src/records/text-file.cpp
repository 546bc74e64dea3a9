#include "invx/text-file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "invx/error.h"

namespace invx {

std::string readWholeFile(const std::string& path, const std::string& what) {
    if (std::filesystem::is_directory(path))
        throw Error("the " + what + " '" + path + "' is a folder, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error("cannot read the " + what + " '" + path + "': " + std::strerror(errno));
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) throw Error("reading the " + what + " '" + path + "' failed");
    return buffer.str();
}

std::string trimWhitespace(const std::string& text) {
    const auto begin = text.find_first_not_of(" \t\r\n\f\v");
    if (begin == std::string::npos) return {};
    const auto end = text.find_last_not_of(" \t\r\n\f\v");
    return text.substr(begin, end - begin + 1);
}

}  // namespace invx
