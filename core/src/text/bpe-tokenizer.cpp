#include "invx/bpe-tokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <array>
#include <climits>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "invx/error.h"
#include "invx/text-file.h"
#include "records/json-text.h"

namespace invx {
namespace {

namespace fs = std::filesystem;

// GPT-2's pre-tokenization pattern; \p{L}, \p{N} and (with PCRE2_UCP) \s are Unicode classes.
constexpr const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

void appendUtf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xF0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3F));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    }
}

// GPT-2's reversible map from bytes to printable code points: printable Latin-1 bytes map to
// themselves, the others to 256, 257, ... in byte order.
std::array<std::uint32_t, 256> byteToCodePoint() {
    std::array<std::uint32_t, 256> map{};
    std::uint32_t next = 256;
    for (int b = 0; b < 256; ++b) {
        bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
        map[b] = printable ? std::uint32_t(b) : next++;
    }
    return map;
}

// Length of the UTF-8 sequence starting at s[i], assuming valid UTF-8.
std::size_t utf8Length(unsigned char lead) {
    if (lead < 0x80) return 1;
    if ((lead >> 5) == 0x6) return 2;
    if ((lead >> 4) == 0xE) return 3;
    return 4;
}

std::string specialTokenContent(const nlohmann::json& value) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_object() && value.contains("content") && value["content"].is_string())
        return value["content"].get<std::string>();
    return {};
}

}  // namespace

std::int64_t findInvalidUtf8(const std::string& text) {
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        std::size_t len;
        std::uint32_t cp;
        if (c < 0x80) {
            ++i;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            len = 2, cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3, cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4, cp = c & 0x07;
        } else {
            return std::int64_t(i);
        }
        if (i + len > n) return std::int64_t(i);
        for (std::size_t k = 1; k < len; ++k) {
            if ((s[i + k] & 0xC0) != 0x80) return std::int64_t(i);
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return std::int64_t(i);
        i += len;
    }
    return -1;
}

struct BpeTokenizer::Impl {
    std::unordered_map<std::string, std::int32_t> vocab;  // byte-level token text -> id
    std::vector<std::string> idToToken;                   // id -> token text ("" if unused)
    std::unordered_map<std::string, int> mergeRank;       // "left right" -> rank
    std::vector<std::pair<std::string, std::int32_t>> addedTokens;  // longest first
    std::vector<bool> isAdded;                                      // by id
    std::array<std::string, 256> byteSymbol;  // byte -> its code point as UTF-8
    std::unordered_map<std::string, unsigned char> symbolByte;
    std::int32_t bos = -1, eos = -1, unk = -1;
    bool addBos = false;
    pcre2_code* pattern = nullptr;
    mutable std::unordered_map<std::string, std::vector<std::int32_t>> cache;

    ~Impl() {
        if (pattern) pcre2_code_free(pattern);
    }

