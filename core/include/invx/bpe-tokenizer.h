#pragma once
// Byte-level BPE tokenizer in the Hugging Face GPT-2 format: vocab.json + merges.txt, with special
// and added tokens from tokenizer_config.json, special_tokens_map.json and added_tokens.json.
// Used by GPT-2 and the whole OPT family (OPT prepends its BOS token "</s>").
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace invx {

class BpeTokenizer {
  public:
    // Reads the tokenizer files from `directory`. Throws invx::Error naming the file at fault.
    static BpeTokenizer fromDirectory(const std::string& directory);

    BpeTokenizer(BpeTokenizer&&) noexcept;
    BpeTokenizer& operator=(BpeTokenizer&&) noexcept;
    ~BpeTokenizer();

    // Token ids of `text`, which must be valid UTF-8 (throws naming the byte offset otherwise).
    // With addSpecial, the BOS token is prepended when the tokenizer asks for it (OPT does).
    std::vector<std::int32_t> encode(const std::string& text, bool addSpecial = false) const;
    // The text of `ids`; special tokens are written as their text unless skipSpecial.
    std::string decode(const std::vector<std::int32_t>& ids, bool skipSpecial = false) const;

    std::int32_t vocabSize() const;                        // largest id + 1
    std::int32_t bosTokenId() const;                       // -1 when there is none
    std::int32_t eosTokenId() const;                       // -1 when there is none
    bool addsBosToken() const;                             // tokenizer_config.json "add_bos_token"
    std::int32_t tokenId(const std::string& token) const;  // -1 when unknown
    std::string token(std::int32_t id) const;              // "" when unknown

  private:
    struct Impl;
    explicit BpeTokenizer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// Offset of the first byte that breaks UTF-8 in `text`, or -1 when it is valid.
std::int64_t findInvalidUtf8(const std::string& text);

}  // namespace invx
