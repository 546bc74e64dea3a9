#pragma once
// Other programs that `invx study` runs (sbatch, squeue, sacct, scancel, the study's own script):
// started without a shell, their output captured or passed through.
#include <map>
#include <string>
#include <vector>

namespace invx::cli {

struct ProgramResult {
    int exitCode = -1;   // the program's status; 127 when it could not be started
    std::string output;  // what it printed on stdout and stderr, together
};

// Runs `argv` (argv[0] looked up on PATH) to its end and captures what it prints.
ProgramResult runProgram(const std::vector<std::string>& argv);

// True when `program` is an executable on PATH.
bool onPath(const std::string& program);

// Starts `argv` with `environment` added to invx's own, its output going where invx's goes; the
// process id. Throws invx::Error when it cannot be started.
int startProgram(const std::vector<std::string>& argv,
                 const std::map<std::string, std::string>& environment);
// Waits for any started program; its process id and exit status (128 + signal when killed).
std::pair<int, int> waitForAnyProgram();

}  // namespace invx::cli
