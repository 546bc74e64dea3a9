#include "invx/model-locator.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "invx/error.h"
#include "invx/text-file.h"

namespace invx {
namespace {

namespace fs = std::filesystem;

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

bool looksLikeModelId(const std::string& s) {
    auto slash = s.find('/');
    return slash != std::string::npos && slash > 0 && slash + 1 < s.size() &&
           s.find('/', slash + 1) == std::string::npos && s[0] != '.' && s[0] != '~';
}

std::string requireConfig(const fs::path& dir, const std::string& what) {
    if (!fs::exists(dir / "config.json")) {
        throw Error(what + " '" + dir.string() +
                    "' has no config.json; point --model at a Hugging Face model directory");
    }
    return dir.string();
}

}  // namespace

std::string huggingFaceHubCache() {
    if (auto v = env("HF_HUB_CACHE"); !v.empty()) return v;
    if (auto v = env("HF_HOME"); !v.empty()) return (fs::path(v) / "hub").string();
    if (auto v = env("XDG_CACHE_HOME"); !v.empty())
        return (fs::path(v) / "huggingface" / "hub").string();
    return (fs::path(env("HOME")) / ".cache" / "huggingface" / "hub").string();
}

std::string resolveModelDirectory(const std::string& pathOrId) {
    if (pathOrId.empty()) throw Error("no model given; pass --model DIR or a Hugging Face id");
    fs::path path(pathOrId);
    if (fs::is_directory(path)) return requireConfig(path, "model directory");
    if (fs::is_regular_file(path)) return requireConfig(path.parent_path(), "model directory");
    if (!looksLikeModelId(pathOrId)) {
        throw Error(
            "model '" + pathOrId +
            "' is neither a directory nor a Hugging Face model id (like facebook/opt-125m)");
    }

    const fs::path cache(huggingFaceHubCache());
    std::string repo = pathOrId;
    repo.replace(repo.find('/'), 1, "--");
    const fs::path modelDir = cache / ("models--" + repo);
    const std::string download = "; download it on a machine with internet access (`hf download " +
                                 pathOrId + "`, or `huggingface-cli download " + pathOrId +
                                 "`) and copy the cache folder, or pass a local directory";
    if (!fs::is_directory(modelDir)) {
        throw Error("model '" + pathOrId + "' is not in the Hugging Face cache (looked for '" +
                    modelDir.string() + "')" + download);
    }
    fs::path snapshot;
    requireRegularFile((modelDir / "refs" / "main").string(), "Hugging Face cache reference");
    std::ifstream ref(modelDir / "refs" / "main");
    std::string commit;
    if (ref && std::getline(ref, commit) && !commit.empty()) {
        // A revision is a commit hash or a tag: one name inside snapshots/, never a path out of it.
        if (commit.find('/') != std::string::npos || commit.find('\\') != std::string::npos ||
            commit == "." || commit == "..")
            throw Error("model '" + pathOrId + "': the Hugging Face cache's refs/main in '" +
                        modelDir.string() + "' names '" + commit +
                        "', which is not a revision inside the cache; repair the cache or download "
                        "the model again");
        snapshot = modelDir / "snapshots" / commit;
    } else if (fs::is_directory(modelDir / "snapshots")) {
        // No refs/main (a cache copied without refs): accept a single snapshot.
        int count = 0;
        for (const auto& e : fs::directory_iterator(modelDir / "snapshots"))
            if (e.is_directory()) snapshot = e.path(), ++count;
        if (count != 1) snapshot.clear();
    }
    if (snapshot.empty() || !fs::is_directory(snapshot)) {
        throw Error("model '" + pathOrId + "' is in the Hugging Face cache at '" +
                    modelDir.string() +
                    "' but has no usable snapshot (refs/main is missing or "
                    "names a snapshot that is not there)" +
                    download);
    }
    return requireConfig(snapshot, "cached snapshot of '" + pathOrId + "'");
}

}  // namespace invx
