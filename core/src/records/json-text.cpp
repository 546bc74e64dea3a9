#include "records/json-text.h"

#include "invx/error.h"
#include "invx/text-file.h"

namespace invx {

nlohmann::json parseJsonText(const std::string& text, const std::string& what,
                             const std::string& path) {
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw Error(what + " '" + path + "' is not valid JSON: " + e.what());
    }
}

nlohmann::json readJsonFile(const std::string& path, const std::string& what) {
    return parseJsonText(readWholeFile(path, what), what, path);
}

}  // namespace invx
