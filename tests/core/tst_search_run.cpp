// runSearch as the GUI's worker thread will drive it: records reach the observer in order, pause
// holds the search, stop ends it with a checkpoint, snapshots arrive on request and are right.
#include <QtTest>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <thread>

#include "invx/error.h"
#include "invx/experiment-file.h"
#include "invx/search-run.h"
#include "test-support.h"

using namespace invx;

namespace {

class Recorder : public SearchObserver {
  public:
    void onBase(const BaseResult& b) override { base = b; }
    void onStep(const StepRecord& r) override {
        std::lock_guard<std::mutex> lock(mutex);
        steps.push_back(r);
        stepCount.store(r.step);
    }
    void onEvaluation(const EvaluationRecord& e) override { evaluations.push_back(e); }
    void onCheckpoint(const SearchCheckpoint& c) override { checkpoints.push_back(c.step); }
    void onSnapshot(const LayerSnapshot& s) override { snapshots.push_back(s); }

    BaseResult base;
    std::mutex mutex;
    std::vector<StepRecord> steps;
    std::atomic<std::int64_t> stepCount{0};
    std::vector<EvaluationRecord> evaluations;
    std::vector<std::int64_t> checkpoints;
    std::vector<LayerSnapshot> snapshots;
};

bool waitFor(const std::function<bool()>& condition, int ms = 60000) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!condition()) {
        if (std::chrono::steady_clock::now() > end) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

}  // namespace

class TestSearchRun : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void initTestCase();
    void pausesStopsAndSnapshotsFromAnotherThread();
    void refusesBeforeWritingAnything();
    void aRefusedResumeLeavesTheFileAsItWas();

  private:
    SearchRunRequest request(const char* file, std::int64_t steps) const;
    QTemporaryDir dir_;
    test::SearchFixture fixture_;
};

void TestSearchRun::initTestCase() {
    fixture_ = test::writeSearchFixture(dir_.path().toStdString());
}

SearchRunRequest TestSearchRun::request(const char* file, std::int64_t steps) const {
    SearchRunRequest r =
        test::fixtureSearchRequest(fixture_, dir_.filePath(file).toStdString(), steps);
    r.settings.evalData = fixture_.text;
    r.settings.evalWindowLength = 64;
    r.settings.evalWindows = 2;
    r.settings.evalEveryAccepted = 5;
    return r;
}

void TestSearchRun::pausesStopsAndSnapshotsFromAnotherThread() {
    Recorder recorder;
    SearchControl control;
    SearchSummary summary;
    std::string error;
    const SearchRunRequest req = request("threaded.h5", 1000000);
    std::thread worker([&] {
        try {
            summary = runSearch(req, recorder, control);
        } catch (const std::exception& e) {
            error = e.what();
        }
    });
    QVERIFY(waitFor([&] { return recorder.stepCount.load() >= 20 || !error.empty(); }));
    QVERIFY2(error.empty(), error.c_str());

    control.pause();
    QVERIFY(control.paused());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the step in flight finishes
    const std::int64_t held = recorder.stepCount.load();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    QCOMPARE(recorder.stepCount.load(), held);  // nothing moves while paused

    control.requestSnapshot(1);
    control.resume();
    QVERIFY(waitFor([&] { return recorder.stepCount.load() >= held + 10; }));
    control.stop();
    worker.join();
    QVERIFY2(error.empty(), error.c_str());

    QVERIFY(summary.stopped);
    QVERIFY(summary.steps < 1000000);
    QCOMPARE(std::int64_t(recorder.steps.size()), summary.steps);
    for (std::size_t i = 0; i < recorder.steps.size(); ++i)
        QCOMPARE(recorder.steps[i].step, std::int64_t(i + 1));
    QCOMPARE(recorder.checkpoints.back(), summary.steps);  // stopping writes a checkpoint
    QVERIFY(recorder.evaluations.size() >= 1);
    QCOMPARE(recorder.evaluations.front().step, std::int64_t(0));

    // The snapshot: the quantized weight lies on each group's grid, inside its range.
    QCOMPARE(recorder.snapshots.size(), std::size_t(1));
    const LayerSnapshot& s = recorder.snapshots[0];
    QCOMPARE(s.layer, 1);
    QCOMPARE(s.fc1.rows, std::int64_t(128));
    QCOMPARE(s.fc1.cols, std::int64_t(32));
    QCOMPARE(s.fc2.rows, std::int64_t(32));
    QCOMPARE(s.fc2.cols, std::int64_t(128));
    QCOMPARE(s.fc2.groupMin.size(), std::size_t(32 * 4));
    for (const WeightSnapshot* w : {&s.fc1, &s.fc2}) {
        const std::int64_t groups = w->cols / w->groupSize;
        for (std::int64_t r = 0; r < w->rows; ++r) {
            for (std::int64_t g = 0; g < groups; ++g) {
                const std::size_t gi = std::size_t(r * groups + g);
                double err = 0;
                float lo = INFINITY, hi = -INFINITY;
                for (std::int64_t c = g * w->groupSize; c < (g + 1) * w->groupSize; ++c) {
                    const std::size_t i = std::size_t(r * w->cols + c);
                    lo = std::min(lo, w->transformed[i]);
                    hi = std::max(hi, w->transformed[i]);
                    err += double(w->quantized[i] - w->transformed[i]) *
                           double(w->quantized[i] - w->transformed[i]);
                }
                QCOMPARE(w->groupMin[gi], lo);
                QCOMPARE(w->groupMax[gi], hi);
                QVERIFY(std::abs(err / double(w->groupSize) - w->groupError[gi]) <=
                        1e-6 + 1e-4 * w->groupError[gi]);
            }
        }
    }
    // Transformed fc1 row k is original row pi[k] divided by its scale (the angles, with sigma_r
    // 1e-5, and the float16 rounding move it by far less than the tolerance).
    QVERIFY(s.invariance.permutation != LayerInvariance::identity(128).permutation);
    for (std::int64_t k = 0; k < 128; ++k) {
        const std::int64_t from = s.invariance.permutation[std::size_t(k)];
        const float scale = s.invariance.scales[std::size_t(from)];
        for (std::int64_t c = 0; c < 32; ++c) {
            const float original = s.fc1.original[std::size_t(from * 32 + c)];
            const float rebuilt = s.fc1.transformed[std::size_t(k * 32 + c)] * scale;
            QVERIFY(std::abs(rebuilt - original) <= 2e-3f * std::abs(original) + 1e-3f);
        }
    }

    const ExperimentFile f = ExperimentFile::open(req.experimentPath, false);
    QCOMPARE(f.status(), std::string("stopped"));
    QCOMPARE(f.stepCount(), summary.steps);
    QCOMPARE(f.snapshotCount(), std::int64_t(1));
    QCOMPARE(f.snapshot(0).fc2.groupError, s.fc2.groupError);
}

