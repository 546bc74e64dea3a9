#include "main-window.h"

#include <QAction>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <algorithm>

#include "ablation-dialog.h"
#include "ablation-runner.h"
#include "ablation-view.h"
#include "experiment-browser.h"
#include "experiment-list-model.h"
#include "export-actions.h"
#include "figure-options-bar.h"
#include "inspector-view.h"
#include "live-run-controller.h"
#include "message-box-sink.h"
#include "results-view.h"
#include "run-loader.h"
#include "run-view.h"
#include "runs-table-model.h"
#include "runs-table-view.h"
#include "search-launcher.h"
#include "search-settings-form.h"
#include "search-setup-panel.h"

namespace invx::gui {
namespace {

constexpr int kRecentFiles = 10;

QString residentMemory() {
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly)) return QStringLiteral("–");
    const QList<QByteArray> fields = statm.readAll().split(' ');
    if (fields.size() < 2) return QStringLiteral("–");
    const double bytes = fields[1].toDouble() * 4096.0;
    return QStringLiteral("%1 MiB").arg(bytes / (1024.0 * 1024.0), 0, 'f', 0);
}

QString timestampedName(const QString& prefix, const QString& suffix, int secondsAhead = 0) {
    return prefix +
           QDateTime::currentDateTime()
               .addSecs(secondsAhead)
               .toString(QStringLiteral("yyyyMMdd-HHmmss")) +
           suffix;
}

}  // namespace

MainWindow::MainWindow(SearchLauncher* launcher, const QString& demoModelDirectory,
                       LayerInspectorSource* inspector, MessageSink* messages, QWidget* parent)
    : QMainWindow(parent),
      launcher_(launcher),
      demoDirectory_(demoModelDirectory),
      messages_(messages) {
    setWindowTitle(tr("InvarExplore Workbench"));
    setObjectName(QStringLiteral("mainWindow"));
    if (!messages_) {
        ownMessages_ = std::make_unique<MessageBoxSink>(this);
        messages_ = ownMessages_.get();
    }
    buildTabs(inspector);
    buildFormDock();
    buildExperimentsDock();
    buildRunsDock();
    live_ = new LiveRunController(launcher_, &runs_, messages_, this);
    live_->setInspector(inspectorView_);
    ablation_ = new AblationRunner(live_, ablationView_, messages_, this);
    exports_ = new ExportActions(
        {runsModel_, runView_, resultsView_, ablationView_, inspectorView_, experiments_},
        messages_, this);
    buildFileMenu();
    buildSearchMenu();
    buildViewToolBar();
    buildHelpMenu();
    buildStatusBar();
    connectWork();
    restoreSettings();
    updateActions();
    updateStatusLine();
}

MainWindow::~MainWindow() {
    // The views point into the open runs, which go before the child widgets do.
    runView_->setRuns({}, {});
    runsModel_->setRuns({});
}

void MainWindow::buildTabs(LayerInspectorSource* inspector) {
    tabs_ = new QTabWidget(this);
    runView_ = new RunView(tabs_);
    ablationView_ = new AblationView(tabs_);
    tabs_->addTab(runView_, tr("Curves"));
    tabs_->addTab(ablationView_, tr("Ablation"));
    resultsView_ = new ResultsView(tabs_);
    tabs_->addTab(resultsView_, tr("Results"));
    if (inspector) {
        inspectorView_ = new InspectorView(tabs_);
        inspectorView_->setSource(inspector);
        tabs_->addTab(inspectorView_, tr("Inspect"));
    }
    setCentralWidget(tabs_);
}

void MainWindow::buildFormDock() {
    setup_ = new SearchSetupPanel(demoDirectory_, this);
    form_ = setup_->form();
    connect(setup_, &SearchSetupPanel::startRequested, this, &MainWindow::startSearch);
    auto* formDock = new QDockWidget(tr("Search Setup"), this);
    formDock->setObjectName(QStringLiteral("searchSetupDock"));
    formDock->setWidget(setup_);
    addDockWidget(Qt::LeftDockWidgetArea, formDock);
}

