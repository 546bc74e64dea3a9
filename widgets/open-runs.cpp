#include "open-runs.h"

#include <QFileInfo>
#include <algorithm>

namespace invx::gui {

RunData* OpenRuns::find(const QString& path) const {
    const QString absolute = QFileInfo(path).absoluteFilePath();
    for (const auto& r : runs_)
        if (QFileInfo(r->path).absoluteFilePath() == absolute) return r.get();
    return nullptr;
}

RunData* OpenRuns::add(std::unique_ptr<RunData> run) {
    runs_.push_back(std::move(run));
    return runs_.back().get();
}

void OpenRuns::remove(const RunData* run) {
    runs_.erase(
        std::remove_if(runs_.begin(), runs_.end(), [run](const auto& r) { return r.get() == run; }),
        runs_.end());
}

void OpenRuns::closeAllBut(const RunData* keep) {
    runs_.erase(std::remove_if(runs_.begin(), runs_.end(),
                               [keep](const auto& r) { return r.get() != keep; }),
                runs_.end());
}

std::vector<const RunData*> OpenRuns::all() const {
    std::vector<const RunData*> out;
    for (const auto& r : runs_) out.push_back(r.get());
    return out;
}

std::vector<RunData*> OpenRuns::allMutable() const {
    std::vector<RunData*> out;
    for (const auto& r : runs_) out.push_back(r.get());
    return out;
}

}  // namespace invx::gui
