#include "invx/perplexity-text.h"

#include "invx/corpus-documents.h"
#include "invx/data-sets.h"
#include "invx/error.h"
#include "invx/text-file.h"

namespace invx {
namespace {

bool whitespaceOnly(const std::string& s) {
    for (char c : s)
        if (c != ' ' && c != '\t' && c != '\r' && c != '\f' && c != '\v') return false;
    return true;
}

}  // namespace

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

std::vector<std::int32_t> evaluationTokenIds(const std::string& nameOrPath,
                                             const BpeTokenizer& tokenizer,
                                             std::int64_t jsonTokenLimit) {
    const std::string path = resolveDataset(nameOrPath);
    try {
        if (isJsonLinesFile(path)) {
            std::string text;
            for (const std::string& doc : readCorpusDocuments(path))
                text += (text.empty() ? "" : "\n\n") + doc;
            std::vector<std::int32_t> ids = tokenizer.encode(text, /*addSpecial=*/true);
            if (std::int64_t(ids.size()) > jsonTokenLimit) ids.resize(std::size_t(jsonTokenLimit));
            return ids;
        }
        return tokenizer.encode(joinRowsForPerplexity(readWholeFile(path, "evaluation data")),
                                /*addSpecial=*/true);
    } catch (const Error& e) {
        throw Error("'" + path + "': " + e.what());
    }
}

}  // namespace invx