void MainWindow::buildExperimentsDock() {
    experiments_ = new ExperimentListModel(this);
    browser_ = new ExperimentBrowser(experiments_, this);
    auto* browserDock = new QDockWidget(tr("Experiments"), this);
    browserDock->setObjectName(QStringLiteral("experimentsDock"));
    browserDock->setWidget(browser_);
    addDockWidget(Qt::LeftDockWidgetArea, browserDock);
    auto* formDock = findChild<QDockWidget*>(QStringLiteral("searchSetupDock"));
    tabifyDockWidget(browserDock, formDock);
    formDock->raise();
    connect(browser_, &ExperimentBrowser::folderChosen, this, &MainWindow::setExperimentFolder);
    connect(browser_, &ExperimentBrowser::openRequested, this,
            [this](const QString& path) { openExperiment(path); });
    connect(browser_, &ExperimentBrowser::resumeRequested, this, &MainWindow::resumeExperiment);
}

void MainWindow::buildRunsDock() {
    runsModel_ = new RunsTableModel(this);
    auto* table = new RunsTableView(runsModel_, this);
    connect(table, &RunsTableView::inspectRequested, this,
            [this](const RunData* run) { inspectRun(run); });
    connect(table, &RunsTableView::closeRequested, this,
            [this](const std::vector<const RunData*>& runs) {
                for (const RunData* r : runs)
                    if (r != live_->liveRun()) runs_.remove(r);  // a running search stays
                updateRunsInView();
            });
    auto* runsDock = new QDockWidget(tr("Runs"), this);
    runsDock->setObjectName(QStringLiteral("runsDock"));
    runsDock->setWidget(table);
    addDockWidget(Qt::BottomDockWidgetArea, runsDock);
    resizeDocks({findChild<QDockWidget*>(QStringLiteral("searchSetupDock"))}, {400},
                Qt::Horizontal);
    resizeDocks({runsDock}, {170}, Qt::Vertical);
}

void MainWindow::buildFileMenu() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    open_ = file->addAction(tr("&Open Experiment…"), this, [this] {
        const QStringList paths =
            QFileDialog::getOpenFileNames(this, tr("Open experiments"), experiments_->folder(),
                                          tr("Experiment files (*.h5);;All files (*)"));
        for (const QString& p : paths) openExperiment(p);
    });
    open_->setShortcut(QKeySequence::Open);
    file->addAction(tr("Open &Folder…"), this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Experiment folder"),
                                                              experiments_->folder());
        if (!dir.isEmpty()) setExperimentFolder(dir);
    });
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    connect(recentMenu_, &QMenu::aboutToShow, this, [this] {
        recentMenu_->clear();
        for (const QString& p :
             QSettings().value(QStringLiteral("experiments/recent")).toStringList())
            recentMenu_->addAction(p, this, [this, p] { openExperiment(p); });
    });
    file->addSeparator();
    // On the Inspect tab: the inspector's figures; elsewhere: the curves and the runs table.
    exportFigures_ = file->addAction(tr("&Export Figures…"), this, [this] {
        exports_->exportFiguresInteractively(inspectorView_ &&
                                             tabs_->currentWidget() == inspectorView_);
    });
    exportFigures_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    file->addAction(tr("Export Runs &Table…"), exports_,
                    &ExportActions::exportRunsTableInteractively);
    file->addAction(tr("Export Re&sults Table…"), exports_,
                    &ExportActions::exportResultsTableInteractively);
    QAction* closeRuns = file->addAction(tr("&Close Runs"), this, &MainWindow::closeRuns);
    closeRuns->setShortcut(QKeySequence::Close);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
}

