// invx study: a study (the workbench's ablation, <folder>/ablation.json) outside the workbench:
// created from the command line, run on this machine several variants at once, or submitted to a
// Slurm cluster and followed, cancelled and resubmitted there. The plan and the script are the
// core's (invx/study-plan.h, invx/slurm-study.h); this file runs the programs.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <set>
#include <sstream>
#include <thread>

#include "child-process.h"
#include "commands.h"
#include "compute-options.h"
#include "invx/error.h"
#include "invx/experiment-file.h"
#include "invx/slurm-study.h"
#include "invx/study-plan.h"
#include "invx/text-file.h"

namespace invx::cli {
namespace fs = std::filesystem;

const Command& studyCommand() {
    static const Command c = [] {
        Command cmd{
            "study",
            "create FOLDER KEY=V1,V2... --model PATH|ID [settings] | run|submit|status|cancel|"
            "resubmit STUDY [options]",
            "Run a study (a grid of searches, as the workbench's Ablation) on this machine's GPUs "
            "or on a Slurm cluster.",
            {
                {"--model", "PATH|ID", "create: the model the study's searches quantize", ""},
                {"--preset", "demo|paper", "create: the settings that are not given", "paper"},
                {"--evaluation", "none|quick|whole",
                 "create: what the study measures after its searches (C4 and the six tasks; quick: "
                 "40 windows and 100 items)",
                 "none"},
                {"--quick-windows", "N", "create: a quick evaluation's windows per perplexity",
                 "40"},
                {"--quick-items", "N", "create: a quick evaluation's items per task", "100"},
                {"--parallel", "N", "run: variants at once (one GPU each with --gpus)", "1"},
                {"--gpus", "LIST", "run: the GPUs to spread the variants over (0,1,2,3)", ""},
                {"--slurm", "", "submit: to the Slurm cluster this machine submits to (sbatch)",
                 ""},
                {"--partition", "NAME", "submit: Slurm partition", ""},
                {"--account", "NAME", "submit: Slurm account", ""},
                {"--time", "LIMIT", "submit: time limit per task, Slurm's format (4:00:00)", ""},
                {"--gpus-per-task", "N", "submit: GPUs per task", "0"},
                {"--cpus-per-task", "N", "submit: CPUs per task (the searches' threads)", "0"},
                {"--sbatch", "LINES",
                 "submit: further #SBATCH options, separated by ';' "
                 "(\"--qos=high;--mail-type=END\")",
                 ""},
                {"--invx", "PATH", "run/submit: the invx the tasks run", "this one"},
                {"--dry-run", "", "submit: write the script and print the sbatch commands only",
                 ""},
                {"--variant", "N", "cancel: only this variant's tasks (0-based)", ""},
            },
            "ACTION STUDY_OR_FOLDER [KEY=VALUES...]"};
        for (const Option& o : settingOptions(SettingCommand::Search)) cmd.options.push_back(o);
        for (auto& o : computeOptions()) cmd.options.push_back(o);
        return cmd;
    }();
    return c;
}

namespace {

// The options each action takes beyond the settings (create) and compute options.
const std::map<std::string, std::set<std::string>> kActionOptions = {
    {"create",
     {"--model", "--preset", "--evaluation", "--quick-windows", "--quick-items", "--device",
      "--dtype"}},
    {"run", {"--parallel", "--gpus", "--invx", "--threads"}},
    {"submit",
     {"--slurm", "--partition", "--account", "--time", "--gpus-per-task", "--cpus-per-task",
      "--sbatch", "--invx", "--dry-run"}},
    {"status", {}},
    {"cancel", {"--variant"}},
    {"resubmit", {}},
};

void refuseOtherActionsOptions(const Arguments& args, const std::string& action) {
    const std::set<std::string>& own = kActionOptions.at(action);
    for (const Option& o : studyCommand().options) {
        if (!args.has(o.name) || own.count(o.name)) continue;
        const bool setting = findSettingDeclaration(o.name) != nullptr;
        if (action == "create" && (setting || o.name == "--threads")) continue;
        throw Error(o.name + " does not belong to 'invx study " + action + "'");
    }
}

// STUDY is the study's file or its folder.
std::string studyFile(const std::string& operand) {
    return fs::is_directory(operand) ? (fs::path(operand) / StudyPlan::kFileName).string()
                                     : operand;
}

std::string invxProgram(const Arguments& args) {
    if (args.has("--invx")) return fs::absolute(args.get("--invx")).string();
    std::error_code error;
    const fs::path self = fs::read_symlink("/proc/self/exe", error);
    return error ? std::string("invx") : self.string();
}

std::vector<std::string> splitList(const std::string& text, char separator) {
    std::vector<std::string> items;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, separator);)
        if (!item.empty()) items.push_back(item);
    return items;
}

