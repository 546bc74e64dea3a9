// The inspectors drawing a layer with known numbers: histograms, outlier maps, the permutation,
// a neuron, attention matrices, and their exports; a run whose model is not here, from its file
// alone; the device choice; what empty plots say.
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>
#include <numeric>
#include <random>
#include <set>

#include "curve-plot.h"
#include "experiment-folder.h"
#include "file-layer-inspection.h"
#include "group-map-plot.h"
#include "inspector-view.h"
#include "layer-statistics.h"
#include "run-data.h"
#include "run-loader.h"
#include "synthetic-layer.h"

using namespace invx;
using namespace invx::gui;
using invx::test::syntheticMatrix;

namespace {

// A source that answers nothing and records what it was asked, with the devices a test gives it.
class RecordingSource : public LayerInspectorSource {
  public:
    explicit RecordingSource(QStringList devices) : devices_(std::move(devices)) {}
    void request(const QString& experiment, std::int64_t, int) override { asked << experiment; }
    QStringList devices() const override { return devices_; }
    void setDevice(const QString& device) override { device_ = device; }
    QString device_;
    QStringList asked;

  private:
    QStringList devices_;
};

}  // namespace

class TestInspectorView : public QObject {
    Q_OBJECT

    test::ExperimentFolder folder_;

  private Q_SLOTS:
    void inspectorDrawsTheCoresNumbers();
    void aRunWithoutItsModelShowsWhatTheFileHolds();
    void theDeviceIsOfferedOnlyWhereThereIsAChoice();
    void emptyPlotsSayWhatWillAppear();
    void perLayerAxesStayReadable_data();
    void perLayerAxesStayReadable();
};

