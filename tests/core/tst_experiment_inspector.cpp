// ExperimentInspector: any layer at any checkpoint, rebuilt as the search built it, and the
// invariance check (the transformed, unquantized model computes what the original does).
#include <hdf5.h>

#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <random>

#include "invx/compute-devices.h"
#include "invx/experiment-file.h"
#include "invx/experiment-inspector.h"
#include "invx/search-run.h"
#include "test-support.h"

using namespace invx;

namespace {

class Quiet : public SearchObserver {};

// Mean squared difference per row and group, computed here from the snapshot's own weights.
std::vector<float> groupErrors(const WeightSnapshot& w) {
    std::vector<float> out;
    for (std::int64_t r = 0; r < w.rows; ++r)
        for (std::int64_t g = 0; g < w.cols / w.groupSize; ++g) {
            double sum = 0;
            for (std::int64_t c = g * w.groupSize; c < (g + 1) * w.groupSize; ++c) {
                const double d = double(w.quantized[std::size_t(r * w.cols + c)]) -
                                 double(w.transformed[std::size_t(r * w.cols + c)]);
                sum += d * d;
            }
            out.push_back(float(sum / double(w.groupSize)));
        }
    return out;
}

}  // namespace

void verifyAttentionIsRoundedInput(ExperimentInspector& inspector, int layer);

class TestExperimentInspector : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    test::SearchFixture fixture_;
    QString run_;

  private Q_SLOTS:
    void initTestCase();
    void layerAtTheLastCheckpointIsTheRecordedSnapshot();
    void groupErrorsAreTheWeightsOwn();
    void attentionIsTheBaseQuantization();
    void positionChangesCountTheCheckpointsThatMovedANeuron();
    void permutationAndScalingLeaveTheFunctionUnchanged();
    void refusesWhatIsNotThere();
    void aRunMadeOnAGpuIsInspectedOnTheCpu();
};

void TestExperimentInspector::initTestCase() {
    fixture_ = test::writeSearchFixture(dir_.path().toStdString());
    run_ = dir_.filePath("run.h5");
    SearchRunRequest r = test::fixtureSearchRequest(fixture_, run_.toStdString(), 40);
    r.settings.checkpointEverySteps = 10;
    r.snapshotLayers = {0, 2};
    Quiet quiet;
    SearchControl control;
    runSearch(r, quiet, control);
}

void TestExperimentInspector::layerAtTheLastCheckpointIsTheRecordedSnapshot() {
    ExperimentInspector inspector(run_.toStdString());
    QCOMPARE(inspector.layers(), 3);
    const ExperimentFile file = ExperimentFile::open(run_.toStdString(), false);
    QVERIFY(inspector.checkpointCount() >= 4);
    QCOMPARE(inspector.checkpointStep(-1), std::int64_t(40));
    int compared = 0;
    for (std::int64_t i = 0; i < file.snapshotCount(); ++i) {
        const LayerSnapshot recorded = file.snapshot(i);
        if (recorded.step != 40) continue;  // the snapshots at the end of the run
        const LayerSnapshot rebuilt = inspector.inspectLayer(-1, recorded.layer);
        QCOMPARE(rebuilt.step, std::int64_t(40));
        QCOMPARE(rebuilt.layer, recorded.layer);
        QVERIFY(rebuilt.invariance == recorded.invariance);
        for (const auto& [a, b] :
             {std::pair{&rebuilt.fc1, &recorded.fc1}, std::pair{&rebuilt.fc2, &recorded.fc2}}) {
            QCOMPARE(a->rows, b->rows);
            QVERIFY(a->original == b->original);
            QVERIFY(a->transformed == b->transformed);
            QVERIFY(a->quantized == b->quantized);  // bit for bit: built as the search built it
            QVERIFY(a->groupMin == b->groupMin && a->groupMax == b->groupMax &&
                    a->groupError == b->groupError);
        }
        ++compared;
    }
    QCOMPARE(compared, 2);
    // A layer the search changed differs from its original; one at an earlier checkpoint has the
    // state recorded there.
    const LayerSnapshot first = inspector.inspectLayer(0, 1);
    QVERIFY(first.invariance == file.checkpoint(0).layers[1]);
    // Before the search: the identity state, whose quantized weights are the recorded start
    // snapshot's.
    for (std::int64_t i = 0; i < file.snapshotCount(); ++i) {
        const LayerSnapshot recorded = file.snapshot(i);
        if (recorded.step != 0) continue;
        const LayerSnapshot start = inspector.inspectStart(recorded.layer);
        QVERIFY(start.invariance == LayerInvariance::identity(128));
        QVERIFY(start.fc1.quantized == recorded.fc1.quantized &&
                start.fc2.quantized == recorded.fc2.quantized);
    }
}