    void compilePattern() {
        int errorCode = 0;
        PCRE2_SIZE errorOffset = 0;
        pattern = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(kGpt2Pattern), PCRE2_ZERO_TERMINATED,
                                PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK, &errorCode,
                                &errorOffset, nullptr);
        if (!pattern)
            throw Error("internal error: the GPT-2 pre-tokenization pattern does not compile");
        pcre2_jit_compile(pattern, PCRE2_JIT_COMPLETE);  // falls back to the interpreter if absent
    }

    void setId(const std::string& token, std::int32_t id) {
        if (id < 0) return;
        if (std::size_t(id) >= idToToken.size()) {
            idToToken.resize(std::size_t(id) + 1);
            isAdded.resize(std::size_t(id) + 1, false);
        }
        idToToken[std::size_t(id)] = token;
    }

    std::vector<std::int32_t> bpeWord(const std::string& word) const {
        auto hit = cache.find(word);
        if (hit != cache.end()) return hit->second;

        std::vector<std::string> symbols;
        for (unsigned char b : word) symbols.push_back(byteSymbol[b]);
        while (symbols.size() > 1) {
            int bestRank = INT_MAX;
            std::size_t bestAt = 0;
            for (std::size_t i = 0; i + 1 < symbols.size(); ++i) {
                auto r = mergeRank.find(symbols[i] + ' ' + symbols[i + 1]);
                if (r != mergeRank.end() && r->second < bestRank) bestRank = r->second, bestAt = i;
            }
            if (bestRank == INT_MAX) break;
            // Merge every occurrence of the best pair, left to right.
            const std::string left = symbols[bestAt], right = symbols[bestAt + 1];
            std::vector<std::string> merged;
            merged.reserve(symbols.size());
            for (std::size_t i = 0; i < symbols.size(); ++i) {
                if (i + 1 < symbols.size() && symbols[i] == left && symbols[i + 1] == right) {
                    merged.push_back(left + right);
                    ++i;
                } else {
                    merged.push_back(symbols[i]);
                }
            }
            symbols.swap(merged);
        }

        std::vector<std::int32_t> ids;
        for (const auto& s : symbols) {
            auto v = vocab.find(s);
            if (v != vocab.end()) {
                ids.push_back(v->second);
            } else if (unk >= 0) {
                ids.push_back(unk);
            } else {
                throw Error("tokenizer: the symbol '" + s +
                            "' is not in vocab.json and the tokenizer has no unknown token; the "
                            "vocabulary does not cover all 256 bytes");
            }
        }
        cache.emplace(word, ids);
        return ids;
    }

    void encodePlain(const std::string& text, std::size_t begin, std::size_t end,
                     std::vector<std::int32_t>& out) const {
        if (begin >= end) return;
        // Freed however the loop ends: bpeWord throws for a symbol outside the vocabulary.
        const std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> owned(
            pcre2_match_data_create_from_pattern(pattern, nullptr), &pcre2_match_data_free);
        pcre2_match_data* match = owned.get();
        const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
        std::size_t offset = begin;
        while (offset < end) {
            int rc = pcre2_match(pattern, subject, end, offset, PCRE2_NO_UTF_CHECK, match, nullptr);
            std::size_t from, to;
            if (rc < 0) {
                from = offset, to = end;  // cannot happen: \s+ and [^\s\p{L}\p{N}]+ cover all
            } else {
                PCRE2_SIZE* ov = pcre2_get_ovector_pointer(match);
                from = ov[0], to = ov[1];
                if (to == from) to = from + utf8Length(text[from]);
            }
            if (from > offset) {
                auto ids = bpeWord(text.substr(offset, from - offset));
                out.insert(out.end(), ids.begin(), ids.end());
            }
            auto ids = bpeWord(text.substr(from, to - from));
            out.insert(out.end(), ids.begin(), ids.end());
            offset = to;
        }
    }
};

BpeTokenizer::BpeTokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BpeTokenizer::BpeTokenizer(BpeTokenizer&&) noexcept = default;
BpeTokenizer& BpeTokenizer::operator=(BpeTokenizer&&) noexcept = default;
BpeTokenizer::~BpeTokenizer() = default;