void TestInspectorView::inspectorDrawsTheCoresNumbers() {
    LayerInspection i;
    i.experiment = "synthetic.h5";
    i.checkpoint = 2;
    i.checkpointCount = 3;
    // A layer of FFN width 64 on a hidden width of 32: fc1 [64, 32], fc2 [32, 64], groups of 16.
    i.start.fc1 = syntheticMatrix("fc1", 64, 32, 16, 0);
    i.start.fc2 = syntheticMatrix("fc2", 32, 64, 16, 0);
    i.now.fc1 = syntheticMatrix("fc1", 64, 32, 16, 0.25f);
    i.now.fc2 = syntheticMatrix("fc2", 32, 64, 16, 0.25f);
    i.now.step = 40;
    i.now.layer = 1;
    i.now.invariance = LayerInvariance::identity(64);
    std::mt19937 random(3);
    std::shuffle(i.now.invariance.permutation.begin(), i.now.invariance.permutation.end(), random);
    i.invariance = {0, 1.5e-6, 0.25};
    for (const char* name : {"q_proj", "k_proj", "v_proj", "out_proj"})
        i.attention.push_back(syntheticMatrix(name, 32, 32, 16, 0.5f));
    i.positionChanges.assign(64, 0.0);
    i.positionChanges[5] = 3;
    InspectorView view;
    view.resize(1400, 900);
    view.display(i);
    // Histograms: every weight counted once (log counts off: empty bins stay zero).
    for (QCheckBox* box : view.findChildren<QCheckBox*>())
        if (box->text() == "log counts") box->setChecked(false);
    for (const Curve& c : view.histogramPlot()->curves())
        QCOMPARE(std::accumulate(c.y.begin(), c.y.end() - 1, 0.0), double(64 * 32));
    for (const Curve& c : view.errorPlot()->curves())
        QCOMPARE(std::accumulate(c.y.begin(), c.y.end() - 1, 0.0), double(64 * 32));
    // The outlier map's cells are the core's per-group numbers (here: the mean squared error).
    for (std::int64_t r = 0; r < 64; ++r)
        for (std::int64_t g = 0; g < 2; ++g) {
            QCOMPARE(view.afterMap()->cell(r, g),
                     double(i.now.fc1.groupError[std::size_t(r * 2 + g)]));
            QCOMPARE(view.beforeMap()->cell(r, g),
                     double(i.start.fc1.groupError[std::size_t(r * 2 + g)]));
        }
    QVERIFY(view.afterMap()->outlinedCount() >= 1);  // the cells above the 99th percentile
    QCOMPARE(view.afterMap()->map()->dataRange(),
             view.beforeMap()->map()->dataRange());  // one colour scale
    // The permutation inspector shows the stored mapping.
    const Curve& moved = view.displacementPlot()->curves().front();
    QCOMPARE(moved.y.size(), std::size_t(64));
    for (std::size_t k = 0; k < 64; ++k)
        QCOMPARE(std::int64_t(moved.y[k]), i.now.invariance.permutation[k]);
    QVERIFY(view.invarianceText().contains("2: 0.25"));
    double angleCount = 0;
    for (std::size_t k = 0; k + 1 < view.anglesPlot()->curves().front().y.size(); ++k)
        angleCount += view.anglesPlot()->curves().front().y[k];
    QCOMPARE(angleCount, 32.0);  // one per neuron pair
    // The timeline marks the accepted steps at their layers.
    view.setAcceptedSteps({1, 2, 3, 4}, {0, 2, 1, 2}, {1, 0, 0, 1});
    QCOMPARE(view.timelinePlot()->curves().front().x, (std::vector<double>{1, 4}));
    QCOMPARE(view.timelinePlot()->curves().front().y, (std::vector<double>{0, 2}));
    // A clicked group: its 16 weights before and after, and their quantized values.
    view.showGroup(3, 1);
    const std::vector<Curve>& group = view.groupPlot()->curves();
    QCOMPARE(group.back().y.size(), std::size_t(16));
    QCOMPARE(group.back().y.front(), double(i.now.fc1.transformed[3 * 32 + 16]));
    // Its grid: one line per level the 16 quantized weights take, before and after.
    std::set<float> levels(i.now.fc1.quantized.begin() + 3 * 32 + 16,
                           i.now.fc1.quantized.begin() + 3 * 32 + 32);
    std::set<float> drawn;
    for (const Curve& c : group)
        if (c.name == "grid after") drawn.insert(float(c.y.front()));
    QVERIFY(drawn == levels);
    // How often each position changed, as the core counted it.
    QCOMPARE(view.positionChangesPlot()->curves().front().y, i.positionChanges);
    // The invariance check per layer.
    QCOMPARE(view.invariancePlot()->bars().front().values[2], 0.25);
    // The error reduction: before's error minus now's, beside the error before the search.
    view.findChild<QComboBox*>("quantity")->setCurrentIndex(int(GroupQuantity::ErrorReduction));
    QCOMPARE(view.afterMap()->cell(5, 1),
             double(i.start.fc1.groupError[5 * 2 + 1]) - double(i.now.fc1.groupError[5 * 2 + 1]));
    QCOMPARE(view.beforeMap()->cell(5, 1), double(i.start.fc1.groupError[5 * 2 + 1]));
    QCOMPARE(view.afterMap()->map()->dataRange().lower,
             -view.afterMap()->map()->dataRange().upper);  // centred on zero
    view.findChild<QComboBox*>("quantity")->setCurrentIndex(int(GroupQuantity::Error));

    // A neuron: its fc1 row and fc2 column before (at its own index) and after (where it went).
    const std::int64_t neuron = 9;
    const std::int64_t position = std::find(i.now.invariance.permutation.begin(),
                                            i.now.invariance.permutation.end(), neuron) -
                                  i.now.invariance.permutation.begin();
    view.showNeuron(neuron);
    QCOMPARE(view.selectedNeuron(), neuron);
    QVERIFY2(
        view.neuronText().contains(QStringLiteral("position %1 → %2").arg(neuron).arg(position)),
        qPrintable(view.neuronText()));
    const Curve& rowAfter = view.neuronRowPlot()->curves()[1];
    QCOMPARE(rowAfter.y.size(), std::size_t(32));
    for (std::size_t k = 0; k < 32; ++k) {
        QCOMPARE(rowAfter.y[k], double(i.now.fc1.transformed[std::size_t(position) * 32 + k]));
        QCOMPARE(view.neuronRowPlot()->curves()[0].y[k],
                 double(i.start.fc1.transformed[std::size_t(neuron) * 32 + k]));
    }
    const Curve& columnAfter = view.neuronColumnPlot()->curves()[1];
    QCOMPARE(columnAfter.y.size(), std::size_t(32));
    for (std::size_t r = 0; r < 32; ++r)
        QCOMPARE(columnAfter.y[r], double(i.now.fc2.transformed[r * 64 + std::size_t(position)]));
    // Its groups' errors: fc1's two groups of its row, then fc2's groups holding its column (mean).
    const auto& bars = view.neuronErrorPlot()->bars();
    QCOMPARE(bars.size(), std::size_t(2));
    QCOMPARE(bars[1].values.size(), std::size_t(3));
    QCOMPARE(bars[1].values[1], double(i.now.fc1.groupError[std::size_t(position) * 2 + 1]));
    QCOMPARE(bars[0].values[0], double(i.start.fc1.groupError[std::size_t(neuron) * 2]));
    double fc2Mean = 0;
    for (std::size_t r = 0; r < 32; ++r)
        fc2Mean += double(i.now.fc2.groupError[r * 4 + std::size_t(position) / 16]) / 32;
    QCOMPARE(float(bars[1].values[2]), float(fc2Mean));
    // A click on the permutation map picks the neuron at that position.
    CurvePlot* moves = view.displacementPlot();
    moves->replot();
    const QPoint at(int(moves->xAxis->coordToPixel(20)), moves->axisRect()->center().y());
    QTest::mouseClick(moves, Qt::LeftButton, {}, at);
    QCOMPARE(
        view.selectedNeuron(),
        i.now.invariance.permutation[std::size_t(std::lround(moves->xAxis->pixelToCoord(at.x())))]);

    // Attention matrices: the search leaves them, so before = after and there is no "transformed".
    view.selectMatrix("k_proj");
    QCOMPARE(view.histogramPlot()->curves().size(), std::size_t(2));
    for (const Curve& c : view.histogramPlot()->curves())
        QCOMPARE(std::accumulate(c.y.begin(), c.y.end() - 1, 0.0), double(32 * 32));
    QCOMPARE(view.afterMap()->cell(7, 1), double(i.attention[1].groupError[7 * 2 + 1]));
    QCOMPARE(view.beforeMap()->cell(7, 1), view.afterMap()->cell(7, 1));
    QVERIFY(view.groupPlot()->curves().empty());  // the group clicked was fc1's
    view.selectMatrix("fc1");
    view.showGroup(3, 1);

    // Every view exports like the curves; the screen keeps its style (the title stays).
    const int layoutElements = view.histogramPlot()->plotLayout()->elementCount();
    QTemporaryDir out;
    const QStringList written =
        view.exportFigures(out.path(), {"pdf", "svg", "png", "csv"}, "icml-column");
    QCOMPARE(written.size(), 14 * 4);
    QVERIFY(written.contains(out.filePath("neuron-%1-fc1-row.svg").arg(view.selectedNeuron())));
    QCOMPARE(view.histogramPlot()->plotLayout()->elementCount(), layoutElements);
    QFile map(out.filePath("fc1-map-after.csv"));
    QVERIFY(map.open(QIODevice::ReadOnly));
    const QList<QByteArray> rows = map.readAll().trimmed().split('\n');
    QCOMPARE(rows.size(), 1 + 64 * 2);
    QCOMPARE(rows[1].split(',')[2].toDouble(), double(i.now.fc1.groupError[0]));
    QCOMPARE(QImage(out.filePath("permutation.png")).size(), QSize(975, 675));
    QFile pdf(out.filePath("fc1-map-before.pdf"));
    QVERIFY(pdf.open(QIODevice::ReadOnly) && pdf.read(5) == "%PDF-");
}