void TestExperimentInspector::groupErrorsAreTheWeightsOwn() {
    ExperimentInspector inspector(run_.toStdString());
    const LayerSnapshot s = inspector.inspectLayer(-1, 1);
    for (const WeightSnapshot* w : {&s.fc1, &s.fc2}) {
        const std::vector<float> expected = groupErrors(*w);
        QCOMPARE(w->groupError.size(), expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i)
            QVERIFY2(
                std::abs(w->groupError[i] - expected[i]) <= 1e-6f * std::max(1.0f, expected[i]),
                w->name.c_str());
        QCOMPARE(std::int64_t(w->original.size()), w->rows * w->cols);
    }
}

// Each attention matrix is what round-to-nearest made of its `transformed` weights: at most
// `levels` values per group, each within half a grid step of its weight, and the group errors are
// the weights' own. Over AWQ this holds only for the scaled and clipped weights the base quantized.
void verifyAttentionIsRoundedInput(ExperimentInspector& inspector, int layer) {
    const int levels = 1 << inspector.settings().quant.bits;
    // AWQ in float16 quantizes in float16 arithmetic: w / scale and the scale itself are rounded to
    // float16 (2^-11 relative) first, which can move a weight past the half step by a few
    // thousandths.
    const bool float16 =
        inspector.settings().base == "awq" && inspector.settings().awqPrecision == "float16";
    const float slack = float16 ? 1.01f : 1.001f;
    const std::vector<WeightSnapshot> attention = inspector.inspectAttention(layer);
    QCOMPARE(attention.size(), std::size_t(4));
    const char* names[] = {"q_proj", "k_proj", "v_proj", "out_proj"};
    for (std::size_t m = 0; m < 4; ++m) {
        const WeightSnapshot& w = attention[m];
        QCOMPARE(QString::fromStdString(w.name), QString::fromLatin1(names[m]));
        QCOMPARE(w.rows, std::int64_t(32));  // the fixture's hidden width
        QCOMPARE(w.cols, std::int64_t(32));
        QVERIFY(w.original == w.transformed);  // the search leaves attention alone
        QVERIFY(w.quantized != w.transformed);
        const std::vector<float> expected = groupErrors(w);
        for (std::int64_t r = 0; r < w.rows; ++r)
            for (std::int64_t g = 0; g < w.cols / w.groupSize; ++g) {
                const std::size_t cell = std::size_t(r * (w.cols / w.groupSize) + g);
                QVERIFY(std::abs(w.groupError[cell] - expected[cell]) <=
                        1e-6f * std::max(1.0f, expected[cell]));
                std::vector<float> values;
                const float step = (w.groupMax[cell] - w.groupMin[cell]) / float(levels - 1);
                for (std::int64_t c = g * w.groupSize; c < (g + 1) * w.groupSize; ++c) {
                    const std::size_t i = std::size_t(r * w.cols + c);
                    values.push_back(w.quantized[i]);
                    QVERIFY2(
                        std::abs(w.quantized[i] - w.transformed[i]) <= 0.5f * step * slack + 1e-6f,
                        names[m]);
                }
                std::sort(values.begin(), values.end());
                QVERIFY(std::unique(values.begin(), values.end()) - values.begin() <= levels);
            }
    }
}

