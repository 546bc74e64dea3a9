// Takes the workbench's documentation screenshots on a real X server (run under xvfb-run by
// tools/workbench-screenshots.sh): the live view of a demo-model search, an ablation's runs
// compared (two settings as seed groups, with their figures for a paper), the inspectors (also on a
// run whose model is not on this machine), the Experiments dock with a run that was killed, and a
// finished study of the paper's Table 2 evaluated on C4 and the six tasks. Each is QWidget::grab()
// of the main window. `--only inspector-no-model`, `--only review` or `--only study` (after the
// directories) takes one alone.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFile>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTest>
#include <algorithm>
#include <cstdio>

#include "ablation-plan.h"
#include "ablation-view.h"
#include "inspector-view.h"
#include "inspector-worker.h"
#include "invx/experiment-file.h"
#include "layer-statistics.h"
#include "main-window.h"
#include "results-evaluation-worker.h"
#include "results-view.h"
#include "run-view.h"
#include "runs-table-model.h"
#include "search-settings-form.h"
#include "search-worker.h"
#include "study-presets.h"

using namespace invx::gui;

namespace {

bool waitFor(const std::function<bool()>& done, int seconds) {
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > seconds * 1000LL) return false;
        QTest::qWait(200);
    }
    return true;
}

void grab(MainWindow& window, const QString& path) {
    QTest::qWait(600);  // queued replots
    window.grab().save(path);
    std::printf("wrote %s\n", qPrintable(path));
}

// A run whose model is not on this machine: a short demo search on a copy of the demo model, the
// copy removed afterwards; the inspector then shows what the file alone holds.
bool inspectorWithoutModel(MainWindow& window, SearchWorker& worker, const QString& out,
                           const QString& work) {
    const QString path = QDir(work).filePath("no-model.h5");
    if (!QFileInfo::exists(path)) {
        const QString model = QDir(work).filePath("opt-demo-elsewhere");
        QDir().mkpath(model);
        const QDir demo(QStringLiteral(INVX_DEMO_MODEL_DIR));
        for (const QString& name : demo.entryList(QDir::Files))
            QFile::copy(demo.filePath(name), QDir(model).filePath(name));
        invx::SearchSettings s = SearchSettingsForm::presetSettings("demo");
        s.steps = 150;
        s.checkpointEverySteps = 15;
        window.form()->setSettings(s);
        window.form()->setModelPath(model);
        window.form()->setOutputPath(path);
        if (!window.startSearch()) return false;
        if (!waitFor([&] { return !worker.running(); }, 900)) return false;
        QDir(model).removeRecursively();
        window.form()->setModelPath(QStringLiteral("opt-demo"));
    }
    window.closeRuns();
    if (!window.openExperiment(path)) return false;
    for (const RunData* r : window.runsModel()->runs())
        if (r->path == path) window.inspectRun(r);
    InspectorView* view = window.inspectorView();
    view->findChild<QSpinBox*>(QStringLiteral("layer"))->setValue(1);
    if (!waitFor([&] { return view->shown().now.layer == 1 && !view->modelNote().isEmpty(); }, 120))
        return false;
    const std::vector<double>& changes = view->shown().positionChanges;
    const std::size_t busiest =
        std::size_t(std::max_element(changes.begin(), changes.end()) - changes.begin());
    view->showNeuron(view->shown().now.invariance.permutation[busiest]);
    view->selectTab(InspectorView::WeightsTab);  // to look at, not part of docs/
    grab(window, QDir(work).filePath("inspector-no-model-weights.png"));
    view->selectTab(InspectorView::MapsTab);
    grab(window, QDir(work).filePath("inspector-no-model-maps.png"));
    view->selectTab(InspectorView::PermutationTab);
    grab(window, QDir(out).filePath("workbench-inspector-no-model.png"));
    return true;
}