void TestInspectorView::aRunWithoutItsModelShowsWhatTheFileHolds() {
    test::SyntheticRun run;
    run.steps = 90;
    run.layers = 3;
    run.checkpoints = 3;
    const QString path = folder_.synthetic("no-model.h5", run);
    const QString reason = "model directory 'synthetic' not found";
    const LayerInspection last = inspectFromFile(path, -1, 1, reason);
    QCOMPARE(last.checkpoint, std::int64_t(2));
    QCOMPARE(last.checkpointCount, std::int64_t(3));
    QCOMPARE(last.now.step, std::int64_t(90));
    QVERIFY(!last.hasWeights());
    QCOMPARE(last.missingModel, QString("synthetic"));
    // Layer 1 moves every position by 2 at each checkpoint: each changed at all of them so far.
    QCOMPARE(last.positionChanges, std::vector<double>(16, 3.0));
    QCOMPARE(inspectFromFile(path, 0, 1, reason).positionChanges, std::vector<double>(16, 1.0));
    QVERIFY_THROWS_EXCEPTION(std::exception, inspectFromFile(path, 0, 3, reason));

    InspectorView view;
    view.resize(1400, 900);
    const RunData data = loadRun(path);
    view.setAcceptedSteps(data.step, data.layer, data.accepted);
    view.display(last);
    // One line says what needs the model; the reason is behind it.
    QVERIFY2(view.modelNote().startsWith("The model synthetic is not on this machine: the weights "
                                         "histograms, outlier maps"),
             qPrintable(view.modelNote()));
    QVERIFY(view.findChild<QLabel*>("modelNote")->toolTip().contains(reason));
    QVERIFY(view.invarianceText().isEmpty());
    // What the file holds: the permutation, the changes, the scales and angles, the timeline.
    const LayerInvariance state = test::checkpointState(2, 1);
    const Curve& moved = view.displacementPlot()->curves().front();
    QCOMPARE(moved.y.size(), std::size_t(16));
    for (std::size_t k = 0; k < 16; ++k) QCOMPARE(std::int64_t(moved.y[k]), state.permutation[k]);
    QCOMPARE(view.positionChangesPlot()->curves().front().y, std::vector<double>(16, 3.0));
    auto counted = [](const CurvePlot* plot) {
        const std::vector<double>& y = plot->curves().front().y;
        return std::accumulate(y.begin(), y.end() - 1, 0.0);
    };
    QCOMPARE(counted(view.scalesPlot()), 16.0);
    QCOMPARE(counted(view.anglesPlot()), 8.0);
    QCOMPARE(view.timelinePlot()->curves().front().x.size(), std::size_t(30));  // every third step
    for (CurvePlot* plot : {view.displacementPlot(), view.scalesPlot(), view.timelinePlot()})
        QVERIFY(!plot->showsEmptyText());
    // The views that need the weights say so instead of drawing empty axes.
    for (CurvePlot* plot : {view.histogramPlot(), view.errorPlot(), view.invariancePlot(),
                            view.groupPlot(), view.neuronRowPlot(), view.neuronErrorPlot()})
        QVERIFY(plot->showsEmptyText());
    QVERIFY(view.beforeMap()->showsEmptyText() && view.afterMap()->showsEmptyText());
    // A neuron: where it went, its scale and angle, from the state alone.
    view.showNeuron(5);  // position i holds (i + 6) % 16: neuron 5 is at 15
    QVERIFY2(view.neuronText().startsWith("neuron 5: position 5 → 15, scale 0.707"),
             qPrintable(view.neuronText()));
    // Only views with something in them are exported.
    QTemporaryDir out;
    const QStringList written = view.exportFigures(out.path(), {"csv"}, "icml-column");
    QCOMPARE(written.size(), 5);
    QVERIFY(written.contains(out.filePath("permutation.csv")));
    // A layer with its weights takes the line away again.
    LayerInspection full;
    full.experiment = path;
    full.checkpointCount = 1;
    full.start.fc1 = full.now.fc1 = test::syntheticMatrix("fc1", 16, 8, 8, 0);
    full.start.fc2 = full.now.fc2 = test::syntheticMatrix("fc2", 8, 16, 8, 0);
    full.now.invariance = LayerInvariance::identity(16);
    full.device = "cpu";
    view.display(full);
    QVERIFY(view.modelNote().isEmpty());
    QVERIFY(!view.histogramPlot()->showsEmptyText() && !view.afterMap()->showsEmptyText());
}

