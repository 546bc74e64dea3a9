#include "invx/data-sets.h"

#include <cstdlib>
#include <filesystem>

#include "invx/error.h"
#include "invx/text-file.h"

namespace invx {
namespace {

struct NamedDataset {
    const char* name;
    const char* relativePath;
    const char* source;
};

constexpr NamedDataset kDatasets[] = {
    {"wikitext2", "wikitext-2-raw/wiki.test.raw",
     "the test split of Hugging Face's wikitext-2-raw-v1 (Salesforce/wikitext), one row per line"},
    {"wikitext2-train", "wikitext-2/wiki.train.tokens", "WikiText-2 v1 wiki.train.tokens"},
    {"wikipedia", "wikipedia/wiki.utf8", "Wikipedia articles in WikiExtractor <doc> format"},
    {"c4", "c4/c4-sample.00000-of-00001.json.gz", "C4 (en) documents as gzipped JSON lines"},
    {"gutenberg", "gutenberg", "a directory of Project Gutenberg .txt books"},
};

}  // namespace

std::string dataDirectory() {
    const char* v = std::getenv("INVX_DATA");
    return v ? std::string(v) : std::string();
}

std::string resolveDataset(const std::string& nameOrPath) {
    for (const auto& d : kDatasets) {
        if (nameOrPath != d.name) continue;
        const std::string dir = dataDirectory();
        if (dir.empty()) {
            throw Error(std::string("data set '") + d.name +
                        "' is looked up under $INVX_DATA, which is not set; set INVX_DATA to your "
                        "data directory (it should hold " +
                        d.relativePath + ") or pass a file path");
        }
        std::filesystem::path p = std::filesystem::path(dir) / d.relativePath;
        if (!std::filesystem::exists(p)) {
            throw Error(std::string("data set '") + d.name + "' is not at '" + p.string() +
                        "'; put " + d.source + " there or pass a file path");
        }
        return p.string();
    }
    // Folders of .txt files serve as calibration corpora (like gutenberg), so a folder resolves
    // too; something else that exists (a named pipe, a device) is named for what it is.
    if (std::filesystem::exists(nameOrPath) && !std::filesystem::is_directory(nameOrPath))
        requireRegularFile(nameOrPath, "data set");
    if (!std::filesystem::is_regular_file(nameOrPath) &&
        !std::filesystem::is_directory(nameOrPath)) {
        std::string names;
        for (const auto& d : kDatasets) names += std::string(names.empty() ? "" : ", ") + d.name;
        throw Error("data set '" + nameOrPath + "' is neither a known name (" + names +
                    ") nor an existing file or folder");
    }
    return nameOrPath;
}

}  // namespace invx