void TestSearchRun::refusesBeforeWritingAnything() {
    Recorder recorder;
    SearchControl control;
    SearchRunRequest req = request("refused.h5", 10);
    req.snapshotLayers = {3};
    INVX_VERIFY_MESSAGE(test::errorOf([&] { runSearch(req, recorder, control); }),
                        "--snapshot-layers", "layer 3", "0 to 2");
    req.snapshotLayers = {};
    req.settings.evalWindowLength = 2048;
    INVX_VERIFY_MESSAGE(test::errorOf([&] { runSearch(req, recorder, control); }), "eval_window",
                        "64 positions");
    req.settings.evalWindowLength = 64;
    req.settings.calibrationCorpus = dir_.filePath("no-such-corpus.txt").toStdString();
    INVX_VERIFY_MESSAGE(test::errorOf([&] { runSearch(req, recorder, control); }),
                        "no-such-corpus.txt");
    QVERIFY(!std::filesystem::exists(req.experimentPath));
}

void TestSearchRun::aRefusedResumeLeavesTheFileAsItWas() {
    // A stopped run, then copies of it each damaged in one way: every resume is refused, and the
    // file is byte for byte as it was (no run-log row, no status, no steps).
    Recorder recorder;
    SearchControl control;
    SearchRunRequest req = request("to-resume.h5", 20);
    req.settings.checkpointEverySteps = 5;
    runSearch(req, recorder, control);
    const std::string good = req.experimentPath;
    const std::int64_t checkpoints = ExperimentFile::open(good, false).checkpointCount();
    struct Damage {
        const char* name;
        std::function<void(const std::string&)> apply;
        std::function<void(SearchRunRequest&)> ask;
        const char* expected;
    };
    // A damaged last checkpoint is read as not written (the run resumes from the one before), so
    // these damage every checkpoint: nothing is left to resume from.
    const std::vector<Damage> damages = {
        {"recent-count",
         [&](const std::string& f) {
             for (std::int64_t c = 0; c < checkpoints; ++c)
                 test::overwriteRow(f, "/checkpoints/recent_count", std::uint64_t(c), 1000000);
         },
         {},
         "recent steps"},
        {"negative-steps",
         [&](const std::string& f) {
             for (std::int64_t c = 0; c < checkpoints; ++c)
                 test::overwriteRow(f, "/checkpoints/step", std::uint64_t(c), -5 - c);
         },
         {},
         "is at a negative step"},
        {"other-model",
         {},
         [&](SearchRunRequest& r) { r.modelPath = fixture_.otherModel; },
         "is a different model"},
        {"fewer-steps", {}, [](SearchRunRequest& r) { r.resumeSteps = 3; }, "below the"},
    };
    for (const Damage& d : damages) {
        const std::string copy = dir_.filePath(QString("damaged-%1.h5").arg(d.name)).toStdString();
        std::filesystem::copy_file(good, copy, std::filesystem::copy_options::overwrite_existing);
        if (d.apply) d.apply(copy);
        const std::string before = test::fileBytes(copy);
        SearchRunRequest resume;
        resume.experimentPath = copy;
        resume.resume = true;
        resume.device = "cpu";
        if (d.ask) d.ask(resume);
        INVX_VERIFY_MESSAGE(test::errorOf([&] { runSearch(resume, recorder, control); }),
                            d.expected);
        QVERIFY2(test::fileBytes(copy) == before, d.name);
    }
}

QTEST_GUILESS_MAIN(TestSearchRun)
#include "tst_search_run.moc"
