#include <iostream>

#include "commands.h"
#include "invx/bpe-tokenizer.h"
#include "invx/error.h"
#include "invx/text-file.h"

namespace invx::cli {

const Command& tokenizeCommand() {
    static const Command c{
        "tokenize",
        "--tokenizer DIR --input FILE [--add-special]",
        "Print the token ids of a file's whole content as one line of space-separated integers.",
        {
            {"--tokenizer", "DIR",
             "directory with vocab.json and merges.txt (a model directory works)", ""},
            {"--input", "FILE", "UTF-8 text file to tokenize", ""},
            {"--add-special", "",
             "add the special tokens the tokenizer asks for (OPT: a leading </s>)", ""},
        }};
    return c;
}

int runTokenize(const Arguments& args) {
    const auto tokenizer = BpeTokenizer::fromDirectory(args.require("--tokenizer"));
    const std::string input = args.require("--input");
    std::vector<std::int32_t> ids;
    try {
        ids = tokenizer.encode(readWholeFile(input, "input file"), args.has("--add-special"));
    } catch (const Error& e) {
        throw Error("'" + input + "': " + e.what());
    }
    std::string line;
    line.reserve(ids.size() * 6);
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i) line += ' ';
        line += std::to_string(ids[i]);
    }
    std::cout << line << '\n';
    return 0;
}

}  // namespace invx::cli