void MainWindow::buildSearchMenu() {
    QMenu* search = menuBar()->addMenu(tr("&Search"));
    start_ = search->addAction(tr("&Start"), this, &MainWindow::startSearch);
    start_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    pause_ = search->addAction(tr("&Pause"), this, &MainWindow::pauseOrResume);
    pause_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    stop_ = search->addAction(tr("S&top"), this, &MainWindow::stopSearch);
    stop_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    resume_ = search->addAction(tr("&Resume Selected Experiment"), this, [this] {
        const QStringList paths = browser_->selectedPaths();
        if (!paths.isEmpty()) resumeExperiment(paths.front());
    });
    search->addSeparator();
    search->addAction(tr("New &Ablation…"), ablationView_, &AblationView::newAblationRequested);
    search->addAction(tr("Continue Ablation…"), this, [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, tr("Ablation queue"), experiments_->folder(),
                                         tr("Ablation queues (ablation.json)"));
        QString error;
        if (!path.isEmpty() && !continueAblation(path, &error))
            messages_->showError(tr("Ablation not continued"), error);
    });

    QToolBar* bar = addToolBar(tr("Search"));
    bar->setObjectName(QStringLiteral("searchToolBar"));
    bar->addAction(open_);
    bar->addSeparator();
    bar->addAction(start_);
    bar->addAction(pause_);
    bar->addAction(stop_);
    bar->addSeparator();
    bar->addAction(exportFigures_);
}

void MainWindow::buildViewToolBar() {
    auto* bar = new FigureOptionsBar(this);
    addToolBar(bar);
    QMenu* viewMenu = menuBar()->addMenu(tr("&View"));
    viewMenu->addActions(bar->axisActions());
    viewMenu->addSeparator();
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        viewMenu->addAction(dock->toggleViewAction());
    connect(bar, &FigureOptionsBar::optionsChanged, runView_, &RunView::setOptions);
    connect(bar, &FigureOptionsBar::optionsChanged, runsModel_,
            [this](const FigureOptions& options) { runsModel_->setOptions(options.comparison); });
    runView_->setOptions(bar->options());
    runsModel_->setOptions(bar->options().comparison);
}

void MainWindow::buildHelpMenu() {
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About"), this, [this] {
        QMessageBox::about(
            this, tr("About InvarExplore Workbench"),
            tr("<p><b>InvarExplore Workbench</b></p><p>Ultra-low-bit weight quantization with the "
               "InvarExplore search over permutation, scaling and rotation invariances, on top of "
               "RTN, AWQ or GPTQ.</p>"));
    });
}

void MainWindow::buildStatusBar() {
    state_ = new QLabel(tr("Ready"), this);
    rate_ = new QLabel(this);
    left_ = new QLabel(this);
    device_ = new QLabel(this);
    memory_ = new QLabel(this);
    statusBar()->addWidget(state_, 1);
    for (QLabel* l : {rate_, left_, device_, memory_}) statusBar()->addPermanentWidget(l);
}

// The work behind the window reports here; the views follow.
void MainWindow::connectWork() {
    connect(live_, &LiveRunController::statusTextChanged, state_, &QLabel::setText);
    connect(live_, &LiveRunController::runsChanged, this, &MainWindow::updateRunsInView);
    connect(live_, &LiveRunController::runsGrew, this, [this] {
        runView_->refreshAppended();
        runsModel_->refreshValues();
        updateStatusLine();
    });
    connect(live_, &LiveRunController::runsUpdated, this, [this] {
        runView_->refresh();
        runsModel_->refreshValues();
        updateStatusLine();
    });
    connect(live_, &LiveRunController::searchStateChanged, this, [this] {
        updateActions();
        updateStatusLine();
    });
    // After the ablation runner's own slot: a closing window starts no next variant.
    connect(live_, &LiveRunController::ended, this, [this] {
        experiments_->refresh();
        if (closeWhenStopped_) close();
    });
    connect(ablation_, &AblationRunner::statusTextChanged, state_, &QLabel::setText);
    connect(ablationView_, &AblationView::newAblationRequested, this, &MainWindow::askForAblation);
    connect(ablationView_, &AblationView::exportRequested, this,
            [this] { exports_->exportAblationTable(ablation()); });
    connect(resultsView_, &ResultsView::exportRequested, exports_,
            &ExportActions::exportResultsTableInteractively);
    connect(runView_, &RunView::curveClicked, this, &MainWindow::curveClicked);
    connect(runsModel_, &RunsTableModel::comparisonChanged, this,
            [this] { runView_->setComparison(runsModel_->comparison()); });
    follow_.setInterval(1000);
    connect(&follow_, &QTimer::timeout, this, &MainWindow::followFiles);
    follow_.start();
}

