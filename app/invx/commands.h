#pragma once
#include <string>
#include <vector>

#include "command-line.h"
#include "invx/search-run.h"

namespace invx::cli {

// Each command: its option table, and its body (which returns the exit code or throws).
const Command& tokenizeCommand();
int runTokenize(const Arguments& args);
const Command& evalCommand();
int runEval(const Arguments& args);
const Command& logitsCommand();
int runLogits(const Arguments& args);
const Command& searchCommand();
int runSearchCommand(const Arguments& args);
const Command& quantizeCommand();
int runQuantizeCommand(const Arguments& args);
const Command& applyCommand();
int runApply(const Arguments& args);
const Command& inspectCommand();
int runInspect(const Arguments& args);
const Command& studyCommand();
int runStudy(const Arguments& args);
const Command& tableCommand();
int runTable(const Arguments& args);
const Command& settingsCommand();
int runSettings(const Arguments& args);
const Command& exportInvariancesCommand();
int runExportInvariances(const Arguments& args);
const Command& importInvariancesCommand();
int runImportInvariances(const Arguments& args);

// invx quantize's run (no search step) from the options of `command`; import-invariances starts
// from it too.
SearchRunRequest quantizeRequest(const Arguments& args, SettingCommand command);

}  // namespace invx::cli