void TestExperimentInspector::attentionIsTheBaseQuantization() {
    ExperimentInspector rtn(run_.toStdString());
    verifyAttentionIsRoundedInput(rtn, 2);
    if (QTest::currentTestFailed()) return;
    INVX_VERIFY_MESSAGE(test::errorOf([&] { rtn.inspectAttention(3); }), "run.h5", "layers 0 to 2");

    const QString awqRun = dir_.filePath("awq.h5");
    SearchRunRequest r = test::fixtureSearchRequest(fixture_, awqRun.toStdString(), 3);
    r.settings.base = "awq";
    r.settings.baseCalibrationSamples = 8;  // the fixture's corpus is small
    Quiet quiet;
    SearchControl control;
    runSearch(r, quiet, control);
    ExperimentInspector awq(awqRun.toStdString());
    verifyAttentionIsRoundedInput(awq, 1);
    // The scaled weights, not the original ones: AWQ moved q/k/v's columns.
    QVERIFY(awq.inspectAttention(1)[0].original != rtn.inspectAttention(1)[0].original);
}

void TestExperimentInspector::positionChangesCountTheCheckpointsThatMovedANeuron() {
    const QString copy = dir_.filePath("moves.h5");
    QVERIFY(QFile::copy(run_, copy));
    const int layer = 1;
    // Counted here through the whole-checkpoint reader, not the per-layer one under test.
    auto counted = [&](std::int64_t upTo) {
        const ExperimentFile file = ExperimentFile::open(copy.toStdString(), false);
        std::vector<std::int64_t> previous = LayerInvariance::identity(128).permutation,
                                  counts(128, 0);
        for (std::int64_t c = 0; c <= upTo; ++c) {
            const std::vector<std::int64_t> now = file.checkpoint(c).layers[layer].permutation;
            for (std::size_t i = 0; i < 128; ++i) counts[i] += now[i] != previous[i];
            previous = now;
        }
        return counts;
    };
    std::int64_t searched = 0;
    {
        ExperimentFile file = ExperimentFile::open(copy.toStdString(), true);
        searched = file.checkpointCount();
        SearchCheckpoint c = file.checkpoint(-1);
        std::vector<std::int64_t>& p = c.layers[layer].permutation;
        c.step += 1;
        std::swap(p[3], p[5]);
        file.appendCheckpoint(c);  // 3 and 5 change
        c.step += 1;
        file.appendCheckpoint(c);  // nothing changes
        c.step += 1;
        std::swap(p[3], p[5]);
        std::swap(p[7], p[8]);
        file.appendCheckpoint(c);  // 3 and 5 change back, 7 and 8 change
    }
    ExperimentInspector inspector(copy.toStdString());
    const std::vector<std::int64_t> before = inspector.positionChanges(layer, searched - 1);
    QVERIFY(before == counted(searched - 1));
    QVERIFY(std::accumulate(before.begin(), before.end(), std::int64_t(0)) >
            0);  // the search moved neurons
    const std::vector<std::int64_t> after = inspector.positionChanges(layer, -1);
    QVERIFY(after == counted(searched + 2));
    for (std::size_t i = 0; i < 128; ++i) {
        const std::int64_t expected = (i == 3 || i == 5) ? 2 : (i == 7 || i == 8) ? 1 : 0;
        QCOMPARE(after[i] - before[i], expected);
    }
    INVX_VERIFY_MESSAGE(test::errorOf([&] { inspector.positionChanges(layer, searched + 3); }),
                        "moves.h5", "checkpoints 0 to");
}