// The form refusing a group size the model's widths do not take, the status line of a paused demo
// search, and the inspector's tabs on that run once it has a checkpoint: to look at, in WORK_DIR
// (`--only review`).
bool formAndStatus(MainWindow& window, SearchWorker& worker, const QString& work) {
    invx::SearchSettings s = SearchSettingsForm::presetSettings("demo");
    s.quant.groupSize = 7;
    window.form()->setSettings(s);
    window.form()->setOutputPath(QDir(work).filePath("status.h5"));
    grab(window, QDir(work).filePath("form-group-7.png"));
    s.quant.groupSize = 128;
    window.form()->setSettings(s);
    QFile::remove(QDir(work).filePath("status.h5"));
    if (!window.startSearch()) return false;
    waitFor([&] { return window.liveRun() && window.liveRun()->stepCount() >= 20; }, 300);
    window.pauseOrResume();
    QTest::qWait(3000);
    grab(window, QDir(work).filePath("status-paused.png"));
    window.pauseOrResume();
    waitFor([&] { return window.liveRun() && !window.liveRun()->checkpointSteps.empty(); }, 300);
    window.inspectRun(window.liveRun());
    InspectorView* view = window.inspectorView();
    waitFor([&] { return view->shown().now.fc1.rows > 0; }, 300);
    for (auto [tab, name] : {std::pair{InspectorView::WeightsTab, "weights"},
                             std::pair{InspectorView::MapsTab, "maps"},
                             std::pair{InspectorView::PermutationTab, "permutation"}}) {
        view->selectTab(tab);
        grab(window, QDir(work).filePath(QStringLiteral("inspector-live-%1.png").arg(name)));
    }
    window.stopSearch();
    return waitFor([&] { return !worker.running(); }, 120);
}

