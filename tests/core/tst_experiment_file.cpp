// Experiment files: everything written reads back equal; existing and foreign files are refused;
// h5dump reads them; readers follow a file being written; a second writer is refused; a writer
// killed at any moment leaves a file that opens, holds whole checkpoints only, and resumes.
#include <hdf5.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QProcess>
#include <QStandardPaths>
#include <QtTest>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <thread>

#include "invx/error.h"
#include "invx/experiment-file.h"
#include "invx/reasoning-tasks.h"
#include "invx/results-table.h"
#include "test-support.h"

using namespace invx;

namespace {

using test::calibration;
using test::checkpointAt;
using test::identity;

StepRecord stepRecord(std::int64_t step) {
    StepRecord r;
    r.step = step;
    r.layer = int(step % 2);
    r.loss = 1.1 - 1e-4 * double(step);
    r.ce = 3.0 + 1e-3 * double(step);
    r.mse = 0.25;
    r.accepted = step % 3 == 0;
    r.acceptanceRate = 0.3;
    r.recentAcceptanceRate = 0.4;
    r.elapsedSeconds = 0.1 * double(step);
    return r;
}

}  // namespace

class TestExperimentFile : public QObject {
    Q_OBJECT
  private:
    // A made-up GPTQ block: linear j is (j + 2) x 8 with two groups of four columns.
    static GptqLayerRecord gptqLayer(int seed) {
        GptqLayerRecord r;
        for (int j = 0; j < 6; ++j) {
            GptqLinearRecord& l = r.linears[j];
            l.rows = j + 2;
            l.cols = 8;
            l.groups = 2;
            for (int i = 0; i < l.rows * l.cols; ++i)
                l.codes.push_back(std::uint8_t((i * seed + j) % 4));
            for (int i = 0; i < l.rows * l.groups; ++i) {
                l.scale.push_back(0.01f * float(i + seed));
                l.zero.push_back(float((i + j) % 4));
            }
            l.groupIndex = {1, 0, 0, 1, 1, 0, 1, 0};
        }
        return r;
    }

  private Q_SLOTS:
    void roundTrips();
    void resumingDropsOnlyLaterSteps();
    void readersFollowAFileBeingWritten();
    void aRunThatEndsWithoutAStatusIsInterrupted();
    void killedWritersLeaveFilesThatResume();
    void refusesToOverwrite();
    void refusesForeignFiles();
    void refusesShapesThatDisagreeWithTheModel();
    void refusesACheckpointTheSearchCouldNotHaveWritten();
    void storedValuesAreCheckedAgainstTheirMeaning();
    void aFlippedByteIsDetectedNotBelieved();
    void aDamagedTailReadsAsNotWritten();
    void recordsResultsAlsoInOlderFiles();
    void runsRecordedBeforeASettingExistedReadAsTheyRan();
    void buildsTheResultsTable();
    void h5dumpReadsIt();

  private:
    QTemporaryDir dir_;
    std::string path(const char* name) const { return dir_.filePath(name).toStdString(); }
};

