#include "invx/corpus-documents.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "invx/data-sets.h"
#include "invx/error.h"
#include "invx/text-file.h"

#ifdef INVX_HAVE_ZLIB
#include <zlib.h>
#endif

namespace invx {
namespace {

namespace fs = std::filesystem;

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string readGzip(const std::string& path) {
#ifdef INVX_HAVE_ZLIB
    requireRegularFile(path, "calibration corpus");
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) throw Error("cannot open the calibration corpus '" + path + "'");
    std::string out;
    char buf[1 << 16];
    int n;
    while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, std::size_t(n));
    const bool failed = n < 0;
    gzclose(f);
    if (failed) throw Error("calibration corpus '" + path + "' is not a valid gzip file");
    return out;
#else
    throw Error("calibration corpus '" + path +
                "' is gzip-compressed, but this build has no zlib; "
                "decompress it (gunzip) and pass the .jsonl file");
#endif
}

std::vector<std::string> jsonLineDocuments(const std::string& content, const std::string& path) {
    std::vector<std::string> docs;
    std::istringstream in(content);
    std::string line;
    for (std::size_t lineNo = 1; std::getline(in, line); ++lineNo) {
        if (trimWhitespace(line).empty()) continue;
        nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_discarded() || !j.is_object() || !j.contains("text") || !j["text"].is_string())
            throw Error("calibration corpus '" + path + "' line " + std::to_string(lineNo) +
                        " is not a JSON object with a \"text\" string");
        docs.push_back(j["text"].get<std::string>());
    }
    return docs;
}

std::vector<std::string> wikiExtractorDocuments(const std::string& content) {
    std::vector<std::string> docs;
    std::size_t pos = 0;
    while ((pos = content.find("<doc", pos)) != std::string::npos) {
        const std::size_t start = content.find('>', pos);
        if (start == std::string::npos) break;
        std::size_t end = content.find("</doc>", start);
        if (end == std::string::npos) end = content.size();
        docs.push_back(content.substr(start + 1, end - start - 1));
        pos = end;
    }
    return docs;
}

std::vector<std::string> lineDocuments(const std::string& content) {
    std::vector<std::string> docs;
    std::istringstream in(content);
    std::string line;
    while (std::getline(in, line))
        if (!trimWhitespace(line).empty()) docs.push_back(line);
    return docs;
}

std::vector<std::string> paragraphDocuments(const std::string& content) {
    std::vector<std::string> docs;
    std::istringstream in(content);
    std::string line, paragraph;
    auto flush = [&] {
        if (!trimWhitespace(paragraph).empty()) docs.push_back(paragraph);
        paragraph.clear();
    };
    while (std::getline(in, line)) {
        if (trimWhitespace(line).empty())
            flush();
        else
            paragraph += (paragraph.empty() ? "" : "\n") + line;
    }
    flush();
    return docs;
}

std::vector<std::string> fileDocuments(const std::string& path) {
    if (isJsonLinesFile(path))
        return jsonLineDocuments(
            endsWith(path, ".gz") ? readGzip(path) : readWholeFile(path, "calibration corpus"),
            path);
    const std::string content = readWholeFile(path, "calibration corpus");
    if (content.compare(0, 4, "<doc") == 0) return wikiExtractorDocuments(content);
    if (endsWith(path, ".tokens")) return lineDocuments(content);
    return paragraphDocuments(content);
}

}  // namespace

bool isJsonLinesFile(const std::string& path) {
    return endsWith(path, ".gz") || endsWith(path, ".jsonl") || endsWith(path, ".json");
}

std::vector<std::string> readCorpusDocuments(const std::string& nameOrPath) {
    const std::string path = resolveDataset(nameOrPath);
    if (!fs::is_directory(path)) return fileDocuments(path);
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(path))
        if (entry.is_regular_file() && entry.path().extension() == ".txt")
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    if (files.empty())
        throw Error("calibration corpus directory '" + path + "' holds no .txt files");
    std::vector<std::string> docs;
    for (const auto& f : files) {
        auto more = paragraphDocuments(readWholeFile(f.string(), "calibration corpus"));
        docs.insert(docs.end(), more.begin(), more.end());
    }
    return docs;
}

}  // namespace invx