// "finished", "running", ... as the file records it; "missing" when there is none yet, or
// "unreadable: <why>".
std::string fileState(const std::string& path) {
    if (!fs::exists(path))
        return ExperimentFile::hasUnpublished(path) ? "training (FILE.part)" : "missing";
    try {
        return ExperimentFile::open(path, false).status();
    } catch (const std::exception& e) {
        return std::string("unreadable: ") + e.what();
    }
}

// fileState with the file's progress: "running, 40 of 60 steps".
std::string fileProgress(const std::string& path) {
    if (!fs::exists(path)) return fileState(path);
    try {
        const ExperimentFile file = ExperimentFile::open(path, false);
        return file.status() + ", " + std::to_string(file.stepCount()) + " of " +
               std::to_string(file.settings().steps) + " steps";
    } catch (const std::exception& e) {
        return std::string("unreadable: ") + e.what();
    }
}

void writeScript(const StudyPlan& plan, const SlurmOptions& options, const std::string& invx) {
    const std::string path = studyScriptPath(plan);
    writeFileAtomically(path, studyScript(plan, options, invx), "study's script");
    fs::permissions(path, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add);
    fs::create_directories(fs::path(plan.folder()) / "slurm");
}

int create(const Arguments& args) {
    const std::vector<std::string>& operands = args.operands();
    if (operands.size() < 3)
        throw Error(
            "invx study create needs a folder and at least one axis, e.g. 'invx study create "
            "runs/ablation invariances=P,S,R,PSR seed=0,1,2 --model opt-demo'");
    const std::string folder = fs::absolute(operands[1]).lexically_normal().string();
    if (fs::exists(fs::path(folder) / StudyPlan::kFileName))
        throw Error("the folder '" + folder +
                    "' already holds a study; run, submit or continue it");
    std::vector<StudyAxis> axes;
    for (std::size_t i = 2; i < operands.size(); ++i) {
        const std::size_t eq = operands[i].find('=');
        if (eq == std::string::npos || eq == 0)
            throw Error(
                "a study's axis is KEY=V1,V2 (a setting's key or option and its values), "
                "not '" +
                operands[i] + "'");
        std::string key = operands[i].substr(0, eq);
        if (const SettingDeclaration* d = findSettingDeclaration(key)) key = d->key;
        axes.push_back({key, splitList(operands[i].substr(eq + 1), ',')});
    }
    CommandSettings settings;
    settings.search = searchSettingsPreset(args.get("--preset"));
    applySettingOptions(args, SettingCommand::Search, settings);
    const std::string model = args.require("--model") == "opt-demo"
                                  ? std::string(INVX_DEMO_MODEL_DIR)
                                  : fs::absolute(args.get("--model")).string();
    StudyPlan plan = StudyPlan::create(settings.search, axes, folder, model, args.get("--device"),
                                       args.get("--dtype"));
    plan.setEvaluation(parseStudyEvaluation(args.get("--evaluation")));
    if ((args.has("--quick-windows") || args.has("--quick-items")) &&
        plan.evaluation() != StudyEvaluation::Quick)
        throw Error("--quick-windows and --quick-items belong to --evaluation quick");
    plan.setQuickScope(int(args.getInt("--quick-windows", 1, 1 << 20)),
                       int(args.getInt("--quick-items", 1, 1 << 20)));
    plan.save();
    std::printf("%s: %zu variants\n", plan.file().c_str(), plan.variants().size());
    return 0;
}

// --- Slurm -----------------------------------------------------------------------------------

void requireSlurmCommand(const std::string& program) {
    if (!onPath(program))
        throw Error("there is no " + program +
                    " on PATH: run invx study on a machine that submits to the cluster (a login "
                    "node), or run the study here with 'invx study run'");
}

