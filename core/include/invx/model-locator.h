#pragma once
// Where a model named on the command line lives: a local directory in Hugging Face layout, or a
// Hugging Face model id ("facebook/opt-125m") resolved offline in the local Hugging Face cache.
#include <string>

namespace invx {

// The hub cache searched for model ids: $HF_HUB_CACHE, else $HF_HOME/hub, else
// $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub.
std::string huggingFaceHubCache();

// A directory that holds config.json. Throws invx::Error saying where it looked and, for an id
// missing from the cache, how to download it.
std::string resolveModelDirectory(const std::string& pathOrId);

}  // namespace invx
