// Kills a demo search with SIGKILL at random moments and resumes each run: every file must open and
// every resumed run must end bit-identical to the uninterrupted one (steps, evaluations, every
// checkpoint's state, snapshots). Checkpoints every step and frequent evaluations make most kills
// land near a write. Run by scripts/crash-resume.sh; timed, so not a ctest test.
//   bench_crash_resume --invx PATH --work DIR [--kills 100] [--seed 1] [--steps 60] [--eval-data
//   FILE] [--in-flush 1|torn]
// With --in-flush 1 the kills are not timed by the clock but land inside HDF5's flushes: each run
// preloads kill-in-flush.c, which kills it before a write drawn uniformly from all the writes the
// uninterrupted run made inside H5Fflush. --in-flush torn makes that write short first (up to its
// first page boundary), as Linux can end a write for a SIGKILL.
#include <hdf5.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "invx/error.h"
#include "invx/experiment-file.h"

using namespace invx;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::vector<std::string> searchArguments(const std::map<std::string, std::string>& o,
                                         const std::string& out) {
    return {"search",
            "--preset",
            "demo",
            "--out",
            out,
            "--steps",
            o.at("--steps"),
            "--calibration-samples",
            "2",
            "--calibration-length",
            "128",
            "--eval-data",
            o.at("--eval-data"),
            "--eval-windows",
            "1",
            "--eval-window",
            "256",
            "--eval-every-accepted",
            "3",
            "--eval-every-seconds",
            "0",
            "--checkpoint-steps",
            "1",
            "--snapshot-layers",
            "1",
            "--quiet"};
}

pid_t spawn(const std::string& program, const std::vector<std::string>& args,
            const std::string& log, const std::map<std::string, std::string>& environment = {}) {
    std::fflush(stdout);  // else the child's freopen writes our buffered lines a second time
    const pid_t pid = fork();
    if (pid == 0) {
        for (const auto& [name, value] : environment) setenv(name.c_str(), value.c_str(), 1);
        std::vector<char*> argv{const_cast<char*>(program.c_str())};
        for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        if (!freopen(log.c_str(), "w", stdout) || !freopen(log.c_str(), "a", stderr)) _exit(126);
        execv(program.c_str(), argv.data());
        _exit(127);
    }
    return pid;
}

int waitExit(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

// Whether the kill left a record half-written: a checkpoint or snapshot table longer than the rows
// its step column committed, or rows of /steps never written (read with HDF5 itself).
bool halfWritten(const std::string& path) {
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5P_DEFAULT);
    if (f < 0) return false;
    auto rows = [&](const char* name) {
        const hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
        hsize_t dims[4] = {0};
        if (d >= 0) {
            const hid_t s = H5Dget_space(d);
            H5Sget_simple_extent_dims(s, dims, nullptr);
            H5Sclose(s);
            H5Dclose(d);
        }
        return dims[0];
    };
    const hsize_t committed = rows("/checkpoints/step");
    bool half = false;
    for (const char* name : {"/checkpoints/permutation", "/checkpoints/scales",
                             "/checkpoints/angles", "/checkpoints/rng_state"})
        half = half || rows(name) != committed;
    half = half || rows("/snapshots/layer") != rows("/snapshots/step");
    const hsize_t stepRows = rows("/steps");
    H5Fclose(f);
    try {
        const ExperimentFile file = ExperimentFile::open(path, false);
        half = half || file.checkpointCount() != std::int64_t(committed) ||
               file.stepCount() != std::int64_t(stepRows);
    } catch (const Error&) {
    }
    return half;
}