void MainWindow::restoreSettings() {
    form_->setDevices(launcher_->devices());
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    const QString defaultFolder =
        QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
            .filePath(QStringLiteral("invx-experiments"));
    setExperimentFolder(
        settings.value(QStringLiteral("experiments/folder"), defaultFolder).toString());
    experiments_->setRecentFiles(
        settings.value(QStringLiteral("experiments/recent")).toStringList());
    ablation_->restoreLast();
}

void MainWindow::askForAblation() {
    // The speed of this model on this device, as the runs in view and the last ablation's
    // finished variants measured it.
    std::vector<RunPace> paces = ablation_->paces();
    for (const RunData* run : runs_.all())
        if (run->status != QLatin1String("live"))
            if (const std::optional<RunPace> pace = paceOf(*run)) paces.push_back(*pace);
    QString problem;
    const SearchRunRequest base = form_->request(&problem);
    AblationDialog dialog(
        QDir(experiments_->folder()).filePath(timestampedName(QStringLiteral("ablation-"), {})),
        base.settings,
        measuredSpeed(paces, QString::fromStdString(base.modelPath),
                      QString::fromStdString(base.device)),
        this);
    QString error;
    if (dialog.exec() == QDialog::Accepted &&
        !startAblation(dialog.axes(), dialog.folder(), &error, dialog.options()))
        messages_->showError(tr("Ablation not started"), error);
}

void MainWindow::setEvaluator(ResultsEvaluator* evaluator) {
    resultsView_->setEvaluator(evaluator);
    ablation_->setEvaluator(evaluator);
}

// A click on a curve opens the inspectors at the nearest checkpoint of that step.
void MainWindow::curveClicked(double x) {
    const std::vector<const RunData*>& shown = runView_->runs();
    if (shown.empty()) return;
    const RunData* run = shown.front();
    double step = x;
    if (runView_->options().timeAxis && !run->seconds.empty()) {
        const auto at = std::lower_bound(run->seconds.begin(), run->seconds.end(), x);
        const std::ptrdiff_t i = std::min<std::ptrdiff_t>(at - run->seconds.begin(),
                                                          std::ptrdiff_t(run->step.size()) - 1);
        step = run->step[std::size_t(i)];
    }
    inspectRun(run, step);
}

void MainWindow::setExperimentFolder(const QString& folder) {
    QDir().mkpath(folder);
    browser_->setFolder(folder);
    QSettings().setValue(QStringLiteral("experiments/folder"), folder);
    if (form_->outputPath().isEmpty() ||
        QFileInfo(form_->outputPath()).absolutePath() != QFileInfo(folder).absoluteFilePath())
        form_->setOutputPath(
            QDir(folder).filePath(timestampedName(QStringLiteral("run-"), QStringLiteral(".h5"))));
}

bool MainWindow::inspectRun(const RunData* run, double step) {
    if (!inspectorView_ || !run || run->checkpointSteps.empty()) {
        if (run && inspectorView_)
            statusBar()->showMessage(tr("%1 has no checkpoint yet to inspect").arg(run->path),
                                     8000);
        return false;
    }
    const int layers = run->model.layers > 0 ? run->model.layers : 1;
    inspectorView_->setExperiment(run->path, run->checkpointSteps,
                                  layers);  // a running file may have new checkpoints
    inspectorView_->setAcceptedSteps(run->step, run->layer, run->accepted);
    if (step >= 0) inspectorView_->selectCheckpoint(run->nearestCheckpoint(step));
    tabs_->setCurrentWidget(inspectorView_);
    return true;
}

void MainWindow::closeRuns() {
    runs_.closeAllBut(live_->liveRun());
    updateRunsInView();
}

bool MainWindow::openExperiment(const QString& path, QString* error) {
    if (RunData* existing = runs_.find(path)) {
        runsModel_->setShown(existing, true);
        return true;
    }
    try {
        auto run = std::make_unique<RunData>(loadRun(path));
        if (!run->damageNote.isEmpty()) messages_->showNote(run->damageNote);
        runs_.add(std::move(run));
    } catch (const std::exception& e) {
        const QString sentence = QString::fromStdString(e.what());
        if (error) *error = sentence;
        messages_->showError(tr("Cannot open experiment"), sentence);
        return false;
    }
    addRecentFile(path);
    updateRunsInView();
    tabs_->setCurrentWidget(runView_);
    return true;
}

