#pragma once
// The data sets named on the command line ("wikitext2", "c4", ...), found under $INVX_DATA.
#include <string>

namespace invx {

// The data directory: $INVX_DATA, else "" (then only explicit paths work).
std::string dataDirectory();

// Resolves a data set name or a path. Names: "wikitext2" (WikiText-2 raw test,
// $INVX_DATA/wikitext-2-raw/wiki.test.raw) and the calibration corpora "wikitext2-train",
// "wikipedia", "c4", "gutenberg" (a directory). Anything else is taken as a path.
// Throws invx::Error saying what was looked for and where to get it.
std::string resolveDataset(const std::string& nameOrPath);

}  // namespace invx
