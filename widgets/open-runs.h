#pragma once
// The runs open in the window, owned here: the runs table, the curves and the results show them,
// and the live run (if any) is one of them. Pointers to a run stay valid until it is removed.
#include <QString>
#include <memory>
#include <vector>

#include "run-data.h"

namespace invx::gui {

class OpenRuns {
  public:
    // The open run of the file at `path` (compared as absolute paths); nullptr when none.
    RunData* find(const QString& path) const;
    RunData* add(std::unique_ptr<RunData> run);
    void remove(const RunData* run);
    // Closes every run but `keep` (nullptr: every run).
    void closeAllBut(const RunData* keep);
    std::vector<const RunData*> all() const;
    std::vector<RunData*> allMutable() const;
    bool empty() const { return runs_.empty(); }

  private:
    std::vector<std::unique_ptr<RunData>> runs_;
};

}  // namespace invx::gui