BpeTokenizer BpeTokenizer::fromDirectory(const std::string& directory) {
    auto impl = std::make_unique<Impl>();
    const fs::path dir(directory);
    const fs::path vocabPath = dir / "vocab.json", mergesPath = dir / "merges.txt";
    if (!fs::is_directory(dir))
        throw Error("tokenizer directory '" + directory + "' does not exist");
    if (!fs::exists(vocabPath) || !fs::exists(mergesPath)) {
        throw Error("tokenizer directory '" + directory +
                    "' has no vocab.json and merges.txt; only byte-level BPE tokenizers in the "
                    "GPT-2 format (GPT-2, OPT) are supported");
    }

    auto byteMap = byteToCodePoint();
    for (int b = 0; b < 256; ++b) {
        appendUtf8(impl->byteSymbol[b], byteMap[b]);
        impl->symbolByte[impl->byteSymbol[b]] = static_cast<unsigned char>(b);
    }

    nlohmann::json vocab = readJsonFile(vocabPath.string(), "tokenizer vocabulary");
    if (!vocab.is_object())
        throw Error("tokenizer vocabulary '" + vocabPath.string() +
                    "' is not a JSON object of token: id");
    for (const auto& [token, id] : vocab.items())
        if (!id.is_number_integer() || id.get<std::int64_t>() < 0 ||
            id.get<std::int64_t>() > INT32_MAX)
            throw Error("tokenizer vocabulary '" + vocabPath.string() + "': token '" + token +
                        "' has an id that is not a non-negative integer");

    const std::string merges = readWholeFile(mergesPath.string(), "tokenizer merges");
    if (findInvalidUtf8(merges) >= 0)
        throw Error("tokenizer merges '" + mergesPath.string() + "' is not valid UTF-8");
    std::size_t pos = 0;
    int rank = 0, lineNo = 0;
    while (pos < merges.size()) {
        std::size_t eol = merges.find('\n', pos);
        if (eol == std::string::npos) eol = merges.size();
        std::string line = merges.substr(pos, eol - pos);
        pos = eol + 1;
        ++lineNo;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || (lineNo == 1 && line.rfind("#version", 0) == 0)) continue;
        std::size_t space = line.find(' ');
        if (space == std::string::npos || space == 0 || space + 1 >= line.size() ||
            line.find(' ', space + 1) != std::string::npos) {
            throw Error("tokenizer merges '" + mergesPath.string() + "', line " +
                        std::to_string(lineNo) + ": expected two symbols separated by one space");
        }
        impl->mergeRank.emplace(line, rank++);
    }

    // Added and special tokens. Their ids come from added_tokens.json or tokenizer_config.json's
    // added_tokens_decoder, else from the vocabulary.
    const fs::path configPath = dir / "tokenizer_config.json";
    const fs::path specialPath = dir / "special_tokens_map.json";
    const fs::path addedPath = dir / "added_tokens.json";
    nlohmann::json config = fs::exists(configPath)
                                ? readJsonFile(configPath.string(), "tokenizer configuration")
                                : nlohmann::json::object();
    nlohmann::json special = fs::exists(specialPath)
                                 ? readJsonFile(specialPath.string(), "special tokens map")
                                 : nlohmann::json::object();
    std::unordered_map<std::string, std::int32_t> added;
    std::unordered_map<std::string, std::string>
        addedSource;  // the file each added token came from
    if (fs::exists(addedPath)) {
        nlohmann::json a = readJsonFile(addedPath.string(), "added tokens file");
        if (!a.is_object())
            throw Error("added tokens file '" + addedPath.string() +
                        "' is not a JSON object of token: id");
        for (const auto& [token, id] : a.items()) {
            if (!id.is_number_integer() || id.get<std::int64_t>() < 0 ||
                id.get<std::int64_t>() > INT32_MAX)
                throw Error("added tokens file '" + addedPath.string() + "': token '" + token +
                            "' has an id that is not a non-negative integer");
            added[token] = id.get<std::int32_t>();
            addedSource[token] = addedPath.string();
        }
    }
    if (config.is_object() && config.contains("added_tokens_decoder") &&
        config["added_tokens_decoder"].is_object()) {
        for (const auto& [idText, value] : config["added_tokens_decoder"].items()) {
            std::string content = specialTokenContent(value);
            std::size_t used = 0;
            long long id = -1;
            try {
                id = std::stoll(idText, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used != idText.size() || id < 0 || id > INT32_MAX)
                throw Error("tokenizer configuration '" + configPath.string() +
                            "': added_tokens_decoder key '" + idText +
                            "' is not a non-negative integer id");
            if (!content.empty()) {
                added[content] = std::int32_t(id);
                addedSource[content] = configPath.string();
            }
        }
    }
    auto specialToken = [&](const char* key) -> std::string {
        if (special.is_object() && special.contains(key)) return specialTokenContent(special[key]);
        if (config.is_object() && config.contains(key)) return specialTokenContent(config[key]);
        return {};
    };
    for (const char* key : {"bos_token", "eos_token", "unk_token", "pad_token", "sep_token",
                            "cls_token", "mask_token"}) {
        std::string content = specialToken(key);
        if (!content.empty() && !added.count(content) && vocab.contains(content))
            added[content] = vocab[content].get<std::int32_t>();
    }
    // Ids index dense tables: each must lie within the vocabulary plus the added tokens, or one
    // stray id (near INT32_MAX) would ask for gigabytes.
    const std::int64_t idLimit = std::int64_t(vocab.size()) + std::int64_t(added.size());
    for (const auto& [token, id] : vocab.items()) {
        if (id.get<std::int64_t>() >= idLimit)
            throw Error("tokenizer vocabulary '" + vocabPath.string() + "': token '" + token +
                        "' has id " + std::to_string(id.get<std::int64_t>()) + ", beyond the " +
                        std::to_string(idLimit) + " ids of the vocabulary and the added tokens");
        impl->vocab[token] = id.get<std::int32_t>();
        impl->setId(token, id.get<std::int32_t>());
    }
    for (const auto& [content, id] : added)
        if (id >= idLimit)
            throw Error("tokenizer file '" +
                        (addedSource.count(content) ? addedSource[content] : vocabPath.string()) +
                        "': added token '" + content + "' has id " + std::to_string(id) +
                        ", beyond the " + std::to_string(idLimit) +
                        " ids of the vocabulary and the added tokens");
    for (const auto& [content, id] : added) {
        impl->vocab.emplace(content, id);
        impl->setId(content, id);
        impl->isAdded[std::size_t(id)] = true;
        impl->addedTokens.emplace_back(content, id);
    }
    std::sort(impl->addedTokens.begin(), impl->addedTokens.end(),
              [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });

    auto idOf = [&](const std::string& token) -> std::int32_t {
        if (token.empty()) return -1;
        auto it = impl->vocab.find(token);
        return it == impl->vocab.end() ? -1 : it->second;
    };
    impl->bos = idOf(specialToken("bos_token"));
    impl->eos = idOf(specialToken("eos_token"));
    impl->unk = idOf(specialToken("unk_token"));
    if (config.is_object() && config.contains("add_bos_token") &&
        config["add_bos_token"].is_boolean())
        impl->addBos = config["add_bos_token"].get<bool>();
    if (impl->addBos && impl->bos < 0)
        throw Error("tokenizer configuration '" + configPath.string() +
                    "' sets add_bos_token but names no bos_token that is in the vocabulary");

    impl->compilePattern();
    return BpeTokenizer(std::move(impl));
}

