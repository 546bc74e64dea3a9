#include "invx/text-file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "invx/error.h"

namespace invx {

void requireRegularFile(const std::string& path, const std::string& what) {
    namespace fs = std::filesystem;
    std::error_code error;
    const fs::file_type type = fs::status(path, error).type();
    const char* kind = type == fs::file_type::directory ? "a folder"
                       : type == fs::file_type::fifo    ? "a named pipe (FIFO)"
                       : type == fs::file_type::block || type == fs::file_type::character
                           ? "a device"
                       : type == fs::file_type::socket  ? "a socket"
                       : type == fs::file_type::unknown ? "of a kind that is not a file"
                                                        : nullptr;
    if (kind)
        throw Error("the " + what + " '" + path + "' is " + kind +
                    ", not a regular file; give a file");
}

std::string readWholeFile(const std::string& path, const std::string& what) {
    requireRegularFile(path, what);
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error("cannot read the " + what + " '" + path + "': " + std::strerror(errno));
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) throw Error("reading the " + what + " '" + path + "' failed");
    return buffer.str();
}

void writeFileAtomically(const std::string& path, const std::string& text,
                         const std::string& what) {
    const std::string written = path + ".tmp";
    {
        std::ofstream out(written, std::ios::binary | std::ios::trunc);
        out << text;
        out.flush();
        if (!out) {
            out.close();
            std::remove(written.c_str());
            throw Error("the " + what + " '" + path +
                        "' was not written (is the disk full?); the previous version is kept");
        }
    }
    std::error_code error;
    std::filesystem::rename(written, path, error);
    if (error) throw Error("the " + what + " '" + path + "' was not written: " + error.message());
}

std::string trimWhitespace(const std::string& text) {
    const auto begin = text.find_first_not_of(" \t\r\n\f\v");
    if (begin == std::string::npos) return {};
    const auto end = text.find_last_not_of(" \t\r\n\f\v");
    return text.substr(begin, end - begin + 1);
}

}  // namespace invx