void MainWindow::addRecentFile(const QString& path) {
    QSettings settings;
    QStringList recent = settings.value(QStringLiteral("experiments/recent")).toStringList();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    recent.removeAll(absolute);
    recent.prepend(absolute);
    while (recent.size() > kRecentFiles) recent.removeLast();
    settings.setValue(QStringLiteral("experiments/recent"), recent);
    experiments_->setRecentFiles(recent);
}

void MainWindow::updateRunsInView() {
    runsModel_->setRuns(runs_.all());  // the figures follow its comparisonChanged
    QStringList paths;
    for (const RunData* r : runsModel_->shownRuns()) paths << r->path;
    resultsView_->setExperiments(paths);
}

bool MainWindow::startSearch() {
    if (live_->running()) return false;
    QString problem;
    const SearchRunRequest request = form_->request(&problem);
    if (!problem.isEmpty()) {
        messages_->showError(tr("Search not started"), problem);
        return false;
    }
    tabs_->setCurrentWidget(runView_);
    live_->startNew(request);
    addRecentFile(QString::fromStdString(request.experimentPath));
    // The next run gets a fresh file name.
    form_->setOutputPath(
        QDir(experiments_->folder())
            .filePath(timestampedName(QStringLiteral("run-"), QStringLiteral(".h5"), 1)));
    return true;
}

bool MainWindow::resumeExperiment(const QString& path) {
    if (live_->running()) return false;
    if (!runs_.find(path) && !openExperiment(path)) return false;
    return live_->resume(runs_.find(path));
}

void MainWindow::pauseOrResume() { live_->pauseOrResume(); }

void MainWindow::stopSearch() {
    if (!live_->running()) return;
    ablation_->interrupt();  // stopping ends the queue; it stays saved to continue later
    live_->stop();
}

bool MainWindow::startAblation(const std::vector<AblationAxis>& axes, const QString& folder,
                               QString* error, const StudyOptions& options) {
    QString problem;
    const SearchRunRequest base = form_->request(&problem);
    // The variants get files of their own: the form's output file is the only fault they do not
    // share.
    if (!live_->running() && !problem.isEmpty() &&
        !problem.contains(QLatin1String("experiment file"))) {
        if (error) *error = problem;
        return false;
    }
    if (!ablation_->start(base, axes, folder, error, options)) return false;
    tabs_->setCurrentWidget(ablationView_);
    return true;
}

bool MainWindow::continueAblation(const QString& queueFile, QString* error) {
    return ablation_->carryOn(queueFile, error);
}

const AblationPlan* MainWindow::ablation() const { return ablation_->plan(); }
const RunData* MainWindow::liveRun() const { return live_->liveRun(); }

void MainWindow::updateActions() {
    const bool running = live_->running();
    start_->setEnabled(!running);
    pause_->setEnabled(running);
    pause_->setText(running && live_->paused() ? tr("&Resume") : tr("&Pause"));
    stop_->setEnabled(running);
    resume_->setEnabled(!running);
    setup_->setSearchRunning(running);
}

QString MainWindow::stateText() const { return state_->text(); }

void MainWindow::updateStatusLine() {
    rate_->setText(live_->rateText());
    left_->setText(live_->progressText());
    device_->setText(live_->deviceText());
    memory_->setText(tr("memory: %1").arg(residentMemory()));
}

void MainWindow::followFiles() {
    experiments_->refresh();
    live_->followFiles();
    updateStatusLine();
}

QStringList MainWindow::exportFigures(const QString& directory, const QStringList& formats,
                                      const QString& preset) {
    return exports_->exportFigures(directory, formats, preset);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    if (live_->running()) {
        // Stop cleanly: the search finishes its step and writes a checkpoint; the window closes
        // when it has.
        closeWhenStopped_ = true;
        ablation_->interrupt();
        live_->stop();
        state_->setText(tr("Closing: writing a checkpoint…"));
        event->ignore();
        return;
    }
    event->accept();
}

}  // namespace invx::gui