std::string submit(const StudyPlan& plan, const std::string& stage, const std::vector<int>& tasks,
                   const std::string& dependency, bool dryRun) {
    std::vector<std::string> argv{"sbatch"};
    for (const std::string& a : sbatchArguments(plan, stage, tasks, dependency)) argv.push_back(a);
    if (dryRun) {
        std::string line;
        for (const std::string& a : argv) line += (line.empty() ? "" : " ") + a;
        std::printf("%s\n", line.c_str());
        return "DRY-RUN-" + stage;
    }
    const ProgramResult r = runProgram(argv);
    if (r.exitCode != 0)
        throw Error("Slurm refused the study's " + stage + " job (sbatch exited with " +
                    std::to_string(r.exitCode) + "): " + r.output);
    return parseSbatchJobId(r.output);
}

// Every job's state as squeue (jobs Slurm still holds, ended ones included for a while) and sacct
// (the accounting database, where there is one) report it.
std::map<std::string, SchedulerState> schedulerStates(const SlurmSubmission& submission) {
    std::string ids;
    for (const std::string& id : submissionJobIds(submission)) ids += (ids.empty() ? "" : ",") + id;
    std::map<std::string, SchedulerState> states;
    if (ids.empty()) return states;
    auto run = [&](const std::string& program, std::vector<std::string> args) {
        args.insert(args.begin(), program);
        return runProgram(args);
    };
    if (onPath("sacct")) {
        const ProgramResult r = run("sacct", sacctArguments(ids));
        if (r.exitCode == 0) states = parseSchedulerStates(r.output);
    }
    if (onPath("squeue")) {
        const ProgramResult r = run("squeue", squeueArguments(ids));
        if (r.exitCode != 0)
            std::fprintf(stderr,
                         "invx: warning: squeue failed, so the tasks' states are unknown: %s\n",
                         trimWhitespace(r.output).c_str());
        for (const auto& [id, state] : parseSchedulerStates(r.output)) states[id] = state;
    }
    return states;
}

std::string stateText(SchedulerState state, const std::string& job) {
    if (job.empty()) return "-";
    const std::string name = schedulerStateName(state);
    return (name.empty() ? "unknown" : name) + " (" + job + ")";
}

// The sentence that says the nodes could not reach the study's folder, when the check job says so.
std::string folderProblem(const StudyPlan& plan,
                          const std::map<std::string, SchedulerState>& states) {
    const SlurmSubmission& s = *plan.slurm();
    const SchedulerState check = schedulerStateOf(states, s.checkJob);
    const fs::path marker = fs::path(plan.folder()) / "slurm" / ("check-" + s.checkJob);
    if (check == SchedulerState::Failed)
        return "the compute nodes could not work in the study's folder " + plan.folder() +
               " (check job " + s.checkJob +
               " failed; its output is in slurm/ if the node could "
               "write there): put the study on a file system that the nodes mount";
    if (check == SchedulerState::Completed && !fs::exists(marker))
        return "the check job " + s.checkJob + " ran, but its marker " + marker.string() +
               " is not here: the compute nodes see another " + plan.folder() +
               "; put the study on a file system that this machine and the nodes share";
    return {};
}