void TestExperimentFile::roundTrips() {
    SearchSettings settings;
    settings.quant.bits = 3;
    settings.invariances = "PS";
    settings.seed = 99;
    settings.quant.groupSize = 2;
    {
        ExperimentFile f =
            ExperimentFile::create(path("a.h5"), settings, identity(), calibration());
        QCOMPARE(f.status(), std::string("created"));
        QVERIFY(!std::filesystem::exists(path("a.h5")));  // FILE.part until published
        f.recordSnapshotLayers({1, 0});
        BaseResult b;
        b.method = "rtn";
        b.ce0 = 3.5;
        b.mse0 = 0.125;
        b.fullPrecisionCe = 2.5;
        b.matchedLayers = {1, 0};
        b.reusedFrom = "/data/quantized.h5";
        f.writeBase(b);
        INVX_VERIFY_MESSAGE(test::errorOf([&] { f.writeBase(b); }), "already recorded", "a.h5");
        f.writeGptq({gptqLayer(1), gptqLayer(2)});
        INVX_VERIFY_MESSAGE(test::errorOf([&] { f.writeGptq({gptqLayer(1)}); }), "already recorded",
                            "a.h5");
        f.publish();
        QVERIFY(std::filesystem::exists(path("a.h5")));
        QVERIFY(!std::filesystem::exists(path("a.h5.part")));
        INVX_VERIFY_MESSAGE(test::errorOf([&] { f.writeAwq({}); }), "a.h5",
                            "once the run is appending");
        std::vector<StepRecord> steps;
        for (int i = 1; i <= 5; ++i) steps.push_back(stepRecord(i));
        f.appendSteps(steps);
        f.appendSteps({stepRecord(6), stepRecord(7)});
        f.appendEvaluation({0, 0, 300.5, 2, 167, 0.0, 1.5});
        f.appendEvaluation({7, 3, 250.25, 2, 167, 4.0, 1.25});
        f.appendCheckpoint(checkpointAt(0));
        f.appendCheckpoint(checkpointAt(7));
        LayerSnapshot s;
        s.step = 7;
        s.layer = 1;
        s.fc1 = {"fc1",
                 6,
                 8,
                 2,
                 std::vector<float>(48, 0.5f),
                 std::vector<float>(48, 0.25f),
                 std::vector<float>(48, 0.0f),
                 std::vector<float>(24, -1),
                 std::vector<float>(24, 1),
                 std::vector<float>(24, 0.01f)};
        s.fc2 = {"fc2",
                 8,
                 6,
                 2,
                 std::vector<float>(48, 1.5f),
                 std::vector<float>(48, 1.25f),
                 std::vector<float>(48, 1.0f),
                 std::vector<float>(24, -2),
                 std::vector<float>(24, 2),
                 std::vector<float>(24, 0.02f)};
        s.fc2.groupMax[23] = 3.5f;
        s.fc1.original[5] = 7.0f;
        s.invariance = checkpointAt(7).layers[1];
        f.appendSnapshot(s);
        f.setStatus("finished");
    }
    const ExperimentFile f = ExperimentFile::open(path("a.h5"), false);
    QCOMPARE(f.settings().toJson(), settings.toJson());
    const ModelIdentity m = f.model();
    QCOMPARE(m.fingerprint, identity().fingerprint);
    QCOMPARE(m.configJson, identity().configJson);
    QCOMPARE(m.layers, 2);
    QCOMPARE(m.ffn, std::int64_t(6));
    QCOMPARE(m.dtype, std::string("float32"));
    QCOMPARE(f.status(), std::string("finished"));
    const CalibrationBatch c = f.calibration();
    QCOMPARE(c.ids, calibration().ids);
    QCOMPARE(c.samples, std::int64_t(2));
    QCOMPARE(c.corpus, std::string("wikipedia"));
    QCOMPARE(f.base()->ce0, 3.5);
    QCOMPARE(f.base()->matchedLayers, (std::vector<int>{1, 0}));
    QCOMPARE(f.base()->reusedFrom, std::string("/data/quantized.h5"));
    const auto gptq = f.gptq();
    QCOMPARE(gptq.size(), std::size_t(2));
    for (int l = 0; l < 2; ++l)
        for (int j = 0; j < 6; ++j) {
            const GptqLinearRecord &got = gptq[l].linears[j], &want = gptqLayer(l + 1).linears[j];
            QCOMPARE(got.rows, want.rows);
            QCOMPARE(got.cols, want.cols);
            QCOMPARE(got.groups, want.groups);
            QVERIFY(got.codes == want.codes);
            QVERIFY(got.scale == want.scale);
            QVERIFY(got.zero == want.zero);
            QVERIFY(got.groupIndex == want.groupIndex);
        }
    QVERIFY(f.awq().empty());
    const auto steps = f.steps();
    QCOMPARE(steps.size(), std::size_t(7));
    for (int i = 0; i < 7; ++i) {
        const StepRecord e = stepRecord(i + 1);
        QCOMPARE(steps[i].step, e.step);
        QCOMPARE(steps[i].layer, e.layer);
        QCOMPARE(steps[i].loss, e.loss);
        QCOMPARE(steps[i].accepted, e.accepted);
        QCOMPARE(steps[i].elapsedSeconds, e.elapsedSeconds);
    }
    QCOMPARE(f.steps(5, 10).size(), std::size_t(2));
    const auto evals = f.evaluations();
    QCOMPARE(evals.size(), std::size_t(2));
    QCOMPARE(evals[1].perplexity, 250.25);
    QCOMPARE(evals[1].acceptedSteps, std::int64_t(3));
    QCOMPARE(f.checkpointCount(), std::int64_t(2));
    const SearchCheckpoint last = f.checkpoint(-1), expected = checkpointAt(7);
    QCOMPARE(last.step, std::int64_t(7));
    QCOMPARE(last.bestLoss, expected.bestLoss);
    QCOMPARE(last.rng, expected.rng);
    QCOMPARE(last.recentAccepted, expected.recentAccepted);
    QVERIFY(last.layers == expected.layers);
    QVERIFY(f.checkpoint(0).layers == checkpointAt(0).layers);
    INVX_VERIFY_MESSAGE(test::errorOf([&] { f.checkpoint(5); }), "checkpoint 5 does not exist");
    QCOMPARE(f.snapshotCount(), std::int64_t(1));
    const LayerSnapshot s = f.snapshot(0);
    QCOMPARE(s.layer, 1);
    QCOMPARE(s.fc1.original[5], 7.0f);
    QCOMPARE(s.fc2.groupSize, std::int64_t(2));
    QCOMPARE(s.fc2.groupMax.size(), std::size_t(24));
    QCOMPARE(s.fc2.groupMax[23], 3.5f);
    QCOMPARE(s.fc2.groupMax[22], 2.0f);
    QCOMPARE(s.fc1.groupError[0], 0.01f);
    QVERIFY(s.invariance == expected.layers[1]);
    QVERIFY(f.hasSnapshot(7, 1));
    QVERIFY(!f.hasSnapshot(7, 0));
    QCOMPARE(f.snapshotLayers(), (std::vector<int>{1, 0}));
}

namespace {
LayerSnapshot snapshotAt(std::int64_t step, int layer) {
    LayerSnapshot s;
    s.step = step;
    s.layer = layer;
    // Default settings: groups of 128 do not divide these rows, so one group per row.
    s.fc1 = {"fc1",
             6,
             8,
             8,
             std::vector<float>(48, float(step)),
             std::vector<float>(48, 0.25f),
             std::vector<float>(48, 0.0f),
             std::vector<float>(6, -1),
             std::vector<float>(6, 1),
             std::vector<float>(6, 0.5f)};
    s.fc2 = {"fc2",
             8,
             6,
             6,
             std::vector<float>(48, 1.5f),
             std::vector<float>(48, 1.25f),
             std::vector<float>(48, 1.0f),
             std::vector<float>(8, -2),
             std::vector<float>(8, 2),
             std::vector<float>(8, 0.25f)};
    s.invariance = checkpointAt(step).layers[std::size_t(layer)];
    return s;
}
}  // namespace

