#pragma once
// A study run by processes instead of the workbench's queue: its script, and what Slurm says about
// its jobs. The script (<folder>/study.sbatch) is the whole plan, readable and editable: a stage
// per argument (check, base, search, evaluate), one array task per variant. `invx study submit
// --slurm` hands its stages to sbatch; `invx study run` runs the same stages on this machine,
// several variants at once. Torch-free and Qt-free; running commands is the caller's (the CLI, the
// workbench's QProcess).
#include <map>
#include <string>
#include <vector>

#include "invx/study-plan.h"

namespace invx {

// <folder>/study.sbatch
std::string studyScriptPath(const StudyPlan& plan);

// The script's text. `invx` is the program the stages run (the script's INVX variable overrides
// it); `slurm` gives the #SBATCH lines. Each search task resumes its variant's file when it exists
// (a resubmitted task carries on from its last checkpoint); the base stage quantizes each shared
// base once (StudyPlan::baseFile) and skips the ones already there; the evaluation stage measures
// what `invx table --evaluate` finds missing, as the study's evaluation asks.
std::string studyScript(const StudyPlan& plan, const SlurmOptions& slurm, const std::string& invx);

// Slurm's array list of task ids: {0, 1, 2, 5} -> "0-2,5".
std::string slurmArrayList(const std::vector<int>& tasks);

// sbatch's arguments (after "sbatch") for one stage of the study's script: the job's name
// ("invx-<folder name>-<stage>"), its output file in <folder>/slurm/, --parsable, the array of
// `tasks` (empty: not an array job) and a dependency ("afterok:12", "aftercorr:13"; "" for none).
std::vector<std::string> sbatchArguments(const StudyPlan& plan, const std::string& stage,
                                         const std::vector<int>& tasks,
                                         const std::string& dependency);

// The job id in what `sbatch --parsable` printed ("1234" or "1234;cluster"). Throws invx::Error
// quoting the output when it holds none.
std::string parseSbatchJobId(const std::string& output);

// What Slurm says of a job, in the words the study shows.
enum class SchedulerState { Unknown, Pending, Running, Completed, Failed, TimedOut, Cancelled };
// Slurm's state names (squeue's %T, sacct's State: "PENDING", "CANCELLED by 0", "OUT_OF_MEMORY").
SchedulerState parseSchedulerState(const std::string& slurmState);
// "pending", "running", "completed", "failed", "timed out", "cancelled", "" for Unknown.
std::string schedulerStateName(SchedulerState state);
// Neither pending nor running: the job will not change any more.
bool schedulerStateEnded(SchedulerState state);
// Pending or running: the cluster still has the job in hand.
bool schedulerStateActive(SchedulerState state);

// The arguments of squeue and of sacct that print the states of `jobIds` (comma-separated job ids)
// as parseSchedulerStates reads them: squeue's include ended jobs Slurm still holds.
std::vector<std::string> squeueArguments(const std::string& jobIds);
std::vector<std::string> sacctArguments(const std::string& jobIds);

// Lines "JOBID|STATE" as `squeue -h -o %i|%T` and `sacct -n -P -X -o JobID,State` print them, by
// job id; array records such as "1234_[0-3,5%2]" (pending tasks) stand for each of their tasks
// ("1234_0" ... "1234_5"). Lines of another form are skipped. Later lines win.
std::map<std::string, SchedulerState> parseSchedulerStates(const std::string& text);

// A job's state ("12_3") in `states`, an array task falling back to its array's record; Unknown
// when neither is there (or `job` is "").
SchedulerState schedulerStateOf(const std::map<std::string, SchedulerState>& states,
                                const std::string& job);

// The job ids of a study's submission, without array task suffixes, for squeue -j / sacct -j /
// scancel.
std::vector<std::string> submissionJobIds(const SlurmSubmission& submission);

}  // namespace invx