int submitStudy(const Arguments& args, StudyPlan& plan) {
    if (!args.has("--slurm"))
        throw Error("invx study submit sends the study to a scheduler; say which with --slurm");
    const bool dryRun = args.has("--dry-run");
    if (!dryRun) requireSlurmCommand("sbatch");
    if (plan.slurm() && !dryRun) {
        const auto states = schedulerStates(*plan.slurm());
        for (const std::string& job : plan.slurm()->searchJobs)
            if (schedulerStateActive(schedulerStateOf(states, job)))
                throw Error("the study " + plan.file() + " is on the cluster already (job " + job +
                            " is " + schedulerStateName(schedulerStateOf(states, job)) +
                            "); follow it with 'invx study status', or cancel it first");
    }
    SlurmSubmission s;
    SlurmOptions& o = s.options;
    o.partition = args.get("--partition");
    o.account = args.get("--account");
    o.timeLimit = args.get("--time");
    o.gpusPerTask = int(args.getInt("--gpus-per-task", 0, 64));
    o.cpusPerTask = int(args.getInt("--cpus-per-task", 0, 4096));
    o.extraLines = splitList(args.get("--sbatch"), ';');
    writeScript(plan, o, invxProgram(args));
    std::vector<int> tasks;
    for (std::size_t i = 0; i < plan.variants().size(); ++i)
        if (fileState(plan.variants()[i].path) != "finished" ||
            plan.evaluation() != StudyEvaluation::None)
            tasks.push_back(int(i));
    if (tasks.empty()) {
        std::printf("every variant of %s has finished; nothing to submit\n", plan.file().c_str());
        return 0;
    }
    s.checkJob = submit(plan, "check", {}, "", dryRun);
    std::string after = s.checkJob;
    if (!plan.distinctBases().empty()) {
        s.baseJob = submit(plan, "base", {}, "afterok:" + s.checkJob, dryRun);
        after = s.baseJob;
    }
    const std::string search = submit(plan, "search", tasks, "afterok:" + after, dryRun);
    std::string evaluation;
    if (plan.evaluation() != StudyEvaluation::None)
        evaluation = submit(plan, "evaluate", tasks, "aftercorr:" + search, dryRun);
    if (dryRun) return 0;
    s.searchJobs.assign(plan.variants().size(), "");
    s.evaluationJobs.assign(plan.variants().size(), "");
    for (int t : tasks) {
        s.searchJobs[std::size_t(t)] = search + "_" + std::to_string(t);
        if (!evaluation.empty())
            s.evaluationJobs[std::size_t(t)] = evaluation + "_" + std::to_string(t);
        plan.variants()[std::size_t(t)].state = "submitted";
    }
    char when[32];
    const std::time_t now = std::time(nullptr);
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    s.submittedAt = when;
    plan.setSlurm(s);
    plan.save();
    std::printf("submitted %s: check job %s%s, search array %s (%zu tasks)%s\n",
                plan.file().c_str(), s.checkJob.c_str(),
                s.baseJob.empty() ? "" : (", base job " + s.baseJob).c_str(), search.c_str(),
                tasks.size(),
                evaluation.empty() ? "" : (", evaluation array " + evaluation).c_str());
    return 0;
}

int statusOf(StudyPlan& plan) {
    std::map<std::string, SchedulerState> states;
    if (plan.slurm()) states = schedulerStates(*plan.slurm());
    std::printf("%-4s %-32s %-28s %-24s %s\n", "#", "variant", "file", "search job",
                "evaluation job");
    for (std::size_t i = 0; i < plan.variants().size(); ++i) {
        const PlannedVariant& v = plan.variants()[i];
        std::string values;
        for (std::size_t a = 0; a < v.values.size(); ++a)
            values += (a ? ", " : "") + plan.axes()[a].key + "=" + v.values[a];
        const std::string search = plan.slurm() ? plan.slurm()->searchJobs[i] : "";
        const std::string evaluation = plan.slurm() ? plan.slurm()->evaluationJobs[i] : "";
        std::printf("%-4zu %-32s %-28s %-24s %s\n", i, values.c_str(), fileProgress(v.path).c_str(),
                    stateText(schedulerStateOf(states, search), search).c_str(),
                    stateText(schedulerStateOf(states, evaluation), evaluation).c_str());
    }
    if (plan.slurm()) {
        const SlurmSubmission& s = *plan.slurm();
        std::printf("check job %s: %s", s.checkJob.c_str(),
                    stateText(schedulerStateOf(states, s.checkJob), s.checkJob).c_str());
        if (!s.baseJob.empty())
            std::printf("; base job %s",
                        stateText(schedulerStateOf(states, s.baseJob), s.baseJob).c_str());
        std::printf("\n");
        const std::string problem = folderProblem(plan, states);
        if (!problem.empty()) {
            std::fprintf(stderr, "invx: error: %s\n", problem.c_str());
            return 1;
        }
    }
    return 0;
}

int cancel(const Arguments& args, const StudyPlan& plan) {
    if (!plan.slurm()) throw Error("the study " + plan.file() + " was not submitted to Slurm");
    requireSlurmCommand("scancel");
    std::vector<std::string> jobs;
    const SlurmSubmission& s = *plan.slurm();
    if (args.has("--variant")) {
        const auto i =
            std::size_t(args.getInt("--variant", 0, std::int64_t(plan.variants().size()) - 1));
        for (const std::string& j : {s.searchJobs[i], s.evaluationJobs[i]})
            if (!j.empty()) jobs.push_back(j);
    } else {
        jobs = submissionJobIds(s);
    }
    if (jobs.empty()) throw Error("there is nothing of that variant on the cluster to cancel");
    std::vector<std::string> argv{"scancel"};
    argv.insert(argv.end(), jobs.begin(), jobs.end());
    const ProgramResult r = runProgram(argv);
    if (r.exitCode != 0) throw Error("scancel refused: " + r.output);
    std::printf("cancelled %zu job(s); 'invx study resubmit %s' resumes them from their files\n",
                jobs.size(), plan.file().c_str());
    return 0;
}