void TestInspectorView::theDeviceIsOfferedOnlyWhereThereIsAChoice() {
    RecordingSource cpuOnly({"cpu"});
    InspectorView plain;
    plain.setSource(&cpuOnly);
    auto* combo = plain.findChild<QComboBox*>("inspectorDevice");
    QVERIFY(combo && !combo->isEnabled());
    QCOMPARE(cpuOnly.device_, QString("cpu"));

    RecordingSource withGpu({"cpu", "cuda"});
    InspectorView view;
    view.setSource(&withGpu);
    combo = view.findChild<QComboBox*>("inspectorDevice");
    QVERIFY(combo->isEnabled());
    QCOMPARE(view.device(), QString("cpu"));  // a run made on a GPU opens on the CPU
    view.setExperiment("run.h5", {10, 20}, 3);
    QCOMPARE(withGpu.asked.size(), 1);
    view.selectDevice("cuda");
    QCOMPARE(withGpu.device_, QString("cuda"));
    QCOMPARE(withGpu.asked.size(), 2);  // asked again, now there
}

void TestInspectorView::emptyPlotsSayWhatWillAppear() {
    InspectorView view;
    view.resize(1400, 900);
    for (CurvePlot* plot :
         {view.histogramPlot(), view.errorPlot(), view.invariancePlot(), view.groupPlot(),
          view.displacementPlot(), view.positionChangesPlot(), view.scalesPlot(), view.anglesPlot(),
          view.timelinePlot(), view.neuronRowPlot(), view.neuronColumnPlot(),
          view.neuronErrorPlot()}) {
        QVERIFY(plot->showsEmptyText());
        QVERIFY(!plot->xAxis->visible());  // no 0-5 axes of nothing
    }
    QVERIFY(view.beforeMap()->showsEmptyText() && !view.beforeMap()->colourScale()->visible());
}