void TestExperimentFile::resumingDropsOnlyLaterSteps() {
    ExperimentFile f =
        ExperimentFile::create(path("b.h5"), SearchSettings{}, identity(), calibration());
    f.publish();
    std::vector<StepRecord> steps;
    for (int i = 1; i <= 12; ++i) steps.push_back(stepRecord(i));
    f.appendSteps(steps);
    f.appendEvaluation({0, 0, 300, 1, 1, 0, 1});
    f.appendEvaluation({10, 4, 200, 1, 1, 1, 1});
    f.appendCheckpoint(checkpointAt(8));
    f.appendCheckpoint(checkpointAt(12));
    f.appendSnapshot(snapshotAt(0, 1));
    f.appendSnapshot(snapshotAt(12, 1));
    f.truncateAfter(8);
    QCOMPARE(f.stepCount(), std::int64_t(8));
    QCOMPARE(f.steps().back().step, std::int64_t(8));
    QCOMPARE(f.evaluations().size(), std::size_t(1));
    QCOMPARE(f.snapshotCount(), std::int64_t(1));
    QCOMPARE(f.snapshot(0).fc1.original[0], 0.0f);
    QCOMPARE(f.checkpointCount(),
             std::int64_t(2));  // checkpoints stay: the caller resumes from one
    f.setTargetSteps(50000);
    QCOMPARE(f.settings().steps, std::int64_t(50000));
    QCOMPARE(ExperimentFile::open(path("b.h5"), false).settings().steps, std::int64_t(50000));
}

void TestExperimentFile::readersFollowAFileBeingWritten() {
    ExperimentFile writer =
        ExperimentFile::create(path("live.h5"), SearchSettings{}, identity(), calibration());
    writer.appendCheckpoint(checkpointAt(0));
    writer.publish();
    writer.setStatus("running");
    writer.appendSteps({stepRecord(1), stepRecord(2)});
    writer.flush();
    {
        const ExperimentFile reader = ExperimentFile::open(path("live.h5"), false);
        QCOMPARE(reader.stepCount(), std::int64_t(2));
        QCOMPARE(reader.status(), std::string("running"));
    }
    writer.appendSteps({stepRecord(3)});
    writer.appendCheckpoint(checkpointAt(3));
    writer.flush();
    // Another process, as the workbench following a run of invx search.
    const pid_t child = fork();
    if (child == 0) {
        int code = 1;
        try {
            const ExperimentFile reader = ExperimentFile::open(path("live.h5"), false);
            code = reader.stepCount() == 3 && reader.checkpoint(-1).step == 3 &&
                           reader.status() == "running"
                       ? 0
                       : 2;
        } catch (...) {
        }
        _exit(code);
    }
    int status = 0;
    QCOMPARE(waitpid(child, &status, 0), child);
    QVERIFY2(WIFEXITED(status) && WEXITSTATUS(status) == 0,
             "another process could not read the file being written");
    INVX_VERIFY_MESSAGE(test::errorOf([&] { ExperimentFile::open(path("live.h5"), true); }),
                        "live.h5", "is being written by another run");
}

void TestExperimentFile::aRunThatEndsWithoutAStatusIsInterrupted() {
    {
        ExperimentFile f =
            ExperimentFile::create(path("k.h5"), SearchSettings{}, identity(), calibration());
        f.appendCheckpoint(checkpointAt(0));
        f.publish();
        f.setStatus("running");
        QCOMPARE(ExperimentFile::open(path("k.h5"), false).status(), std::string("running"));
    }
    QCOMPARE(ExperimentFile::open(path("k.h5"), false).status(), std::string("interrupted"));
    {
        ExperimentFile f =
            ExperimentFile::create(path("never.h5"), SearchSettings{}, identity(), calibration());
        f.appendSteps({stepRecord(1)});
    }  // never published: a run that failed while it was set up leaves nothing behind
    QVERIFY(!std::filesystem::exists(path("never.h5")));
    QVERIFY(!std::filesystem::exists(path("never.h5.part")));
}

namespace {
// A table's extent as HDF5 records it, whatever rows were written.
hsize_t tableRows(const std::string& file, const char* name) {
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5P_DEFAULT);
    const hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    const hid_t s = H5Dget_space(d);
    hsize_t dims[4] = {0};
    H5Sget_simple_extent_dims(s, dims, nullptr);
    H5Sclose(s);
    H5Dclose(d);
    H5Fclose(f);
    return dims[0];
}
}  // namespace