int resubmit(StudyPlan& plan) {
    if (!plan.slurm())
        throw Error("the study " + plan.file() + " was not submitted to Slurm; submit it");
    requireSlurmCommand("sbatch");
    SlurmSubmission s = *plan.slurm();
    const auto states = schedulerStates(s);
    const std::string problem = folderProblem(plan, states);
    if (!problem.empty()) throw Error(problem);
    // Variants whose search ended unfinished (failed, timed out, cancelled, forgotten by Slurm),
    // and finished ones whose evaluation ended without success.
    std::vector<int> searches, evaluations;
    for (std::size_t i = 0; i < plan.variants().size(); ++i) {
        const SchedulerState search = schedulerStateOf(states, s.searchJobs[i]);
        const SchedulerState evaluation = schedulerStateOf(states, s.evaluationJobs[i]);
        const bool waiting = schedulerStateActive(search);
        const bool finished = fileState(plan.variants()[i].path) == "finished";
        if (!finished && !waiting)
            searches.push_back(int(i));
        else if (finished && plan.evaluation() != StudyEvaluation::None &&
                 !schedulerStateActive(evaluation) && evaluation != SchedulerState::Completed)
            evaluations.push_back(int(i));
    }
    if (searches.empty() && evaluations.empty()) {
        std::printf("nothing to resubmit: every variant is finished, waiting or running\n");
        return 0;
    }
    // The base stage skips what is there, so it runs again only to finish an interrupted base.
    std::string after;
    if (!plan.distinctBases().empty() && !searches.empty()) {
        bool missing = false;
        for (int b : plan.distinctBases()) missing = missing || !fs::exists(plan.baseFile(b));
        if (missing) s.baseJob = after = submit(plan, "base", {}, "", false);
    }
    if (!searches.empty()) {
        const std::string search =
            submit(plan, "search", searches, after.empty() ? "" : "afterok:" + after, false);
        std::string evaluation;
        if (plan.evaluation() != StudyEvaluation::None)
            evaluation = submit(plan, "evaluate", searches, "aftercorr:" + search, false);
        for (int t : searches) {
            s.searchJobs[std::size_t(t)] = search + "_" + std::to_string(t);
            if (!evaluation.empty())
                s.evaluationJobs[std::size_t(t)] = evaluation + "_" + std::to_string(t);
        }
        std::printf("resubmitted %zu search task(s) as array %s\n", searches.size(),
                    search.c_str());
    }
    if (!evaluations.empty()) {
        const std::string evaluation = submit(plan, "evaluate", evaluations, "", false);
        for (int t : evaluations)
            s.evaluationJobs[std::size_t(t)] = evaluation + "_" + std::to_string(t);
        std::printf("resubmitted %zu evaluation task(s) as array %s\n", evaluations.size(),
                    evaluation.c_str());
    }
    plan.setSlurm(s);
    plan.save();
    return 0;
}

// --- this machine ----------------------------------------------------------------------------

// Runs `stage` of the script for `tasks`, up to `parallel` at once, each on its GPU (when `gpus`
// lists some) or with its share of the CPU's threads; `started(task)` as each starts (may be
// empty), `ended(task, exitCode)` as each ends.
void runTasks(const StudyPlan& plan, const std::string& stage, const std::vector<int>& tasks,
              int parallel, const std::vector<std::string>& gpus, int threads,
              const std::function<void(int)>& started, const std::function<void(int, int)>& ended) {
    std::map<int, std::pair<int, int>> running;  // pid -> (task, slot)
    std::vector<bool> slotBusy(std::size_t(parallel), false);
    std::size_t next = 0;
    while (next < tasks.size() || !running.empty()) {
        while (next < tasks.size() && int(running.size()) < parallel) {
            int slot = 0;
            while (slotBusy[std::size_t(slot)]) ++slot;
            std::map<std::string, std::string> env{{"INVX_TASK", std::to_string(tasks[next])}};
            if (!gpus.empty()) env["CUDA_VISIBLE_DEVICES"] = gpus[std::size_t(slot) % gpus.size()];
            if (threads > 0) env["INVX_THREADS"] = std::to_string(threads);
            const int pid = startProgram({"bash", studyScriptPath(plan), stage}, env);
            std::fprintf(stderr, "invx study: %s of variant %d started%s\n", stage.c_str(),
                         tasks[next],
                         gpus.empty() ? "" : (" on GPU " + env["CUDA_VISIBLE_DEVICES"]).c_str());
            if (started) started(tasks[next]);
            running[pid] = {tasks[next], slot};
            slotBusy[std::size_t(slot)] = true;
            ++next;
        }
        const auto [pid, code] = waitForAnyProgram();
        const auto it = running.find(pid);
        if (it == running.end()) continue;
        slotBusy[std::size_t(it->second.second)] = false;
        ended(it->second.first, code);
        running.erase(it);
    }
}

