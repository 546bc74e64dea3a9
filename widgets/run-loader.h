#pragma once
// Reads runs from experiment files, whole or incrementally (a file another process is still
// writing is followed by calling refreshRun about once a second).
#include <QString>

#include "run-data.h"

namespace invx::gui {

// Throws invx::Error naming the file when it is missing, truncated, foreign or of a newer schema.
RunData loadRun(const QString& path);

// Reads what was added since `run` was loaded (steps, evaluations, status). Returns true when
// anything changed. Throws invx::Error like loadRun; `run` is then unchanged.
bool refreshRun(RunData& run);

// A file's status without its data: "running", "stopped", "finished", "created", "interrupted"
// (recorded as running while no process writes it), or "unreadable: <reason>".
QString experimentStatus(const QString& path);

}  // namespace invx::gui