void TestExperimentFile::killedWritersLeaveFilesThatResume() {
    // A writer appends as a search does (steps, evaluations, checkpoints, snapshots, a flush after
    // each) until SIGKILL lands at a random moment; then the file must open, hold whole records
    // only, and take appends again where the last checkpoint left off. Half the rounds kill a
    // writer that had itself resumed a killed file.
    std::mt19937 random(12345);
    const std::string file = path("killed.h5");
    int resumedRounds = 0, halfWritten = 0;
    // About one kill in seven lands inside a record (fewer under the sanitizers): 60 rounds make
    // a run without one (which the last check refuses) rarer than one in a thousand.
    constexpr int kRounds = 60;
    for (int round = 0; round < kRounds; ++round) {
        const bool fresh = round % 2 == 0;
        if (fresh) {
            std::filesystem::remove(file);
            std::filesystem::remove(file + ".part");
        }
        // A round after one killed before its first checkpoint starts afresh too.
        const bool hadFile = std::filesystem::exists(file);
        const pid_t child = fork();
        if (child == 0) {
            try {
                std::optional<ExperimentFile> f;
                std::int64_t step = 0;
                if (std::filesystem::exists(file)) {
                    f.emplace(ExperimentFile::open(file, true));
                    step = f->checkpoint(-1).step;
                    f->truncateAfter(step);
                } else {
                    f.emplace(
                        ExperimentFile::create(file, SearchSettings{}, identity(), calibration()));
                    f->appendCheckpoint(checkpointAt(0));
                    f->publish();
                }
                f->setStatus("running");
                for (;;) {
                    ++step;
                    f->appendSteps({stepRecord(step)});
                    f->flush();
                    if (step % 3 == 0)
                        f->appendEvaluation({step, step / 2, 100.0 + double(step), 1, 1, 0, 1});
                    if (step % 5 == 0) f->appendSnapshot(snapshotAt(step, int(step % 2)));
                    f->appendCheckpoint(checkpointAt(step));
                    f->flush();
                }
            } catch (...) {
            }
            _exit(3);
        }
        std::this_thread::sleep_for(
            std::chrono::microseconds(std::uniform_int_distribution<int>(0, 150000)(random)));
        kill(child, SIGKILL);
        int status = 0;
        QCOMPARE(waitpid(child, &status, 0), child);
        QVERIFY2(WIFSIGNALED(status), "the writer failed before it was killed");
        if (!std::filesystem::exists(file)) {
            // Killed before its first checkpoint: nothing to resume, nothing left but FILE.part. A
            // file that was there stays there: a resumed writer never removes it.
            QVERIFY(!hadFile);
            continue;
        }
        resumedRounds += hadFile;
        halfWritten +=
            tableRows(file, "/checkpoints/permutation") != tableRows(file, "/checkpoints/step") ||
            tableRows(file, "/snapshots/fc2/group_error") != tableRows(file, "/snapshots/step") ||
            std::int64_t(tableRows(file, "/steps")) !=
                ExperimentFile::open(file, false).stepCount();
        const ExperimentFile f = ExperimentFile::open(file, false);
        QCOMPARE(f.status(), std::string("interrupted"));
        const std::int64_t checkpoints = f.checkpointCount();
        QVERIFY(checkpoints >= 1);
        const SearchCheckpoint last = f.checkpoint(-1), expected = checkpointAt(last.step);
        QVERIFY(last.layers == expected.layers);
        QCOMPARE(last.rng, expected.rng);
        QCOMPARE(last.bestLoss, expected.bestLoss);
        const auto steps = f.steps();
        QVERIFY(std::int64_t(steps.size()) >=
                last.step);  // every step up to the checkpoint is there
        for (std::size_t i = 0; i < steps.size(); ++i) {
            QCOMPARE(steps[i].step, std::int64_t(i + 1));
            QCOMPARE(steps[i].loss, stepRecord(std::int64_t(i + 1)).loss);
        }
        for (std::int64_t i = 0; i < f.snapshotCount(); ++i) {
            const LayerSnapshot s = f.snapshot(i);
            QCOMPARE(s.fc1.original[47], float(s.step));
            QVERIFY(s.invariance == snapshotAt(s.step, s.layer).invariance);
        }
        for (const EvaluationRecord& e : f.evaluations())
            QCOMPARE(e.perplexity, 100.0 + double(e.step));
    }
    QVERIFY2(resumedRounds >= 5, "too few rounds killed a resumed writer");
    qInfo("%d of %d kills left a record half-written", halfWritten, kRounds);
    QVERIFY2(halfWritten > 0,
             "no kill landed inside a record; the test did not test what it is for");
}

void TestExperimentFile::refusesToOverwrite() {
    { ExperimentFile::create(path("c.h5"), SearchSettings{}, identity(), calibration()).publish(); }
    const auto size = std::filesystem::file_size(path("c.h5"));
    INVX_VERIFY_MESSAGE(test::errorOf([&] {
                            ExperimentFile::create(path("c.h5"), SearchSettings{}, identity(),
                                                   calibration());
                        }),
                        "c.h5", "already exists", "--resume");
    QCOMPARE(std::filesystem::file_size(path("c.h5")), size);
    std::ofstream(path("notes.txt")) << "my notes";
    INVX_VERIFY_MESSAGE(test::errorOf([&] {
                            ExperimentFile::create(path("notes.txt"), SearchSettings{}, identity(),
                                                   calibration());
                        }),
                        "already exists");
    std::ifstream in(path("notes.txt"));
    std::string content;
    std::getline(in, content);
    QCOMPARE(content, std::string("my notes"));
}

