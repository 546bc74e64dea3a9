#include "invx/slurm-study.h"

#include <cctype>
#include <ctime>
#include <filesystem>
#include <sstream>

#include "invx/error.h"
#include "invx/setting-table.h"
#include "invx/text-file.h"
#include "invx/version.h"

namespace invx {
namespace fs = std::filesystem;
namespace {

// `text` as one word of bash: as it is when it is plain, in single quotes otherwise.
std::string shellWord(const std::string& text) {
    bool plain = !text.empty();
    for (char c : text)
        plain = plain && (std::isalnum(static_cast<unsigned char>(c)) ||
                          std::string("-_./:=+,%@").find(c) != std::string::npos);
    if (plain) return text;
    std::string quoted = "'";
    for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

// The recorded settings `command` takes that mean something for `settings`' base method.
std::vector<const SettingDeclaration*> applicable(SettingCommand command,
                                                  const SearchSettings& settings) {
    std::vector<const SettingDeclaration*> out;
    for (const SettingDeclaration* d : settingDeclarations(command))
        if (d->recorded() && d->belongsTo(settings.base)) out.push_back(d);
    return out;
}

// "--key value" (a flag: its option alone when on, nothing when off).
std::string optionWords(const SettingDeclaration& d, const SearchSettings& settings) {
    const std::string value = d.get(settings);
    if (d.kind == SettingKind::Flag) return value == "0" ? "" : d.option;
    if (value.empty()) return "";  // "none" (no token-id file): the option's absence says it
    return d.option + " " + shellWord(value);
}

bool sharedByAll(const SettingDeclaration& d, const StudyPlan& plan) {
    const std::vector<PlannedVariant>& v = plan.variants();
    for (const PlannedVariant& x : v)
        if (!d.belongsTo(x.settings.base) || d.get(x.settings) != d.get(v.front().settings))
            return false;
    return true;
}

// Folder-relative, so that the script reads well and the folder can move with it.
std::string inFolder(const StudyPlan& plan, const std::string& path) {
    return fs::path(path).lexically_relative(plan.folder()).string();
}

std::string utcNow() {
    const std::time_t now = std::time(nullptr);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
    return text;
}

void writeHeader(std::ostringstream& s, const StudyPlan& plan, const SlurmOptions& o) {
    const std::string name = fs::path(plan.folder()).filename().string();
    const int last = int(plan.variants().size()) - 1;
    s << "#!/bin/bash\n"
      << "# The study in " << plan.folder() << " (" << plan.variants().size()
      << " variants), written by invx " << versionString() << " on " << utcNow() << ".\n"
      << "# One stage per argument; `invx study submit --slurm` submitted it as\n"
      << "#   sbatch study.sbatch check                                  # can the nodes reach "
         "this folder?\n"
      << "#   sbatch --dependency=afterok:CHECK study.sbatch base         # each shared base "
         "quantization, once\n"
      << "#   sbatch --array=0-" << last
      << " --dependency=afterok:BASE study.sbatch search   # one task per variant\n";
    if (plan.evaluation() != StudyEvaluation::None)
        s << "#   sbatch --array=0-" << last
          << " --dependency=aftercorr:SEARCH study.sbatch evaluate  # C4 and the six tasks\n";
    s << "# (with --job-name=invx-" << name << "-STAGE and --output=slurm/%x-%A_%a.out).\n"
      << "# Edit it and resubmit a variant by hand (it resumes from its file):\n"
      << "#   sbatch --array=2 study.sbatch search\n"
      << "# `invx study run` runs the same stages on this machine (INVX_TASK names the variant).\n";
    if (!o.partition.empty()) s << "#SBATCH --partition=" << o.partition << '\n';
    if (!o.account.empty()) s << "#SBATCH --account=" << o.account << '\n';
    if (!o.timeLimit.empty()) s << "#SBATCH --time=" << o.timeLimit << '\n';
    if (o.gpusPerTask > 0) s << "#SBATCH --gpus-per-task=" << o.gpusPerTask << '\n';
    if (o.cpusPerTask > 0) s << "#SBATCH --cpus-per-task=" << o.cpusPerTask << '\n';
    s << "#SBATCH --ntasks=1\n";
    for (const std::string& line : o.extraLines) {
        const std::string l = trimWhitespace(line);
        if (!l.empty()) s << (l.rfind("#SBATCH", 0) == 0 ? l : "#SBATCH " + l) << '\n';
    }
}

void writeBaseStage(std::ostringstream& s, const StudyPlan& plan) {
    s << "  base)\n";
    const std::vector<int> bases = plan.distinctBases();
    if (bases.empty()) s << "    : # RTN: nothing to calibrate\n";
    for (int first : bases) {
        const SearchSettings& settings = plan.variants()[std::size_t(first)].settings;
        const std::string file = shellWord(inFolder(plan, plan.baseFile(first)));
        s << "    # " << settings.base << " for variant " << first
          << " and every variant of the same base quantization\n"
          << "    if [ -f " << file << ".part ] && [ ! -f " << file << " ]; then\n"
          << "      \"$INVX\" search --resume " << file << " $threads --quiet\n"
          << "    elif [ ! -f " << file << " ]; then\n"
          << "      \"$INVX\" quantize --model \"$MODEL\" --out " << file << " $compute $threads";
        for (const SettingDeclaration* d : applicable(SettingCommand::Quantize, settings)) {
            const std::string words = optionWords(*d, settings);
            if (!words.empty()) s << " \\\n        " << words;
        }
        s << " --quiet\n    fi\n";
    }
    s << "    ;;\n";
}

void writeSearchStage(std::ostringstream& s, const StudyPlan& plan) {
    s << "  search)\n    case \"$task\" in\n";
    for (std::size_t i = 0; i < plan.variants().size(); ++i) {
        const PlannedVariant& v = plan.variants()[i];
        std::vector<std::string> own;
        const std::string base = plan.baseFile(int(i));
        if (!base.empty()) own.push_back("--base-from " + shellWord(inFolder(plan, base)));
        for (const SettingDeclaration* d : applicable(SettingCommand::Search, v.settings))
            if (!sharedByAll(*d, plan))
                if (std::string words = optionWords(*d, v.settings); !words.empty())
                    own.push_back(words);
        s << "      " << i << ") file=" << shellWord(inFolder(plan, v.path)) << "; own=(";
        for (std::size_t w = 0; w < own.size(); ++w) s << (w ? " " : "") << own[w];
        s << ") ;;\n";
    }
    s << "      *) echo \"study.sbatch: no variant $task (0-" << plan.variants().size() - 1
      << ")\" >&2; exit 2 ;;\n    esac\n"
      << "    if [ -f \"$file\" ] || [ -f \"$file.part\" ]; then\n"
      << "      exec \"$INVX\" search --resume \"$file\" $threads --quiet\n"
      << "    fi\n"
      << "    exec \"$INVX\" search --model \"$MODEL\" --out \"$file\" $compute $threads "
         "\"${common[@]}\" \"${own[@]}\" --quiet\n"
      << "    ;;\n";
}

void writeEvaluateStage(std::ostringstream& s, const StudyPlan& plan) {
    s << "  evaluate)\n";
    if (plan.evaluation() == StudyEvaluation::None) {
        s << "    echo \"study.sbatch: this study measures nothing more than its searches\"\n"
          << "    ;;\n";
        return;
    }
    s << "    files=(";
    for (std::size_t i = 0; i < plan.variants().size(); ++i)
        s << (i ? " " : "") << shellWord(inFolder(plan, plan.variants()[i].path));
    s << ")\n    file=${files[$task]:?study.sbatch: no variant $task}\n"
      << "    # What the table lacks of the base-quantized and the searched model, recorded in the "
         "file.\n"
      << "    exec \"$INVX\" table --evaluate --models base,searched --measure wikitext2,c4,tasks";
    if (plan.evaluation() == StudyEvaluation::Quick)
        s << " --eval-windows " << plan.quickWindows() << " --limit " << plan.quickItems();
    else
        s << " --eval-windows 0 --limit 0";
    s << " $threads --quiet \"$file\" > /dev/null\n    ;;\n";
}

}  // namespace

std::string studyScriptPath(const StudyPlan& plan) {
    return (fs::path(plan.folder()) / "study.sbatch").string();
}

std::string studyScript(const StudyPlan& plan, const SlurmOptions& slurm, const std::string& invx) {
    std::ostringstream s;
    writeHeader(s, plan, slurm);
    s << "set -euo pipefail\n"
      << "INVX=${INVX:-" << shellWord(invx) << "}\n"
      << "MODEL=" << shellWord(plan.modelPath()) << '\n'
      << "cd " << shellWord(plan.folder()) << '\n'
      << "stage=${1:?usage: study.sbatch check|base|search|evaluate}\n"
      << "task=${INVX_TASK:-${SLURM_ARRAY_TASK_ID:-0}}\n"
      << "cpus=${INVX_THREADS:-${SLURM_CPUS_PER_TASK:-}}\n"
      << "threads=${cpus:+--threads $cpus}\n"
      << "compute=\"";
    if (!plan.device().empty()) s << "--device " << shellWord(plan.device());
    if (!plan.dtype().empty())
        s << (plan.device().empty() ? "" : " ") << "--dtype " << shellWord(plan.dtype());
    s << "\"\n# The settings every variant shares (each variant's own follow in its search "
         "task).\ncommon=(";
    const SearchSettings& first = plan.variants().front().settings;
    bool any = false;
    for (const SettingDeclaration* d : applicable(SettingCommand::Search, first)) {
        if (!sharedByAll(*d, plan)) continue;
        const std::string words = optionWords(*d, first);
        if (words.empty()) continue;
        s << (any ? "\n  " : "") << words;
        any = true;
    }
    s << ")\n"
      << "case \"$stage\" in\n"
      << "  check)  # the compute node writes a marker that the submitting machine must see\n"
      << "    mkdir -p slurm && echo \"$(hostname)\" > \"slurm/check-${SLURM_JOB_ID:-local}\"\n"
      << "    ;;\n";
    writeBaseStage(s, plan);
    writeSearchStage(s, plan);
    writeEvaluateStage(s, plan);
    s << "  *) echo \"study.sbatch: unknown stage '$stage' (check, base, search or evaluate)\" "
         ">&2; exit 2 ;;\n"
      << "esac\n";
    return s.str();
}

std::string slurmArrayList(const std::vector<int>& tasks) {
    std::string out;
    for (std::size_t i = 0; i < tasks.size();) {
        std::size_t j = i;
        while (j + 1 < tasks.size() && tasks[j + 1] == tasks[j] + 1) ++j;
        out += (out.empty() ? "" : ",") + std::to_string(tasks[i]);
        if (j > i) out += "-" + std::to_string(tasks[j]);
        i = j + 1;
    }
    return out;
}

std::vector<std::string> sbatchArguments(const StudyPlan& plan, const std::string& stage,
                                         const std::vector<int>& tasks,
                                         const std::string& dependency) {
    const std::string name = fs::path(plan.folder()).filename().string();
    std::vector<std::string> args{"--parsable", "--job-name=invx-" + name + "-" + stage};
    const std::string logs = (fs::path(plan.folder()) / "slurm").string();
    if (tasks.empty()) {
        args.push_back("--output=" + logs + "/%x-%j.out");
    } else {
        args.push_back("--array=" + slurmArrayList(tasks));
        args.push_back("--output=" + logs + "/%x-%A_%a.out");
    }
    if (!dependency.empty()) {
        args.push_back("--dependency=" + dependency);
        args.push_back("--kill-on-invalid-dep=yes");  // a failed stage ends what waits on it
    }
    args.push_back(studyScriptPath(plan));
    args.push_back(stage);
    return args;
}

std::string parseSbatchJobId(const std::string& output) {
    const std::string text = trimWhitespace(output);
    const std::string id = text.substr(0, text.find(';'));
    bool digits = !id.empty();
    for (char c : id) digits = digits && std::isdigit(static_cast<unsigned char>(c));
    if (!digits) throw Error("sbatch did not print a job id; it said: " + text);
    return id;
}

SchedulerState parseSchedulerState(const std::string& slurmState) {
    const std::string s = slurmState.substr(0, slurmState.find(' '));  // "CANCELLED by 0"
    for (const char* p : {"PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED",
                          "RESV_DEL_HOLD", "SUSPENDED", "STOPPED", "RESIZING"})
        if (s == p) return SchedulerState::Pending;
    for (const char* p : {"RUNNING", "COMPLETING", "STAGE_OUT", "SIGNALING"})
        if (s == p) return SchedulerState::Running;
    if (s == "COMPLETED") return SchedulerState::Completed;
    if (s == "TIMEOUT" || s == "DEADLINE") return SchedulerState::TimedOut;
    if (s == "CANCELLED") return SchedulerState::Cancelled;
    for (const char* p : {"FAILED", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL", "PREEMPTED",
                          "SPECIAL_EXIT", "REVOKED"})
        if (s == p) return SchedulerState::Failed;
    return SchedulerState::Unknown;
}

std::string schedulerStateName(SchedulerState state) {
    switch (state) {
        case SchedulerState::Pending:
            return "pending";
        case SchedulerState::Running:
            return "running";
        case SchedulerState::Completed:
            return "completed";
        case SchedulerState::Failed:
            return "failed";
        case SchedulerState::TimedOut:
            return "timed out";
        case SchedulerState::Cancelled:
            return "cancelled";
        case SchedulerState::Unknown:
            break;
    }
    return "";
}

bool schedulerStateEnded(SchedulerState state) {
    return state != SchedulerState::Unknown && !schedulerStateActive(state);
}

bool schedulerStateActive(SchedulerState state) {
    return state == SchedulerState::Pending || state == SchedulerState::Running;
}

std::vector<std::string> squeueArguments(const std::string& jobIds) {
    return {"-h", "--states=all", "-o", "%i|%T", "-j", jobIds};
}

std::vector<std::string> sacctArguments(const std::string& jobIds) {
    return {"-n", "-P", "-X", "-o", "JobID,State", "-j", jobIds};
}

std::map<std::string, SchedulerState> parseSchedulerStates(const std::string& text) {
    std::map<std::string, SchedulerState> states;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        const std::size_t bar = line.find('|');
        if (bar == std::string::npos) continue;
        const std::string id = trimWhitespace(line.substr(0, bar));
        std::string rest = line.substr(bar + 1);
        rest = trimWhitespace(rest.substr(0, rest.find('|')));
        const SchedulerState state = parseSchedulerState(rest);
        if (id.empty() || state == SchedulerState::Unknown) continue;
        const std::size_t open = id.find("_[");
        if (open == std::string::npos) {
            states[id] = state;
            continue;
        }
        // "1234_[0-3,5%2]": the pending tasks of an array, one record for them all.
        const std::string job = id.substr(0, open);
        std::string list = id.substr(open + 2);
        list = list.substr(0, list.find_first_of("%]"));
        std::istringstream ranges(list);
        for (std::string range; std::getline(ranges, range, ',');) {
            const std::size_t dash = range.find('-');
            try {
                const int from = std::stoi(range.substr(0, dash));
                const int to = dash == std::string::npos ? from : std::stoi(range.substr(dash + 1));
                for (int t = from; t <= to && t - from < 100000; ++t)
                    states[job + "_" + std::to_string(t)] = state;
            } catch (const std::exception&) {  // not a range: not a line of ours
            }
        }
    }
    return states;
}

SchedulerState schedulerStateOf(const std::map<std::string, SchedulerState>& states,
                                const std::string& job) {
    if (job.empty()) return SchedulerState::Unknown;
    auto it = states.find(job);
    if (it == states.end()) it = states.find(job.substr(0, job.find('_')));
    return it == states.end() ? SchedulerState::Unknown : it->second;
}

std::vector<std::string> submissionJobIds(const SlurmSubmission& submission) {
    std::vector<std::string> ids;
    auto add = [&](const std::string& job) {
        const std::string id = job.substr(0, job.find('_'));
        if (id.empty()) return;
        for (const std::string& x : ids)
            if (x == id) return;
        ids.push_back(id);
    };
    add(submission.checkJob);
    add(submission.baseJob);
    for (const std::string& j : submission.searchJobs) add(j);
    for (const std::string& j : submission.evaluationJobs) add(j);
    return ids;
}

}  // namespace invx
