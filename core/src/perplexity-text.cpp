#include "invx/perplexity-text.h"

#include <cstdlib>
#include <filesystem>

#include "invx/calibration-data.h"
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

bool whitespaceOnly(const std::string& s) {
    for (char c : s)
        if (c != ' ' && c != '\t' && c != '\r' && c != '\f' && c != '\v') return false;
    return true;
}

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
                        "data directory (it should hold " + d.relativePath + ") or pass a file path");
        }
        std::filesystem::path p = std::filesystem::path(dir) / d.relativePath;
        if (!std::filesystem::exists(p)) {
            throw Error(std::string("data set '") + d.name + "' is not at '" + p.string() +
                        "'; put " + d.source + " there or pass a file path");
        }
        return p.string();
    }
    // Folders of .txt files serve as calibration corpora (like gutenberg), so a folder resolves too.
    if (!std::filesystem::is_regular_file(nameOrPath) && !std::filesystem::is_directory(nameOrPath)) {
        std::string names;
        for (const auto& d : kDatasets) names += std::string(names.empty() ? "" : ", ") + d.name;
        throw Error("data set '" + nameOrPath + "' is neither a known name (" + names +
                    ") nor an existing file or folder");
    }
    return nameOrPath;
}

std::string joinRowsForPerplexity(const std::string& content) {
    std::string out;
    out.reserve(content.size() + content.size() / 8);
    std::size_t pos = 0;
    bool first = true;
    while (pos < content.size()) {
        std::size_t eol = content.find('\n', pos);
        if (eol == std::string::npos) eol = content.size();
        const std::string line = content.substr(pos, eol - pos);
        pos = eol + 1;
        if (!first) out += "\n\n";
        first = false;
        if (!whitespaceOnly(line)) out += line + "\n";
    }
    return out;
}

std::vector<std::int32_t> evaluationTokenIds(const std::string& nameOrPath, const BpeTokenizer& tokenizer,
                                             std::int64_t jsonTokenLimit) {
    const std::string path = resolveDataset(nameOrPath);
    try {
        if (isJsonLinesFile(path)) {
            std::string text;
            for (const std::string& doc : readCorpusDocuments(path)) text += (text.empty() ? "" : "\n\n") + doc;
            std::vector<std::int32_t> ids = tokenizer.encode(text, /*addSpecial=*/true);
            if (std::int64_t(ids.size()) > jsonTokenLimit) ids.resize(std::size_t(jsonTokenLimit));
            return ids;
        }
        return tokenizer.encode(joinRowsForPerplexity(readWholeFile(path, "evaluation data")), /*addSpecial=*/true);
    } catch (const Error& e) {
        throw Error("'" + path + "': " + e.what());
    }
}

}  // namespace invx