void TestExperimentFile::refusesForeignFiles() {
    std::ofstream(path("text.h5")) << "not hdf5 at all";
    INVX_VERIFY_MESSAGE(test::errorOf([&] { ExperimentFile::open(path("text.h5"), false); }),
                        "text.h5", "not an HDF5 file");
    INVX_VERIFY_MESSAGE(test::errorOf([&] { ExperimentFile::open(path("missing.h5"), false); }),
                        "missing.h5", "does not exist");
    const hid_t file =
        H5Fcreate(path("foreign.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    QVERIFY(file >= 0);
    H5Fclose(file);
    INVX_VERIFY_MESSAGE(test::errorOf([&] { ExperimentFile::open(path("foreign.h5"), true); }),
                        "foreign.h5", "not an InvarExplore experiment");
}

namespace {
// Overwrites an integer attribute of /model, as an edit or another program might.
void setModelAttribute(const std::string& file, const char* name, std::int64_t value) {
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    QVERIFY(f >= 0);
    QVERIFY(H5Adelete_by_name(f, "/model", name, H5P_DEFAULT) >= 0);
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t a = H5Acreate_by_name(f, "/model", name, H5T_STD_I64LE, space, H5P_DEFAULT,
                                      H5P_DEFAULT, H5P_DEFAULT);
    QVERIFY(a >= 0);
    QVERIFY(H5Awrite(a, H5T_NATIVE_INT64, &value) >= 0);
    H5Aclose(a);
    H5Sclose(space);
    H5Fclose(f);
}
}  // namespace

void TestExperimentFile::refusesShapesThatDisagreeWithTheModel() {
    // /model says 2 layers of FFN width 6; the checkpoint tables are [n, 2, 6]. Buffers used to be
    // sized from the attributes and filled by the dataset's shape: a smaller attribute overran
    // them.
    const std::string file = path("edited.h5");
    {
        ExperimentFile f =
            ExperimentFile::create(file, SearchSettings{}, identity(), calibration());
        f.appendCheckpoint(checkpointAt(5));
        f.publish();
    }
    setModelAttribute(file, "ffn", 4);
    INVX_VERIFY_MESSAGE(test::errorOf([&] { ExperimentFile::open(file, false).checkpoint(0); }),
                        "edited.h5", "/checkpoints/permutation has the shape [1, 2, 6]",
                        "must be [2, 4]");
    SearchCheckpoint narrow = checkpointAt(6);
    for (LayerInvariance& l : narrow.layers) l = LayerInvariance::identity(4);
    INVX_VERIFY_MESSAGE(
        test::errorOf([&] { ExperimentFile::open(file, true).appendCheckpoint(narrow); }),
        "edited.h5", "/checkpoints/permutation has the shape [1, 2, 6]");
    setModelAttribute(file, "ffn", 6);
    setModelAttribute(file, "layers", 1);
    INVX_VERIFY_MESSAGE(test::errorOf([&] { ExperimentFile::open(file, false).checkpoint(0); }),
                        "edited.h5", "must be [1, 6]");
    setModelAttribute(file, "layers", 1LL << 40);
    INVX_VERIFY_MESSAGE(test::errorOf([&] { ExperimentFile::open(file, false).checkpoint(0); }),
                        "edited.h5", "/model@layers is 1099511627776, not a number of layers");
    setModelAttribute(file, "layers", 4096);
    setModelAttribute(
        file, "ffn",
        1 << 20);  // each within its bounds, together 2^32 neurons (16 GB a checkpoint)
    INVX_VERIFY_MESSAGE(test::errorOf([&] { ExperimentFile::open(file, false).checkpoint(0); }),
                        "edited.h5", "4096 layers of FFN width 1048576, more than any OPT model");
    setModelAttribute(file, "layers", 2);
    setModelAttribute(file, "ffn", 7);
    INVX_VERIFY_MESSAGE(
        test::errorOf([&] { ExperimentFile::open(file, false).permutationHistory(0); }),
        "edited.h5", "/model@ffn is 7, not an even FFN width");
    setModelAttribute(file, "ffn", 6);
    QCOMPARE(ExperimentFile::open(file, false).checkpoint(0).step,
             std::int64_t(5));  // as written, it reads
}

void TestExperimentFile::refusesACheckpointTheSearchCouldNotHaveWritten() {
    const std::string file = path("states.h5");
    SearchCheckpoint repeated = checkpointAt(1), negative = checkpointAt(2), zero = checkpointAt(3),
                     rng = checkpointAt(4), infinite = checkpointAt(5);
    repeated.layers[1].permutation[4] = repeated.layers[1].permutation[5];
    negative.layers[0].scales[2] = -0.5f;
    zero.layers[1].scales[0] = 0.0f;
    rng.rng = {0, 0, 0, 0};
    infinite.layers[0].angles[0] = std::numeric_limits<float>::infinity();
    {
        ExperimentFile f =
            ExperimentFile::create(file, SearchSettings{}, identity(), calibration());
        for (const SearchCheckpoint* c : {&repeated, &negative, &zero, &rng, &infinite})
            f.appendCheckpoint(*c);
        f.appendCheckpoint(checkpointAt(6));
        f.publish();
    }
    const ExperimentFile f = ExperimentFile::open(file, false);
    INVX_VERIFY_MESSAGE(test::errorOf([&] { f.checkpoint(0); }), "states.h5",
                        "checkpoint 0 (step 1) layer 1", "not a permutation of 0..5");
    INVX_VERIFY_MESSAGE(test::errorOf([&] { f.checkpoint(1); }), "checkpoint 1 (step 2) layer 0",
                        "a scale is -0.5");
    INVX_VERIFY_MESSAGE(test::errorOf([&] { f.checkpoint(2); }), "checkpoint 2 (step 3) layer 1",
                        "a scale is 0;");
    INVX_VERIFY_MESSAGE(test::errorOf([&] { f.checkpoint(3); }), "checkpoint 3 (step 4)",
                        "all-zero random generator state");
    INVX_VERIFY_MESSAGE(test::errorOf([&] { f.checkpoint(4); }), "checkpoint 4 (step 5) layer 0",
                        "an angle is not finite");
    QCOMPARE(f.checkpoint(5).step, std::int64_t(6));
}

void TestExperimentFile::storedValuesAreCheckedAgainstTheirMeaning() {
    // Values the search could never have written are refused before a resume or a view trusts
    // them: a huge scale, a recent-window count out of the window, checkpoints out of order.
    const std::string file = path("values.h5");
    SearchCheckpoint huge = checkpointAt(10);
    huge.layers[1].scales[2] = 1e38f;
    {
        ExperimentFile f =
            ExperimentFile::create(file, SearchSettings{}, identity(), calibration());
        f.appendCheckpoint(checkpointAt(5));
        f.appendCheckpoint(huge);
        f.appendCheckpoint(checkpointAt(20));
        f.appendCheckpoint(checkpointAt(15));  // before the one it follows
        f.appendCheckpoint(checkpointAt(30));
        INVX_VERIFY_MESSAGE(test::errorOf([&] {
                                SearchCheckpoint many = checkpointAt(40);
                                many.recentAccepted.assign(
                                    std::size_t(StepRecord::kRecentWindow) + 1, 1);
                                f.appendCheckpoint(many);
                            }),
                            "values.h5", "more than the window");
        f.publish();
    }
    test::overwriteRow(file, "/checkpoints/recent_count", 4, std::int64_t(1000000));
    const ExperimentFile f = ExperimentFile::open(file, false);
    QCOMPARE(f.checkpoint(0).step, std::int64_t(5));
    INVX_VERIFY_MESSAGE(test::errorOf([&] { f.checkpoint(1); }), "checkpoint 1 (step 10) layer 1",
                        "a scale is 1e+38", "between 0.001 and 10000");
    INVX_VERIFY_MESSAGE(test::errorOf([&] { f.checkpoint(3); }), "checkpoint 3 (step 15)",
                        "comes after checkpoint 2 at step 20");
    INVX_VERIFY_MESSAGE(test::errorOf([&] { f.checkpoint(4); }), "checkpoint 4 (step 30)",
                        "counts 1000000 recent steps");
}

void TestExperimentFile::aFlippedByteIsDetectedNotBelieved() {
    // Every chunk carries a checksum: a byte changed on disk makes the read fail.
    const std::string file = path("flipped.h5");
    SearchCheckpoint c = checkpointAt(7);
    {
        ExperimentFile f =
            ExperimentFile::create(file, SearchSettings{}, identity(), calibration());
        f.appendCheckpoint(c);
        f.publish();
    }
    haddr_t address = 0;
    hsize_t size = 0;
    {
        const hid_t h = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
        const hid_t ds = H5Dopen2(h, "/checkpoints/scales", H5P_DEFAULT);
        hsize_t offset[3] = {0, 0, 0};
        unsigned mask = 0;
        QVERIFY(H5Dget_chunk_info_by_coord(ds, offset, &mask, &address, &size) >= 0);
        H5Dclose(ds), H5Fclose(h);
    }
    QVERIFY(size > 4);
    {
        std::fstream bytes(file, std::ios::in | std::ios::out | std::ios::binary);
        bytes.seekg(std::streamoff(address + 2));
        const char old = char(bytes.get());
        bytes.seekp(std::streamoff(address + 2));
        bytes.put(char(old ^ 0x10));
    }
    INVX_VERIFY_MESSAGE(test::errorOf([&] { ExperimentFile::open(file, false).checkpoint(0); }),
                        "flipped.h5", "cannot read /checkpoints/scales");
}

void TestExperimentFile::aDamagedTailReadsAsNotWritten() {
    // A zeroed or torn last checkpoint is not the end of the file: it opens at its last good
    // checkpoint, says so once, and a resume drops the damaged rows and appends after the good.
    const std::string file = path("tail.h5");
    {
        ExperimentFile f =
            ExperimentFile::create(file, SearchSettings{}, identity(), calibration());
        for (std::int64_t step : {5, 10, 15, 20}) f.appendCheckpoint(checkpointAt(step));
        f.publish();
    }
    // Checkpoint 3's generator state zeros, as where a flush never landed; checkpoint 2's scales
    // with a broken checksum.
    {
        const hid_t h = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
        const hid_t ds = H5Dopen2(h, "/checkpoints/rng_state", H5P_DEFAULT);
        const hid_t space = H5Dget_space(ds);
        const hsize_t start[2] = {3, 0}, count[2] = {1, 4};
        H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nullptr, count, nullptr);
        const hid_t mem = H5Screate_simple(2, count, nullptr);
        const std::uint64_t zeros[4] = {0, 0, 0, 0};
        QVERIFY(H5Dwrite(ds, H5T_NATIVE_UINT64, mem, space, H5P_DEFAULT, zeros) >= 0);
        H5Sclose(mem), H5Sclose(space), H5Dclose(ds), H5Fclose(h);
    }
    haddr_t address = 0;
    hsize_t size = 0;
    {
        const hid_t h = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
        const hid_t ds = H5Dopen2(h, "/checkpoints/scales", H5P_DEFAULT);
        hsize_t offset[3] = {2, 0, 0};
        unsigned mask = 0;
        QVERIFY(H5Dget_chunk_info_by_coord(ds, offset, &mask, &address, &size) >= 0);
        H5Dclose(ds), H5Fclose(h);
    }
    {
        std::fstream bytes(file, std::ios::in | std::ios::out | std::ios::binary);
        bytes.seekp(std::streamoff(address + 1));
        bytes.put(char(0x5a));
    }
    {
        const ExperimentFile f = ExperimentFile::open(file, false);
        QCOMPARE(f.checkpointCount(), std::int64_t(2));
        QCOMPARE(f.checkpoint(-1).step, std::int64_t(10));
        QCOMPARE(f.checkpointSteps(), (std::vector<std::int64_t>{5, 10}));
        INVX_VERIFY_MESSAGE(f.damageNote(), "tail.h5", "its last 2 checkpoints are damaged",
                            "all-zero random generator state", "ended at checkpoint 1",
                            "--resume continues from there");
        // Asked for by its index, a damaged one gives its reason.
        INVX_VERIFY_MESSAGE(test::errorOf([&] { f.checkpoint(2); }),
                            "cannot read /checkpoints/scales");
    }
    {
        ExperimentFile f = ExperimentFile::open(file, true);
        f.truncateAfter(10);
        f.appendCheckpoint(checkpointAt(30));
    }
    const ExperimentFile f = ExperimentFile::open(file, false);
    QCOMPARE(f.checkpointSteps(), (std::vector<std::int64_t>{5, 10, 30}));
    QVERIFY(f.damageNote().empty());
    QVERIFY(f.checkpoint(-1).layers == checkpointAt(30).layers);
}

namespace {
ResultRecord result(const std::string& model, std::int64_t step, const std::string& metric,
                    double value, bool complete = true) {
    ResultRecord r;
    r.model = model, r.step = step, r.metric = metric, r.value = value, r.valueNorm = value / 2;
    r.items = 7, r.complete = complete, r.protocol = R"({"dtype":"float16"})", r.seconds = 1.5,
    r.unixTime = 1000 + value;
    return r;
}
}  // namespace

void TestExperimentFile::recordsResultsAlsoInOlderFiles() {
    const std::string file = path("results.h5");
    {
        ExperimentFile f =
            ExperimentFile::create(file, SearchSettings{}, identity(), calibration());
        f.appendCheckpoint(checkpointAt(0));
        f.publish();
        f.setStatus("finished");
    }
    // A file of this schema written before /results existed; and a row a killed writer left
    // unwritten.
    {
        const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
        QVERIFY(f >= 0);
        QVERIFY(H5Ldelete(f, "/results", H5P_DEFAULT) >= 0);
        H5Fclose(f);
    }
    QVERIFY(ExperimentFile::open(file, false).results().empty());
    const ResultRecord a = result("searched", 40, "arc_easy", 0.25),
                       b = result("full-precision", 0, "wikitext2", 31.5, false);
    {
        ExperimentFile f = ExperimentFile::open(file, true);  // gains the table
        f.appendResult(a);
        f.appendResult(b);
        INVX_VERIFY_MESSAGE(test::errorOf([&] { f.appendResult(result("quantized", 0, "c4", 1)); }),
                            "results.h5", "full-precision, base or searched", "'quantized'");
        INVX_VERIFY_MESSAGE(
            test::errorOf([&] { f.appendResult(result("base", 0, std::string(40, 'x'), 1)); }),
            "results.h5", "metric", "longer than 31 characters");
    }
    {
        const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
        const hid_t ds = H5Dopen2(f, "/results", H5P_DEFAULT);
        const hsize_t grown[1] = {3};
        QVERIFY(H5Dset_extent(ds, grown) >= 0);
        H5Dclose(ds);
        H5Fclose(f);
    }
    const std::vector<ResultRecord> back = ExperimentFile::open(file, false).results();
    QCOMPARE(back.size(), std::size_t(2));  // the grown, never written row is skipped
    for (std::size_t i = 0; i < 2; ++i) {
        const ResultRecord& want = i == 0 ? a : b;
        QCOMPARE(back[i].model, want.model);
        QCOMPARE(back[i].step, want.step);
        QCOMPARE(back[i].metric, want.metric);
        QCOMPARE(back[i].value, want.value);
        QCOMPARE(back[i].valueNorm, want.valueNorm);
        QCOMPARE(back[i].items, want.items);
        QCOMPARE(back[i].complete, want.complete);
        QCOMPARE(back[i].protocol, want.protocol);
        QCOMPARE(back[i].seconds, want.seconds);
        QCOMPARE(back[i].unixTime, want.unixTime);
    }
    // A reader holding the file (the workbench showing the run) does not keep another process
    // from recording in it. The writer is forked before the reader opens: a child forked later
    // would inherit the parent's open file, not be another process to HDF5.
    {
        int go[2];
        QVERIFY(pipe(go) == 0);
        const pid_t child = fork();
        if (child == 0) {
            char byte = 0;
            if (read(go[0], &byte, 1) != 1) _exit(4);
            try {
                ExperimentFile w = ExperimentFile::open(file, true);
                w.appendResult(result("base", 0, "c4", 77.0));
                _exit(0);
            } catch (...) {
                _exit(3);
            }
        }
        int status = 0;
        {
            const ExperimentFile held = ExperimentFile::open(file, false);
            QCOMPARE(held.results().size(), std::size_t(2));
            QVERIFY(write(go[1], "x", 1) == 1);
            waitpid(child, &status, 0);
        }
        close(go[0]), close(go[1]);
        QVERIFY2(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                 "the writer could not open the file a reader holds");
        QCOMPARE(ExperimentFile::open(file, false).results().size(), std::size_t(3));
    }
    // A writer may still append after recording (a run resumed later).
    ExperimentFile f = ExperimentFile::open(file, true);
    f.appendEvaluation({0, 0, 300, 1, 1, 0, 1});
    QCOMPARE(f.evaluations().size(), std::size_t(1));
}

void TestExperimentFile::runsRecordedBeforeASettingExistedReadAsTheyRan() {
    const std::string file = path("targets.h5");
    SearchSettings settings;
    settings.base = "awq";
    // The published code's choices are the defaults.
    QCOMPARE(settings.targets, std::string("base"));
    QCOMPARE(settings.awqPrecision, std::string("float16"));
    { ExperimentFile::create(file, settings, identity(), calibration()).publish(); }
    QCOMPARE(ExperimentFile::open(file, false).settings().targets, std::string("base"));
    QCOMPARE(ExperimentFile::open(file, false).settings().awqPrecision, std::string("float16"));
    // The settings as an older invx wrote them: no "targets" and no "awq_precision" key.
    std::string json = settings.toJson();
    for (const char* key : {"\"targets\"", "\"awq_precision\""}) {
        const std::size_t at = json.find(key);
        QVERIFY(at != std::string::npos);
        const std::size_t lineStart = json.rfind('\n', at) + 1;
        json.erase(lineStart,
                   json.find('\n', at) + 1 - lineStart);  // a middle line: the commas stay right
    }
    QVERIFY(json.find("targets") == std::string::npos &&
            json.find("awq_precision") == std::string::npos);
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    QVERIFY(H5Adelete_by_name(f, "/settings", "json", H5P_DEFAULT) >= 0);
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t a = H5Acreate_by_name(f, "/settings", "json", type, space, H5P_DEFAULT, H5P_DEFAULT,
                                      H5P_DEFAULT);
    const char* text = json.c_str();
    QVERIFY(H5Awrite(a, type, &text) >= 0);
    H5Aclose(a), H5Sclose(space), H5Tclose(type), H5Fclose(f);
    const SearchSettings older = ExperimentFile::open(file, false).settings();
    QCOMPARE(older.targets, std::string("original"));
    QCOMPARE(older.awqPrecision, std::string("float32"));
    QCOMPARE(older.base, std::string("awq"));
}

void TestExperimentFile::buildsTheResultsTable() {
    // Two 2-bit runs over GPTQ, one over RTN, one at 3 bits: FP16 first, then by bits, RTN before
    // GPTQ.
    auto source = [](const std::string& path, const std::string& base, int bits,
                     std::int64_t searched) {
        ResultsSource s;
        s.path = path;
        s.settings.base = base;
        s.settings.quant.bits = bits;
        s.model = identity();
        s.searchedStep = searched;
        return s;
    };
    std::vector<ResultsSource> sources{
        source("/r/gptq-a.h5", "gptq", 2, 100), source("/r/rtn.h5", "rtn", 2, 50),
        source("/r/gptq-b.h5", "gptq", 2, 80), source("/r/rtn3.h5", "rtn", 3, 0),
        source("/r/gptq-quantized.h5", "gptq", 2, 0)};
    sources[4].settings.steps = 0;  // invx quantize: GPTQ alone, no row of its own
    sources[0].results = {
        result("full-precision", 0, "wikitext2", 10.0), result("base", 0, "wikitext2", 30.0),
        result("searched", 100, "wikitext2", 20.0), result("searched", 60, "wikitext2", 25.0)};
    for (const std::string& task : reasoningTaskNames())
        sources[0].results.push_back(result("searched", 100, task, 0.5));
    sources[0].results.push_back(
        result("searched", 100, "piqa", 0.62, false));  // newer (larger time)
    sources[2].results = {result("base", 0, "wikitext2", 29.0),
                          result("base", 0, "c4", 40.0)};  // newer base values
    sources[3].results = {
        result("base", 0, "c4", 9.0)};  // no step yet: its searched row is its base
    const ResultsTable t = buildResultsTable(sources);
    QStringList methods;
    for (const ResultsRow& r : t.rows) methods << QString::fromStdString(r.bits + " " + r.method);
    QCOMPARE(methods,
             (QStringList{"16 FP16", "2 RTN", "2 RTN + InvarExplore", "2 GPTQ",
                          "2 GPTQ + InvarExplore (gptq-a)", "2 GPTQ + InvarExplore (gptq-b)",
                          "3 RTN", "3 RTN + InvarExplore"}));
    QCOMPARE(*t.rows[0].cells[0].value, 10.0);
    QCOMPARE(*t.rows[3].cells[0].value, 30.0);  // 30 was recorded at time 1030, 29 at 1029
    QCOMPARE(*t.rows[3].cells[1].value, 40.0);
    QCOMPARE(*t.rows[4].cells[0].value, 20.0);  // step 100 is the searched model, not step 60
    QCOMPARE(*t.rows[4].cells[6].value, 62.0);  // percent; the newest piqa
    QVERIFY(t.rows[4].cells[6].partial && !t.rows[4].cells[7].partial);
    QCOMPARE(*t.rows[4].cells[8].value, (50.0 * 5 + 62.0) / 6);  // the average of the six
    QVERIFY(t.rows[4].cells[8].partial);
    QVERIFY(!t.rows[5].cells[0].value && !t.rows[3].cells[8].value);
    QCOMPARE(*t.rows[7].cells[1].value, 9.0);
    QCOMPARE(t.rows[3].paths,
             (std::vector<std::string>{"/r/gptq-a.h5", "/r/gptq-b.h5", "/r/gptq-quantized.h5"}));
    QCOMPARE(t.missing.size(),
             std::size_t(8 * 8 - 1 - 2 - 7 - 1 - 1));  // FP, GPTQ, gptq-a, 3-bit RTN twice
    QVERIFY(std::find(t.missing.begin(), t.missing.end(),
                      "gptq-b.h5: the searched model (step 80) on c4") != t.missing.end());

    const std::string md = formatResultsTable(t, ResultsFormat::Markdown);
    QVERIFY2(md.find("| 2 | GPTQ + InvarExplore (gptq-a) | **20.00** | – | **50.00** | **50.00** | "
                     "**50.00** | **50.00** | **62.00\\*** | **50.00** | **52.00\\*** |\n") !=
                 std::string::npos,
             md.c_str());
    const std::string csv = formatResultsTable(t, ResultsFormat::Csv);
    QVERIFY2(csv.find("\n2,GPTQ + InvarExplore "
                      "(gptq-a),20,,50,50,50,50,62,50,52,piqa;average,/r/gptq-a.h5,100\n") !=
                 std::string::npos,
             csv.c_str());
    const std::string tex = formatResultsTable(t, ResultsFormat::Latex);
    QVERIFY2(tex.find("\\midrule\n3 & RTN & -- & \\textbf{9.00}") != std::string::npos,
             tex.c_str());  // a rule between bits
    // Bold: 20.00 beats the other 2-bit rows' 30.00 and 29.00 (GPTQ's base takes the
    // newest, 30.00).
    QVERIFY(t.rows[4].cells[0].best && !t.rows[3].cells[0].best && !t.rows[0].cells[0].best);
    QVERIFY(t.rows[3].cells[1].best && t.rows[6].cells[1].best &&
            t.rows[7].cells[1].best);  // 2-bit alone; 3-bit tie

    sources[1].model.fingerprint = "another";
    INVX_VERIFY_MESSAGE(test::errorOf([&] { buildResultsTable(sources); }), "one model",
                        "/r/rtn.h5", "/r/gptq-a.h5");
    INVX_VERIFY_MESSAGE(test::errorOf([&] { parseResultsFormat("html"); }),
                        "markdown, latex or csv", "'html'");
}

void TestExperimentFile::h5dumpReadsIt() {
    const QString h5dump = QStandardPaths::findExecutable(QStringLiteral("h5dump"));
    if (h5dump.isEmpty()) QSKIP("h5dump is not installed (Debian: hdf5-tools)");
    {
        ExperimentFile f =
            ExperimentFile::create(path("d.h5"), SearchSettings{}, identity(), calibration());
        f.appendSteps({stepRecord(1), stepRecord(2)});
        f.appendCheckpoint(checkpointAt(2));
        f.publish();
    }
    QProcess p;
    p.start(h5dump,
            {QStringLiteral("-d"), QStringLiteral("/steps"), QString::fromStdString(path("d.h5"))});
    QVERIFY(p.waitForFinished(30000));
    QCOMPARE(p.exitCode(), 0);
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    QVERIFY2(out.contains("\"recent_acceptance_rate\"") && out.contains("H5T_COMPOUND"),
             qPrintable(out));
    QVERIFY(out.contains("1.0999"));  // loss of step 1 (1.1 - 1e-4)
}

QTEST_GUILESS_MAIN(TestExperimentFile)
#include "tst_experiment_file.moc"