void TestExperimentInspector::permutationAndScalingLeaveTheFunctionUnchanged() {
    // Checkpoints written here with chosen states: P+S in every layer, then rotations in layer 1.
    const std::int64_t ffn = 128;
    SearchCheckpoint ps = ExperimentFile::open(run_.toStdString(), false).checkpoint(-1);
    std::mt19937 random(7);
    std::uniform_real_distribution<float> scale(0.5f, 2.0f);
    for (LayerInvariance& l : ps.layers) {
        l = LayerInvariance::identity(ffn);
        std::shuffle(l.permutation.begin(), l.permutation.end(), random);
        for (float& s : l.scales) s = scale(random);
    }
    ps.step = 1000;
    SearchCheckpoint rotated = ps;
    rotated.step = 1001;
    for (float& a : rotated.layers[1].angles) a = 0.3f;
    {
        ExperimentFile file = ExperimentFile::open(run_.toStdString(), true);
        file.appendCheckpoint(ps);
        file.appendCheckpoint(rotated);
    }
    ExperimentInspector inspector(run_.toStdString());
    const std::int64_t n = inspector.checkpointCount();
    const std::vector<double> psCheck = inspector.invarianceCheck(n - 2);
    QCOMPARE(psCheck.size(), std::size_t(3));
    for (double d : psCheck) QVERIFY2(d < 1e-4, qPrintable(QString::number(d)));
    const std::vector<double> rCheck = inspector.invarianceCheck(n - 1);
    QVERIFY2(rCheck[0] < 1e-4, qPrintable(QString::number(rCheck[0])));  // before the rotated layer
    QVERIFY2(rCheck[1] > 1e-3,
             qPrintable(QString::number(rCheck[1])));  // rotation does not commute with ReLU
    QVERIFY(rCheck[2] > 1e-3);                         // and its change carries on
}

void TestExperimentInspector::refusesWhatIsNotThere() {
    ExperimentInspector inspector(run_.toStdString());
    INVX_VERIFY_MESSAGE(test::errorOf([&] { inspector.inspectLayer(-1, 3); }), "run.h5",
                        "layers 0 to 2");
    INVX_VERIFY_MESSAGE(test::errorOf([&] { inspector.inspectLayer(999, 0); }), "run.h5",
                        "checkpoints 0 to");
    INVX_VERIFY_MESSAGE(
        test::errorOf([&] { ExperimentInspector(dir_.filePath("missing.h5").toStdString()); }),
        "missing.h5", "does not exist");
}

namespace {

// Rewrites a string attribute of /model, as a file written on another machine would hold it.
void setModelAttribute(const std::string& path, const char* name, const std::string& value) {
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    QVERIFY(file >= 0);
    H5Adelete_by_name(file, "/model", name, H5P_DEFAULT);
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t attr =
        H5Acreate_by_name(file, "/model", name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const char* text = value.c_str();
    QVERIFY(H5Awrite(attr, type, &text) >= 0);
    H5Aclose(attr), H5Sclose(space), H5Tclose(type), H5Fclose(file);
}

}  // namespace

void TestExperimentInspector::aRunMadeOnAGpuIsInspectedOnTheCpu() {
    // A run made on a GPU (float16) opened where there is none: inspected on the CPU in float32.
    const std::string copy = dir_.filePath("made-on-cuda.h5").toStdString();
    std::filesystem::copy_file(run_.toStdString(), copy);
    setModelAttribute(copy, "device", "cuda:0");
    setModelAttribute(copy, "dtype", "float16");
    const std::vector<std::string> devices = availableDevices();
    const bool gpu = std::find(devices.begin(), devices.end(), "cuda") != devices.end();
    ExperimentInspector inspector(copy);
    QCOMPARE(inspector.device(), std::string(gpu ? "cuda:0" : "cpu"));
    QCOMPARE(inspector.dtype(), std::string(gpu ? "float16" : "float32"));
    const std::vector<double> check = inspector.invarianceCheck(-1);
    QCOMPARE(check.size(), std::size_t(3));
    for (double d : check) QVERIFY(std::isfinite(d));
    // Asked for by name, the CPU is where it runs, in any case.
    QCOMPARE(ExperimentInspector(copy, "", "cpu").device(), std::string("cpu"));
}

QTEST_GUILESS_MAIN(TestExperimentInspector)
#include "tst_experiment_inspector.moc"