std::vector<std::int32_t> BpeTokenizer::encode(const std::string& text, bool addSpecial) const {
    std::int64_t bad = findInvalidUtf8(text);
    if (bad >= 0) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02X", unsigned(static_cast<unsigned char>(text[bad])));
        throw Error("text to tokenize is not valid UTF-8: byte " + std::string(hex) +
                    " at offset " + std::to_string(bad) + "; convert the file to UTF-8");
    }
    std::vector<std::int32_t> ids;
    if (addSpecial && impl_->addBos) ids.push_back(impl_->bos);

    // Added tokens are cut out of the text first, the longest one at the earliest position.
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t bestAt = std::string::npos;
        const std::pair<std::string, std::int32_t>* best = nullptr;
        for (const auto& added : impl_->addedTokens) {
            std::size_t at = text.find(added.first, pos);
            if (at < bestAt) bestAt = at, best = &added;
        }
        if (!best) {
            impl_->encodePlain(text, pos, text.size(), ids);
            break;
        }
        impl_->encodePlain(text, pos, bestAt, ids);
        ids.push_back(best->second);
        pos = bestAt + best->first.size();
    }
    return ids;
}

std::string BpeTokenizer::decode(const std::vector<std::int32_t>& ids, bool skipSpecial) const {
    std::string out;
    for (std::int32_t id : ids) {
        if (id < 0 || std::size_t(id) >= impl_->idToToken.size() ||
            (impl_->idToToken[std::size_t(id)].empty() && !impl_->isAdded[std::size_t(id)])) {
            throw Error("cannot decode token id " + std::to_string(id) +
                        ": it is not in the tokenizer's vocabulary of " +
                        std::to_string(impl_->idToToken.size()) + " ids");
        }
        const std::string& token = impl_->idToToken[std::size_t(id)];
        if (impl_->isAdded[std::size_t(id)]) {
            if (!skipSpecial) out += token;
            continue;
        }
        for (std::size_t i = 0; i < token.size();) {
            std::size_t len = utf8Length(static_cast<unsigned char>(token[i]));
            auto b = impl_->symbolByte.find(token.substr(i, len));
            if (b == impl_->symbolByte.end())
                throw Error("token id " + std::to_string(id) + " ('" + token +
                            "') is not a byte-level token and cannot be decoded");
            out += char(b->second);
            i += len;
        }
    }
    return out;
}

std::int32_t BpeTokenizer::vocabSize() const { return std::int32_t(impl_->idToToken.size()); }
std::int32_t BpeTokenizer::bosTokenId() const { return impl_->bos; }
std::int32_t BpeTokenizer::eosTokenId() const { return impl_->eos; }
bool BpeTokenizer::addsBosToken() const { return impl_->addBos; }

std::int32_t BpeTokenizer::tokenId(const std::string& token) const {
    auto it = impl_->vocab.find(token);
    return it == impl_->vocab.end() ? -1 : it->second;
}

std::string BpeTokenizer::token(std::int32_t id) const {
    if (id < 0 || std::size_t(id) >= impl_->idToToken.size()) return {};
    return impl_->idToToken[std::size_t(id)];
}

}  // namespace invx