// The paper's invariance ablation (its Table 2) over AWQ on the demo model, two seeds: eight runs
// of `steps` steps that calibrate AWQ (on 16 sequences) once, then each variant and the base
// measured on the first 40 windows of WikiText-2 and C4 and the first 100 items of the six tasks;
// the study's table with the runs open.
bool takeStudyTable(MainWindow& window, const SearchWorker& worker,
                    const ResultsEvaluationWorker& evaluator, const QString& out,
                    const QString& work, int steps) {
    invx::SearchSettings s = SearchSettingsForm::presetSettings("demo");
    s.steps = steps;
    s.evalEverySeconds = 15;
    // AWQ on 16 sequences, not 128: on this shared 2-core machine 128 took 8.7 minutes.
    s.baseCalibrationSamples = 16;
    window.form()->setSettings(s);
    const QString folder = QDir(work).filePath("study-invariances");
    const StudyPreset& preset = *findStudyPreset(QStringLiteral("invariances"));
    std::vector<AblationAxis> axes = preset.axes;
    for (const AblationAxis& a : seedAxis(2)) axes.push_back(a);
    QString error;
    const bool started =
        QFileInfo::exists(QDir(folder).filePath("ablation.json"))
            ? window.continueAblation(QDir(folder).filePath("ablation.json"), &error)
            : window.startAblation(axes, folder, &error,
                                   {preset.id, preset.fixed, AblationEvaluation::Quick});
    if (!started) {
        std::fprintf(stderr, "study: %s\n", qPrintable(error));
        return false;
    }
    QElapsedTimer clock;
    clock.start();
    if (!waitFor([&] { return window.ablation()->done() && !worker.running(); }, 3600))
        return false;
    std::printf("study: searches done in %.0f s\n", clock.elapsed() / 1000.0);
    QTest::qWait(500);
    if (!waitFor([&] { return !evaluator.running(); }, 3600)) return false;
    std::printf("study: evaluated in %.0f s in all\n", clock.elapsed() / 1000.0);
    window.closeRuns();
    for (const AblationVariant& v : window.ablation()->variants()) window.openExperiment(v.path);
    window.findChild<QTabWidget*>()->setCurrentWidget(window.ablationView());
    window.ablationView()->showStudyTable(true);
    grab(window, QDir(out).filePath("workbench-study-table.png"));
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(
        true);  // the screenshots' settings stay apart from the user's
    QSettings().clear();
    const QStringList args = app.arguments();
    if (args.size() < 3) {
        std::fprintf(
            stderr,
            "usage: workbench-screenshots OUT_DIR WORK_DIR [STEPS [RESULTS_DIR [study]]]\n");
        return 2;
    }
    const QString out = args[1], work = args[2];
    const int steps = args.size() > 3 && args[3].toInt() > 0 ? args[3].toInt() : 250;
    QDir().mkpath(out);
    const QString only = args.contains(QStringLiteral("--only"))
                             ? args.value(args.indexOf(QStringLiteral("--only")) + 1)
                             : QString();
    SearchWorker worker;
    InspectorWorker inspector;
    ResultsEvaluationWorker evaluator;
    MainWindow window(&worker, QStringLiteral(INVX_DEMO_MODEL_DIR), &inspector);
    window.setEvaluator(&evaluator);  // as invx-workbench: Results and studies
    window.setExperimentFolder(work);
    window.resize(1600, 1000);
    window.show();
    if (only == QLatin1String("inspector-no-model"))
        return inspectorWithoutModel(window, worker, out, work) ? 0 : 1;
    if (only == QLatin1String("review")) return formAndStatus(window, worker, work) ? 0 : 1;
    if (only == QLatin1String("study"))
        return takeStudyTable(window, worker, evaluator, out, work, steps) ? 0 : 1;
    if (!only.isEmpty()) {
        std::fprintf(stderr,
                     "workbench-screenshots: --only takes inspector-no-model, review or study\n");
        return 2;
    }

    // An ablation over the invariances, two seeds each, on the demo preset.
    invx::SearchSettings s = SearchSettingsForm::presetSettings("demo");
    s.steps = steps;
    s.evalEverySeconds = 15;
    window.form()->setSettings(s);
    const QString folder = QDir(work).filePath("ablation-invariances");
    QString error;
    if (!QFileInfo::exists(QDir(folder).filePath("ablation.json"))) {
        if (!window.startAblation({{"invariances", {"P", "S", "R", "PSR"}}, {"seed", {"0", "1"}}},
                                  folder, &error)) {
            std::fprintf(stderr, "ablation: %s\n", qPrintable(error));
            return 1;
        }
    } else if (!window.continueAblation(QDir(folder).filePath("ablation.json"), &error)) {
        std::fprintf(stderr, "ablation: %s\n", qPrintable(error));
        return 1;
    }
    if (!waitFor([&] { return window.ablation()->done() && !worker.running(); }, 3600)) return 1;
    window.closeRuns();
    for (const AblationVariant& v : window.ablation()->variants()) window.openExperiment(v.path);
    window.findChild<QTabWidget*>()->setCurrentIndex(0);

    // Two settings, two seeds each: a mean with its band per setting, the base method's line; and
    // their figures for a paper, which tools/workbench-screenshots.sh renders from the PDFs.
    window.closeRuns();
    for (const AblationVariant& v : window.ablation()->variants())
        if (v.values[0] == QLatin1String("P") || v.values[0] == QLatin1String("PSR"))
            window.openExperiment(v.path);
    auto* baselines = window.findChild<QAction*>(QStringLiteral("baselines"));
    baselines->setChecked(true);
    grab(window, QDir(out).filePath("workbench-compare-groups.png"));
    for (const char* preset : {"icml-column", "icml-double"})
        for (const QString& f : window.exportFigures(
                 QDir(work).filePath(QStringLiteral("figures-%1").arg(preset)), {"pdf"}, preset))
            std::printf("wrote %s\n", qPrintable(f));
    baselines->setChecked(false);

    // The inspectors on the P+S+R seed-0 run, layer 1, at its last checkpoint; a group clicked.
    for (const AblationVariant& v : window.ablation()->variants())
        if (v.values == QStringList{"PSR", "0"})
            for (const RunData* r : window.runsModel()->runs())
                if (r->path == v.path) window.inspectRun(r);
    InspectorView* view = window.inspectorView();
    view->findChild<QSpinBox*>(QStringLiteral("layer"))->setValue(1);
    if (!waitFor(
            [&] { return view->shown().now.layer == 1 && !view->shown().invariance.isEmpty(); },
            120))
        return 1;
    view->selectTab(InspectorView::WeightsTab);
    grab(window, QDir(out).filePath("workbench-inspect-weights.png"));
    // The maps of what the search fixed, and the group it fixed most.
    view->selectTab(InspectorView::MapsTab);
    view->findChild<QComboBox*>(QStringLiteral("quantity"))
        ->setCurrentIndex(int(GroupQuantity::ErrorReduction));
    const invx::WeightSnapshot &before = view->shown().start.fc1, &after = view->shown().now.fc1;
    std::size_t fixedMost = 0;
    for (std::size_t c = 0; c < after.groupError.size(); ++c)
        if (before.groupError[c] - after.groupError[c] >
            before.groupError[fixedMost] - after.groupError[fixedMost])
            fixedMost = c;
    view->showGroup(std::int64_t(fixedMost) / groupCount(after),
                    std::int64_t(fixedMost) % groupCount(after));
    grab(window, QDir(out).filePath("workbench-inspect-maps.png"));
    // The neuron at the position that changed most often.
    const std::vector<double>& changes = view->shown().positionChanges;
    const std::size_t busiest =
        std::size_t(std::max_element(changes.begin(), changes.end()) - changes.begin());
    view->showNeuron(view->shown().now.invariance.permutation[busiest]);
    view->selectTab(InspectorView::PermutationTab);
    grab(window, QDir(out).filePath("workbench-inspect-permutation.png"));
    // The inspector's figures as a paper gets them, to look at (not part of docs/).
    for (const QString& f : view->exportFigures(QDir(work).filePath("inspector-figures"),
                                                {"png", "pdf"}, "icml-column"))
        std::printf("wrote %s\n", qPrintable(f));

    // A live run, caught in the middle.
    window.closeRuns();
    s.steps = 2000;
    s.evalEverySeconds = 20;
    window.form()->setSettings(s);
    const QString live = QDir(work).filePath("live.h5");
    QFile::remove(live);  // a new run each time
    window.form()->setOutputPath(live);
    if (!window.startSearch()) return 1;
    waitFor([&] { return window.liveRun() && window.liveRun()->stepCount() >= 160; }, 900);
    grab(window, QDir(out).filePath("workbench-live.png"));
    window.stopSearch();
    waitFor([&] { return !worker.running(); }, 120);
    if (!inspectorWithoutModel(window, worker, out, work)) return 1;

    // A run killed while it ran, beside the stopped one: a copy of it, resumed by another process
    // that dies without a word (SIGKILL). The Experiments dock shows it as interrupted.
    const QString killed = QDir(work).filePath("killed.h5");
    QFile::remove(killed);
    QFile::copy(live, killed);
    const pid_t child = fork();
    if (child == 0) {
        invx::ExperimentFile f = invx::ExperimentFile::open(killed.toStdString(), true);
        f.setStatus("running");
        f.flush();
        raise(SIGKILL);
    }
    waitpid(child, nullptr, 0);
    window.findChild<QDockWidget*>(QStringLiteral("experimentsDock"))->raise();
    QTest::qWait(2500);  // the dock rescans its folder
    grab(window, QDir(out).filePath("workbench-experiments.png"));

    // The Results tab on the demo model's whole table, when the experiment files of
    // tools/results-table-gpu.sh (with their recorded results) are in RESULTS_DIR.
    const QString results = args.size() > 4 ? args[4] : QString();
    if (!results.isEmpty() && QFileInfo::exists(QDir(results).filePath("rtn-2bit.h5"))) {
        window.closeRuns();
        for (const char* name :
             {"rtn-2bit", "awq-2bit", "gptq-2bit", "rtn-3bit", "awq-3bit", "gptq-3bit"})
            window.openExperiment(
                QDir(results).filePath(QStringLiteral("%1.h5").arg(QLatin1String(name))));
        window.findChild<QTabWidget*>()->setCurrentWidget(window.resultsView());
        grab(window, QDir(out).filePath("workbench-results.png"));
    }
    return takeStudyTable(window, worker, evaluator, out, work, steps) ? 0 : 1;
}