// The first difference between two finished runs, or "" when they are bit-identical in everything
// but wall-clock times.
std::string difference(const ExperimentFile& a, const ExperimentFile& b) {
    if (b.status() != "finished") return "status " + b.status();
    const auto sa = a.steps(), sb = b.steps();
    if (sa.size() != sb.size())
        return "step count " + std::to_string(sb.size()) + " vs " + std::to_string(sa.size());
    for (std::size_t i = 0; i < sa.size(); ++i) {
        const StepRecord &x = sa[i], &y = sb[i];
        if (x.step != y.step || x.layer != y.layer || x.loss != y.loss || x.ce != y.ce ||
            x.mse != y.mse || x.accepted != y.accepted || x.acceptanceRate != y.acceptanceRate ||
            x.recentAcceptanceRate != y.recentAcceptanceRate)
            return "step " + std::to_string(x.step);
    }
    const auto ea = a.evaluations(), eb = b.evaluations();
    if (ea.size() != eb.size())
        return "evaluation count " + std::to_string(eb.size()) + " vs " + std::to_string(ea.size());
    for (std::size_t i = 0; i < ea.size(); ++i)
        if (ea[i].step != eb[i].step || ea[i].perplexity != eb[i].perplexity ||
            ea[i].acceptedSteps != eb[i].acceptedSteps)
            return "evaluation at step " + std::to_string(ea[i].step);
    if (a.checkpointSteps() != b.checkpointSteps()) return "checkpoint steps";
    for (std::int64_t i = 0; i < a.checkpointCount(); ++i) {
        const SearchCheckpoint x = a.checkpoint(i), y = b.checkpoint(i);
        if (!(x.layers == y.layers) || x.rng != y.rng || x.bestLoss != y.bestLoss ||
            x.acceptedSteps != y.acceptedSteps || x.recentAccepted != y.recentAccepted)
            return "checkpoint at step " + std::to_string(x.step);
    }
    if (a.snapshotCount() != b.snapshotCount()) return "snapshot count";
    for (std::int64_t i = 0; i < a.snapshotCount(); ++i) {
        const LayerSnapshot x = a.snapshot(i), y = b.snapshot(i);
        if (x.step != y.step || x.layer != y.layer || !(x.invariance == y.invariance) ||
            x.fc1.quantized != y.fc1.quantized || x.fc2.quantized != y.fc2.quantized ||
            x.fc1.transformed != y.fc1.transformed || x.fc2.groupError != y.fc2.groupError)
            return "snapshot " + std::to_string(i);
    }
    return "";
}

}  // namespace