int runHere(const Arguments& args, StudyPlan& plan) {
    const int parallel = int(args.getInt("--parallel", 1, 256));
    const std::vector<std::string> gpus = splitList(args.get("--gpus"), ',');
    // CPU runs share the cores; GPU runs keep a few threads each for the host's work.
    const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
    const int threads = args.has("--threads") ? int(args.getInt("--threads", 1, 4096))
                                              : std::max(1, cores / parallel);
    writeScript(plan, {}, invxProgram(args));
    if (!plan.distinctBases().empty()) {
        std::fprintf(stderr, "invx study: computing %zu shared base quantization(s)\n",
                     plan.distinctBases().size());
        int failure = 0;
        runTasks(plan, "base", {0}, 1, gpus, args.has("--threads") ? threads : cores, nullptr,
                 [&](int, int code) { failure = code; });
        if (failure != 0)
            throw Error("the study's base quantization failed (exit status " +
                        std::to_string(failure) + "); see above");
    }
    std::vector<int> tasks;
    for (std::size_t i = 0; i < plan.variants().size(); ++i)
        if (fileState(plan.variants()[i].path) != "finished") tasks.push_back(int(i));
    int failures = 0;
    auto saveState = [&](int task, const std::string& state) {
        plan.variants()[std::size_t(task)].state = state;
        plan.save();
    };
    runTasks(
        plan, "search", tasks, parallel, gpus, threads,
        [&](int task) { saveState(task, "running"); },
        [&](int task, int code) {
            const std::string state = fileState(plan.variants()[std::size_t(task)].path);
            const bool finished = code == 0 && state == "finished";
            failures += finished ? 0 : 1;
            saveState(task, finished ? "finished"
                            : state == "stopped"
                                ? "stopped"
                                : "failed: its search exited with status " + std::to_string(code));
            std::fprintf(stderr, "invx study: variant %d %s\n", task,
                         plan.variants()[std::size_t(task)].state.c_str());
        });
    if (plan.evaluation() != StudyEvaluation::None) {
        std::vector<int> evaluate;
        for (std::size_t i = 0; i < plan.variants().size(); ++i)
            if (plan.variants()[i].state == "finished") evaluate.push_back(int(i));
        runTasks(
            plan, "evaluate", evaluate, parallel, gpus, threads, nullptr, [&](int task, int code) {
                if (code != 0) ++failures;
                std::fprintf(stderr, "invx study: evaluation of variant %d %s\n", task,
                             code == 0 ? "recorded"
                                       : ("failed with status " + std::to_string(code)).c_str());
            });
    }
    std::printf(
        "%s: %zu of %zu variants finished\n", plan.file().c_str(),
        std::size_t(std::count_if(plan.variants().begin(), plan.variants().end(),
                                  [](const PlannedVariant& v) { return v.state == "finished"; })),
        plan.variants().size());
    return failures == 0 ? 0 : 1;
}

}  // namespace

int runStudy(const Arguments& args) {
    const std::vector<std::string>& operands = args.operands();
    if (operands.empty() || !kActionOptions.count(operands[0]))
        throw Error(
            "invx study needs an action: create, run, submit, status, cancel or resubmit "
            "(invx study --help)");
    const std::string action = operands[0];
    refuseOtherActionsOptions(args, action);
    if (action == "create") return create(args);
    if (operands.size() != 2)
        throw Error("invx study " + action + " takes one study: its folder or its ablation.json");
    StudyPlan plan = StudyPlan::load(studyFile(operands[1]));
    if (action == "submit") return submitStudy(args, plan);
    if (action == "status") return statusOf(plan);
    if (action == "cancel") return cancel(args, plan);
    if (action == "resubmit") return resubmit(plan);
    return runHere(args, plan);
}

}  // namespace invx::cli