void TestInspectorView::perLayerAxesStayReadable_data() {
    QTest::addColumn<int>("layers");
    QTest::addColumn<int>("every");
    QTest::newRow("40 layers: every 5th labelled") << 40 << 5;
    QTest::newRow("80 layers: every 10th labelled") << 80 << 10;
}

void TestInspectorView::perLayerAxesStayReadable() {
    QFETCH(int, layers);
    QFETCH(int, every);
    LayerInspection i;
    i.start.fc1 = i.now.fc1 = test::syntheticMatrix("fc1", 16, 8, 8, 0);
    i.start.fc2 = i.now.fc2 = test::syntheticMatrix("fc2", 8, 16, 8, 0);
    i.now.invariance = LayerInvariance::identity(16);
    i.invariance.fill(1e-6, layers);
    InspectorView view;
    view.resize(1400, 900);
    view.display(i);
    // The invariance check: one bar per layer, a label every 5th or 10th, a sub-tick at each.
    auto ticker = view.invariancePlot()->xAxis->ticker().dynamicCast<QCPAxisTickerText>();
    QVERIFY(ticker);
    QCOMPARE(ticker->ticks().size(), layers / every);
    QCOMPARE(ticker->ticks().value(double(every)), QString("layer %1").arg(every));
    // The accepted changes per layer: whole layers, a handful of labels.
    std::vector<double> step;
    std::vector<int> layer;
    for (int l = 0; l < layers; ++l) step.push_back(l + 1), layer.push_back(l);
    view.setAcceptedSteps(step, layer, std::vector<std::uint8_t>(step.size(), 1));
    view.timelinePlot()->replot();
    const QVector<double> ticks = view.timelinePlot()->yAxis->tickVector();
    QVERIFY2(ticks.size() >= 3 && ticks.size() <= 12, qPrintable(QString::number(ticks.size())));
    for (double t : ticks) QCOMPARE(t, std::round(t));
}

QTEST_MAIN(TestInspectorView)
#include "tst_inspector_view.moc"