int main(int argc, char** argv) {
    std::map<std::string, std::string> o{{"--invx", ""},     {"--work", ""},    {"--kills", "100"},
                                         {"--seed", "1"},    {"--steps", "60"}, {"--eval-data", ""},
                                         {"--in-flush", "0"}};
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!o.count(argv[i])) {
            std::fprintf(stderr, "bench_crash_resume: unknown option %s\n", argv[i]);
            return 2;
        }
        o[argv[i]] = argv[i + 1];
    }
    if (o["--invx"].empty() || o["--work"].empty() || o["--eval-data"].empty()) {
        std::fprintf(stderr,
                     "usage: bench_crash_resume --invx PATH --work DIR --eval-data FILE [--kills "
                     "N] [--seed S] [--steps N] [--in-flush 1|torn]\n");
        return 2;
    }
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    const std::string invx = o["--invx"], work = o["--work"];
    fs::create_directories(work);
    const std::string reference = work + "/uninterrupted.h5", run = work + "/killed.h5",
                      log = work + "/last-run.log";

    const bool inFlush = o["--in-flush"] == "1" || o["--in-flush"] == "torn";
    const std::string flushCount = work + "/flush-writes.txt";
    std::map<std::string, std::string> counting;
    if (inFlush)
        counting = {{"LD_PRELOAD", INVX_KILL_IN_FLUSH_LIBRARY},
                    {"INVX_FLUSH_WRITES_TO", flushCount}};
    fs::remove(reference);
    const auto start = Clock::now();
    if (waitExit(spawn(invx, searchArguments(o, reference), log, counting)) != 0) {
        std::fprintf(stderr, "the uninterrupted run failed; see %s\n", log.c_str());
        return 1;
    }
    const double runSeconds = std::chrono::duration<double>(Clock::now() - start).count();
    const ExperimentFile expected = ExperimentFile::open(reference, false);
    std::printf(
        "uninterrupted run: %.1f s, %lld steps, %lld checkpoints, %zu evaluations, %lld "
        "snapshots\n",
        runSeconds, (long long)expected.stepCount(), (long long)expected.checkpointCount(),
        expected.evaluations().size(), (long long)expected.snapshotCount());

    long totalFlushWrites = 0;
    if (inFlush) {
        if (FILE* in = std::fopen(flushCount.c_str(), "r")) {
            if (std::fscanf(in, "%ld", &totalFlushWrites) != 1) totalFlushWrites = 0;
            std::fclose(in);
        }
        if (totalFlushWrites < 1) {
            std::fprintf(stderr, "the uninterrupted run wrote nothing inside H5Fflush (%s)\n",
                         INVX_KILL_IN_FLUSH_LIBRARY);
            return 1;
        }
        std::printf("its flushes made %ld writes; each kill lands inside one of them\n",
                    totalFlushWrites);
    }

    std::mt19937_64 random(std::stoull(o["--seed"]));
    std::uniform_real_distribution<double> moment(0.0, runSeconds);
    std::uniform_int_distribution<long> flushWrite(1, std::max(1L, totalFlushWrites));
    const int kills = std::stoi(o["--kills"]);
    auto when = [&](double at) {
        char buf[48];
        if (inFlush)
            std::snprintf(buf, sizeof buf, "flush write %ld", long(at));
        else
            std::snprintf(buf, sizeof buf, "%.3f s", at);
        return std::string(buf);
    };
    int noFile = 0, opened = 0, half = 0, identical = 0, finishedFirst = 0;
    std::map<std::string, int> statuses;
    for (int k = 1; k <= kills; ++k) {
        fs::remove(run);
        fs::remove(run + ".part");
        const double at = inFlush ? double(flushWrite(random)) : moment(random);
        std::map<std::string, std::string> killing;
        if (inFlush)
            killing = {{"LD_PRELOAD", INVX_KILL_IN_FLUSH_LIBRARY},
                       {"INVX_KILL_AT_FLUSH_WRITE", std::to_string(long(at))}};
        if (o["--in-flush"] == "torn") killing["INVX_TEAR_WRITE"] = "1";
        const pid_t pid = spawn(invx, searchArguments(o, run), log, killing);
        if (!inFlush) {
            std::this_thread::sleep_for(std::chrono::duration<double>(at));
            kill(pid, SIGKILL);
        }
        const int code = waitExit(pid);
        if (code != -SIGKILL) ++finishedFirst;  // it ended before the kill landed
        std::string state;
        std::vector<std::string> again;
        if (!fs::exists(run)) {
            ++noFile;
            state = "no file yet";
            again =
                searchArguments(o, run);  // killed before its first checkpoint: nothing to resume
        } else {
            try {
                const ExperimentFile file = ExperimentFile::open(run, false);
                state =
                    file.status() + ", " + std::to_string(file.checkpointCount()) + " checkpoints";
                ++statuses[file.status()];
                ++opened;
            } catch (const Error& e) {
                std::printf("kill %d at %s: the file does not open: %s\n", k, when(at).c_str(),
                            e.what());
                return 1;
            }
            if (halfWritten(run)) ++half, state += ", a record half-written";
            again = {"search", "--resume", run, "--quiet"};
        }
        if (waitExit(spawn(invx, again, log)) != 0) {
            std::printf("kill %d at %s (%s): the resumed run failed; see %s\n", k, when(at).c_str(),
                        state.c_str(), log.c_str());
            return 1;
        }
        const std::string diff = difference(expected, ExperimentFile::open(run, false));
        std::printf("kill %3d at %-18s: %-40s -> %s\n", k, when(at).c_str(), state.c_str(),
                    diff.empty() ? "identical" : ("differs: " + diff).c_str());
        std::fflush(stdout);
        if (!diff.empty()) return 1;
        ++identical;
    }
    std::printf("\n%d kills: %d before the file appeared (started again), %d files opened (", kills,
                noFile, opened);
    bool first = true;
    for (const auto& [status, n] : statuses)
        std::printf("%s%d %s", first ? "" : ", ", n, status.c_str()), first = false;
    std::printf(
        "), %d with a record half-written, %d runs had ended before their kill; %d of %d resumed "
        "runs bit-identical\n",
        half, finishedFirst, identical, kills);
    return identical == kills ? 0 : 1;
}
