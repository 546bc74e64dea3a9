#include "main-window.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>
#include <cmath>

#include "ablation-view.h"
#include "curve-plot.h"
#include "experiment-export.h"
#include "experiment-list-model.h"
#include "figure-export.h"
#include "inspector-view.h"
#include "invx/error.h"
#include "invx/experiment-file.h"
#include "results-view.h"
#include "run-loader.h"
#include "run-view.h"
#include "runs-table-model.h"
#include "search-launcher.h"
#include "search-settings-form.h"
#include "table-export.h"
#include "text-file-writer.h"

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

QString duration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return QStringLiteral("–");
    const qint64 s = qint64(seconds + 0.5);
    if (s >= 3600)
        return QStringLiteral("%1 h %2 min")
            .arg(s / 3600)
            .arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
    if (s >= 60)
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1 s").arg(s);
}

QTableView* makeTable(QWidget* parent) {
    auto* view = new QTableView(parent);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);  // one line a row; long paths are elided, their tooltips whole
    view->setTextElideMode(Qt::ElideMiddle);
    view->verticalHeader()->hide();
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 8);
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    return view;
}

}  // namespace

MainWindow::MainWindow(SearchLauncher* launcher, const QString& demoModelDirectory,
                       LayerInspectorSource* inspector, QWidget* parent)
    : QMainWindow(parent), launcher_(launcher), demoDirectory_(demoModelDirectory) {
    setWindowTitle(tr("InvarExplore Workbench"));
    setObjectName(QStringLiteral("mainWindow"));
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
    buildDocks();
    buildActions();

    state_ = new QLabel(tr("Ready"), this);
    rate_ = new QLabel(this);
    left_ = new QLabel(this);
    device_ = new QLabel(this);
    memory_ = new QLabel(this);
    statusBar()->addWidget(state_, 1);
    for (QLabel* l : {rate_, left_, device_, memory_}) statusBar()->addPermanentWidget(l);

    redraw_.setSingleShot(true);
    redraw_.setInterval(40);  // coalesces bursts of steps into one redraw
    connect(&redraw_, &QTimer::timeout, this, &MainWindow::takeLiveSteps);
    follow_.setInterval(1000);
    connect(&follow_, &QTimer::timeout, this, &MainWindow::followFiles);
    follow_.start();

    connect(launcher_, &SearchLauncher::stepsReady, this, [this] {
        if (!redraw_.isActive()) redraw_.start();
    });
    connect(launcher_, &SearchLauncher::message, this,
            [this](const QString& text) { state_->setText(text); });
    connect(launcher_, &SearchLauncher::baseReady, this, [this](const BaseResult& base) {
        if (!live_) return;
        live_->base = base;
        runView_->refresh();
    });
    connect(launcher_, &SearchLauncher::evaluationReady, this, [this](const EvaluationRecord& e) {
        if (!live_) return;
        takeLiveSteps();
        live_->evaluations.push_back(e);
        runView_->refreshAppended();  // the perplexity figure is redrawn from the evaluations
        runsModel_->refreshValues();
        rateFirstStep_ = -1;  // evaluation time is not search time
    });
    connect(launcher_, &SearchLauncher::checkpointReady, this, [this](qint64 step) {
        if (!live_) return;
        live_->checkpointSteps.push_back(step);
        takeLiveSteps();
        followInspectedRun(*live_);
    });
    connect(launcher_, &SearchLauncher::finished, this, &MainWindow::onFinished);
    connect(launcher_, &SearchLauncher::failed, this, &MainWindow::onFailed);
    // A click on a curve opens the inspectors at the nearest checkpoint of that step.
    connect(runView_, &RunView::curveClicked, this, [this](double x) {
        const std::vector<const RunData*>& shown = runView_->runs();
        if (shown.empty()) return;
        const RunData* run = shown.front();
        double step = x;
        if (runView_->options().timeAxis && !run->seconds.empty()) {
            const auto at = std::lower_bound(run->seconds.begin(), run->seconds.end(), x);
            step = run->step[std::size_t(std::min<std::ptrdiff_t>(
                at - run->seconds.begin(), std::ptrdiff_t(run->step.size()) - 1))];
        }
        inspectRun(run, step);
    });
    connect(runsModel_, &RunsTableModel::shownChanged, this,
            [this] { runView_->setRuns(runsModel_->shownRuns(), runsModel_->shownLabels()); });

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
    const QString queue = settings.value(QStringLiteral("ablation/queue")).toString();
    if (!queue.isEmpty() && QFileInfo::exists(queue)) {
        try {
            ablation_ = AblationPlan::load(queue);
            loadAblationResults();
            refreshAblationView();
            if (!ablation_->done())
                state_->setText(tr("An ablation is unfinished (%1); Search > Continue Ablation "
                                   "carries on with it")
                                    .arg(queue));
        } catch (const std::exception&) {
            ablation_.reset();  // a queue that no longer reads is not worth a dialog at start-up
        }
    }
    updateActions();
    updateStatusLine();
}

MainWindow::~MainWindow() {
    // The runs table and the curves point into runs_, which goes before the child widgets do (the
    // table still reads its rows while it is torn down).
    runView_->setRuns({}, {});
    runsModel_->setRuns({});
}

void MainWindow::buildDocks() {
    // The search form, scrollable.
    form_ = new SearchSettingsForm(this);
    form_->setDefaultModelDirectory(demoDirectory_);
    auto* formPanel = new QWidget(this);
    auto* formLayout = new QVBoxLayout(formPanel);
    formLayout->setContentsMargins(0, 0, 0, 0);
    auto* scroll = new QScrollArea(formPanel);
    scroll->setWidget(form_);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMinimumWidth(form_->minimumSizeHint().width() + 24);
    formLayout->addWidget(scroll, 1);
    // The form's sentence stays in view above Start, however far the form is scrolled.
    form_->errorLabel()->setContentsMargins(6, 2, 6, 2);
    formLayout->addWidget(form_->errorLabel());
    auto* startButton = new QPushButton(tr("Start Search"), formPanel);
    startButton->setObjectName(QStringLiteral("startButton"));
    startButton->setDefault(true);
    formLayout->addWidget(startButton);
    connect(startButton, &QPushButton::clicked, this, &MainWindow::startSearch);
    connect(form_, &SearchSettingsForm::validityChanged, startButton,
            [this, startButton](bool valid) {
                startButton->setEnabled(valid && !launcher_->running());
            });
    auto* formDock = new QDockWidget(tr("Search Setup"), this);
    formDock->setObjectName(QStringLiteral("searchSetupDock"));
    formDock->setWidget(formPanel);
    addDockWidget(Qt::LeftDockWidgetArea, formDock);

    // The experiment browser.
    experiments_ = new ExperimentListModel(this);
    auto* browser = new QWidget(this);
    auto* browserLayout = new QVBoxLayout(browser);
    browserLayout->setContentsMargins(4, 4, 4, 4);
    auto* folderRow = new QHBoxLayout;
    folderLabel_ = new QLabel(browser);
    folderLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* chooseFolder = new QPushButton(tr("Folder…"), browser);
    folderRow->addWidget(folderLabel_, 1);
    folderRow->addWidget(chooseFolder);
    browserLayout->addLayout(folderRow);
    experimentsTable_ = makeTable(browser);
    experimentsTable_->setObjectName(QStringLiteral("experimentsTable"));
    experimentsTable_->setModel(experiments_);
    browserLayout->addWidget(experimentsTable_, 1);
    auto* browserButtons = new QHBoxLayout;
    auto* openButton = new QPushButton(tr("Open"), browser);
    auto* resumeButton = new QPushButton(tr("Resume"), browser);
    resumeButton->setToolTip(
        tr("Continue the selected stopped or interrupted experiment from its last checkpoint"));
    browserButtons->addWidget(openButton);
    browserButtons->addWidget(resumeButton);
    browserButtons->addStretch();
    browserLayout->addLayout(browserButtons);
    auto* browserDock = new QDockWidget(tr("Experiments"), this);
    browserDock->setObjectName(QStringLiteral("experimentsDock"));
    browserDock->setWidget(browser);
    addDockWidget(Qt::LeftDockWidgetArea, browserDock);
    tabifyDockWidget(browserDock, formDock);
    formDock->raise();
    watcher_ = new QFileSystemWatcher(this);
    connect(watcher_, &QFileSystemWatcher::directoryChanged, experiments_,
            &ExperimentListModel::refresh);
    connect(chooseFolder, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Experiment folder"),
                                                              experiments_->folder());
        if (!dir.isEmpty()) setExperimentFolder(dir);
    });
    auto selectedPaths = [this] {
        QStringList paths;
        for (const QModelIndex& i : experimentsTable_->selectionModel()->selectedRows())
            paths << experiments_->path(i.row());
        return paths;
    };
    connect(experimentsTable_, &QTableView::doubleClicked, this,
            [this](const QModelIndex& i) { openExperiment(experiments_->path(i.row())); });
    connect(openButton, &QPushButton::clicked, this, [this, selectedPaths] {
        for (const QString& p : selectedPaths()) openExperiment(p);
    });
    connect(resumeButton, &QPushButton::clicked, this, [this, selectedPaths] {
        const QStringList paths = selectedPaths();
        if (!paths.isEmpty()) resumeExperiment(paths.front());
    });

    // The runs in view.
    runsModel_ = new RunsTableModel(this);
    runsProxy_ = new QSortFilterProxyModel(this);
    runsProxy_->setSourceModel(runsModel_);
    runsProxy_->setSortRole(RunsTableModel::SortRole);
    runsTable_ = makeTable(this);
    runsTable_->setObjectName(QStringLiteral("runsTable"));
    runsTable_->setModel(runsProxy_);
    runsTable_->setSortingEnabled(true);
    runsTable_->horizontalHeader()->setStretchLastSection(false);
    runsTable_->sortByColumn(-1, Qt::AscendingOrder);
    runsTable_->setToolTip(tr("Double-click a run to inspect its layers"));
    connect(runsTable_, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        const int row = runsProxy_->mapToSource(index).row();
        if (row >= 0 && std::size_t(row) < runsModel_->runs().size())
            inspectRun(runsModel_->runs()[std::size_t(row)]);
    });
    auto* runsDock = new QDockWidget(tr("Runs"), this);
    runsDock->setObjectName(QStringLiteral("runsDock"));
    runsDock->setWidget(runsTable_);
    addDockWidget(Qt::BottomDockWidgetArea, runsDock);
    resizeDocks({formDock}, {400}, Qt::Horizontal);
    resizeDocks({runsDock}, {170}, Qt::Vertical);

    connect(ablationView_, &AblationView::newAblationRequested, this, [this] {
        AblationDialog dialog(
            QDir(experiments_->folder())
                .filePath(QStringLiteral("ablation-") +
                          QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"))),
            this);
        QString error;
        if (dialog.exec() == QDialog::Accepted &&
            !startAblation(dialog.axes(), dialog.folder(), &error))
            showError(tr("Ablation not started"), error);
    });
    connect(ablationView_, &AblationView::exportRequested, this, &MainWindow::exportAblationTable);
    connect(resultsView_, &ResultsView::exportRequested, this,
            &MainWindow::exportResultsTableInteractively);
}

void MainWindow::buildActions() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open Experiment…"), this, [this] {
        const QStringList paths =
            QFileDialog::getOpenFileNames(this, tr("Open experiments"), experiments_->folder(),
                                          tr("Experiment files (*.h5);;All files (*)"));
        for (const QString& p : paths) openExperiment(p);
    });
    open->setShortcut(QKeySequence::Open);
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
    QAction* exportFigures =
        file->addAction(tr("&Export Figures…"), this, &MainWindow::exportFiguresInteractively);
    exportFigures->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    file->addAction(tr("Export Runs &Table…"), this, &MainWindow::exportTableInteractively);
    file->addAction(tr("Export Re&sults Table…"), this,
                    &MainWindow::exportResultsTableInteractively);
    QAction* closeRuns = file->addAction(tr("&Close Runs"), this, &MainWindow::closeRuns);
    closeRuns->setShortcut(QKeySequence::Close);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* search = menuBar()->addMenu(tr("&Search"));
    start_ = search->addAction(tr("&Start"), this, &MainWindow::startSearch);
    start_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    pause_ = search->addAction(tr("&Pause"), this, &MainWindow::pauseOrResume);
    pause_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    stop_ = search->addAction(tr("S&top"), this, &MainWindow::stopSearch);
    stop_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    resume_ = search->addAction(tr("&Resume Selected Experiment"), this, [this] {
        const QModelIndexList rows = experimentsTable_->selectionModel()->selectedRows();
        if (!rows.isEmpty()) resumeExperiment(experiments_->path(rows.front().row()));
    });
    search->addSeparator();
    search->addAction(tr("New &Ablation…"), ablationView_, &AblationView::newAblationRequested);
    search->addAction(tr("Continue Ablation…"), this, [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, tr("Ablation queue"), experiments_->folder(),
                                         tr("Ablation queues (ablation.json)"));
        QString error;
        if (!path.isEmpty() && !continueAblation(path, &error))
            showError(tr("Ablation not continued"), error);
    });

    QToolBar* bar = addToolBar(tr("Search"));
    bar->setObjectName(QStringLiteral("searchToolBar"));
    bar->addAction(open);
    bar->addSeparator();
    bar->addAction(start_);
    bar->addAction(pause_);
    bar->addAction(stop_);
    bar->addSeparator();
    bar->addAction(exportFigures);

    QToolBar* view = addToolBar(tr("View"));
    view->setObjectName(QStringLiteral("viewToolBar"));
    QMenu* viewMenu = menuBar()->addMenu(tr("&View"));
    timeAxis_ = viewMenu->addAction(tr("X Axis: Search &Time"));
    logX_ = viewMenu->addAction(tr("&Log X Axis"));
    logY_ = viewMenu->addAction(tr("Log &Y Axis"));
    for (QAction* a : {timeAxis_, logX_, logY_}) {
        a->setCheckable(true);
        view->addAction(a);
    }
    timeAxis_->setText(tr("Time"));
    timeAxis_->setToolTip(tr("Plot against search time instead of step"));
    logX_->setText(tr("Log x"));
    logY_->setText(tr("Log y"));
    view->addWidget(new QLabel(tr("  Smoothing "), view));
    smoothing_ = new QComboBox(view);
    smoothing_->setObjectName(QStringLiteral("smoothing"));
    smoothing_->addItems({tr("None"), tr("EMA"), tr("Moving average")});
    view->addWidget(smoothing_);
    smoothingParameter_ = new QDoubleSpinBox(view);
    smoothingParameter_->setDecimals(3);
    smoothingParameter_->setToolTip(
        tr("EMA: the weight of the past (0-0.999); moving average: the window in steps"));
    view->addWidget(smoothingParameter_);
    viewMenu->addSeparator();
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        viewMenu->addAction(dock->toggleViewAction());

    auto applyOptions = [this] {
        FigureOptions o;
        o.timeAxis = timeAxis_->isChecked();
        o.logX = logX_->isChecked();
        o.logY = logY_->isChecked();
        o.smoothing = Smoothing(smoothing_->currentIndex());
        smoothingParameter_->setEnabled(o.smoothing != Smoothing::None);
        if (o.smoothing == Smoothing::MovingAverage)
            smoothingParameter_->setRange(1, 100000), smoothingParameter_->setDecimals(0);
        else
            smoothingParameter_->setRange(0, 0.999), smoothingParameter_->setDecimals(3);
        o.smoothingParameter = smoothingParameter_->value();
        runView_->setOptions(o);
    };
    smoothingParameter_->setValue(0.9);
    for (QAction* a : {timeAxis_, logX_, logY_}) connect(a, &QAction::toggled, this, applyOptions);
    connect(smoothing_, &QComboBox::currentIndexChanged, this, [this, applyOptions] {
        smoothingParameter_->blockSignals(true);
        smoothingParameter_->setValue(smoothing_->currentIndex() == 2 ? 50 : 0.9);
        smoothingParameter_->blockSignals(false);
        applyOptions();
    });
    connect(smoothingParameter_, &QDoubleSpinBox::valueChanged, this, applyOptions);
    applyOptions();

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About"), this, [this] {
        QMessageBox::about(
            this, tr("About InvarExplore Workbench"),
            tr("<p><b>InvarExplore Workbench</b></p><p>Ultra-low-bit weight quantization with the "
               "InvarExplore search over permutation, scaling and rotation invariances, on top of "
               "RTN, "
               "AWQ or GPTQ.</p>"));
    });
}

void MainWindow::setExperimentFolder(const QString& folder) {
    QDir().mkpath(folder);
    if (!watcher_->directories().isEmpty()) watcher_->removePaths(watcher_->directories());
    watcher_->addPath(folder);
    experiments_->setFolder(folder);
    folderLabel_->setText(folder);
    folderLabel_->setToolTip(folder);
    QSettings().setValue(QStringLiteral("experiments/folder"), folder);
    if (form_->outputPath().isEmpty() ||
        QFileInfo(form_->outputPath()).absolutePath() != QFileInfo(folder).absoluteFilePath())
        form_->setOutputPath(QDir(folder).filePath(
            QStringLiteral("run-%1.h5")
                .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")))));
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

void MainWindow::followInspectedRun(const RunData& run) {
    if (!inspectorView_ || inspectorView_->experiment() != run.path ||
        run.checkpointSteps.size() <= std::size_t(inspectorView_->checkpointCount()))
        return;
    inspectorView_->setAcceptedSteps(run.step, run.layer, run.accepted);
    inspectorView_->updateCheckpoints(run.checkpointSteps);
}

void MainWindow::closeRuns() {
    std::vector<std::unique_ptr<RunData>> kept;
    for (auto& r : runs_)
        if (r.get() == live_) kept.push_back(std::move(r));
    runs_ = std::move(kept);
    updateRunsInView();
}

RunData* MainWindow::findRun(const QString& path) {
    const QString absolute = QFileInfo(path).absoluteFilePath();
    for (auto& r : runs_)
        if (QFileInfo(r->path).absoluteFilePath() == absolute) return r.get();
    return nullptr;
}

bool MainWindow::openExperiment(const QString& path, QString* error) {
    if (RunData* existing = findRun(path)) {
        const int row =
            int(std::find(runsModel_->runs().begin(), runsModel_->runs().end(), existing) -
                runsModel_->runs().begin());
        runsModel_->setShown(row, true);
        return true;
    }
    try {
        auto run = std::make_unique<RunData>(loadRun(path));
        runs_.push_back(std::move(run));
    } catch (const std::exception& e) {
        const QString sentence = QString::fromStdString(e.what());
        if (error) *error = sentence;
        showError(tr("Cannot open experiment"), sentence);
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
    std::vector<const RunData*> runs;
    for (const auto& r : runs_) runs.push_back(r.get());
    runsModel_->setRuns(runs);
    runView_->setRuns(runsModel_->shownRuns(), runsModel_->shownLabels());
    QStringList paths;
    for (const RunData* r : runsModel_->shownRuns()) paths << r->path;
    resultsView_->setExperiments(paths);
}

bool MainWindow::startSearch() {
    if (launcher_->running()) return false;
    QString problem;
    SearchRunRequest request = form_->request(&problem);
    if (!problem.isEmpty()) {
        showError(tr("Search not started"), problem);
        return false;
    }
    QDir().mkpath(QFileInfo(QString::fromStdString(request.experimentPath)).absolutePath());
    auto run = std::make_unique<RunData>();
    run->path = QString::fromStdString(request.experimentPath);
    run->status = QStringLiteral("running");
    run->settings = request.settings;
    live_ = run.get();
    runs_.push_back(std::move(run));
    liveTarget_ = request.settings.steps;
    liveDevice_ = QString::fromStdString(request.device);
    resumeCut_ = -1;
    rateFirstStep_ = -1;
    updateRunsInView();
    tabs_->setCurrentWidget(runView_);
    launcher_->start(request);
    addRecentFile(live_->path);
    // The next run gets a fresh file name.
    form_->setOutputPath(QDir(experiments_->folder())
                             .filePath(QStringLiteral("run-%1.h5")
                                           .arg(QDateTime::currentDateTime().addSecs(1).toString(
                                               QStringLiteral("yyyyMMdd-HHmmss")))));
    updateActions();
    return true;
}

bool MainWindow::resumeExperiment(const QString& path) {
    if (launcher_->running()) return false;
    RunData* run = findRun(path);
    if (!run) {
        QString error;
        if (!openExperiment(path, &error)) return false;
        run = findRun(path);
    }
    if (run->status == QLatin1String("finished") &&
        run->stepCount() >= std::size_t(run->settings.steps)) {
        showError(tr("Nothing to resume"), tr("experiment '%1' has finished all %2 of its steps")
                                               .arg(path)
                                               .arg(run->settings.steps));
        return false;
    }
    SearchRunRequest request;
    request.experimentPath = path.toStdString();
    request.resume = true;
    request.device = "";
    request.dtype = "";
    live_ = run;
    live_->status = QStringLiteral("running");
    liveTarget_ = run->settings.steps;
    liveDevice_ = QString::fromStdString(run->model.device);
    resumeCut_ = 0;  // set by the first new step
    rateFirstStep_ = -1;
    launcher_->start(request);
    updateActions();
    return true;
}

void MainWindow::pauseOrResume() {
    if (!launcher_->running()) return;
    if (launcher_->paused()) {
        launcher_->resume();
        state_->setText(tr("Running"));
    } else {
        launcher_->pause();
        state_->setText(tr("Paused"));
    }
    rateFirstStep_ = -1;
    updateActions();
}

void MainWindow::stopSearch() {
    if (!launcher_->running()) return;
    ablationStopped_ =
        ablation_.has_value();  // stopping ends the queue; it stays saved to continue later
    launcher_->stop();
    state_->setText(tr("Stopping: finishing the step and writing a checkpoint…"));
}

void MainWindow::takeLiveSteps() {
    std::vector<StepRecord> steps = launcher_->takeSteps();
    if (!live_ || steps.empty()) return;
    const bool resumed = resumeCut_ == 0;
    if (resumed) {
        live_->truncateFrom(steps.front().step);
        resumeCut_ = steps.front().step;
    }
    for (const StepRecord& r : steps) live_->append(r);
    if (rateFirstStep_ < 0) {
        rateFirstStep_ = steps.back().step;
        rateClock_.start();
    } else if (rateClock_.elapsed() > 500) {
        stepsPerSecond_ =
            double(steps.back().step - rateFirstStep_) / (double(rateClock_.elapsed()) / 1000.0);
    }
    // New steps at the end extend the curves; a resumed run dropped the steps it redoes.
    if (resumed)
        runView_->refresh();
    else
        runView_->refreshAppended();
    runsModel_->refreshValues();
    updateStatusLine();
}

void MainWindow::updateStatusLine() {
    const bool running = launcher_->running() && live_;
    if (running && !live_->step.empty()) {
        rate_->setText(tr("%1 steps/s").arg(stepsPerSecond_, 0, 'f', stepsPerSecond_ < 10 ? 2 : 1));
        const double left =
            stepsPerSecond_ > 0
                ? double(liveTarget_ - std::int64_t(live_->step.back())) / stepsPerSecond_
                : NAN;
        left_->setText(tr("step %1 of %2, %3 left")
                           .arg(qint64(live_->step.back()))
                           .arg(liveTarget_)
                           .arg(duration(left)));
    } else {
        rate_->clear();
        left_->clear();
    }
    device_->setText(running
                         ? tr("device: %1")
                               .arg(liveDevice_.isEmpty() || liveDevice_ == QLatin1String("auto")
                                        ? tr("auto")
                                        : liveDevice_)
                         : QString());
    memory_->setText(tr("memory: %1").arg(residentMemory()));
}

void MainWindow::followFiles() {
    experiments_->refresh();
    // Files another process is writing: reread what was added.
    bool changed = false;
    for (auto& r : runs_) {
        if (r.get() == live_ && launcher_->running()) continue;
        if (r->status != QLatin1String("running")) continue;
        try {
            if (refreshRun(*r)) {
                changed = true;
                followInspectedRun(*r);
            }
        } catch (const std::exception&) {
            // A writer may be mid-flush; the next second reads it again.
        }
    }
    if (changed) {
        runView_->refreshAppended();  // refreshRun only adds steps at the end
        runsModel_->refreshValues();
    }
    updateStatusLine();
}

void MainWindow::onFinished(const SearchSummary& summary) {
    takeLiveSteps();
    const QString path = QString::fromStdString(summary.experimentPath);
    if (live_) {
        // The file is the record: reload it whole (exact values, evaluations, status).
        try {
            *live_ = loadRun(live_->path);
        } catch (const std::exception& e) {
            live_->status =
                summary.stopped ? QStringLiteral("stopped") : QStringLiteral("finished");
        }
    }
    live_ = nullptr;
    state_->setText(
        summary.stopped
            ? tr("Stopped after %1 steps; resume it from the Experiments list").arg(summary.steps)
            : tr("Finished %1 steps in %2").arg(summary.steps).arg(duration(summary.seconds)));
    updateRunsInView();
    experiments_->refresh();
    updateActions();
    updateStatusLine();
    if (ablation_ && ablationIndex_ >= 0)
        ablationVariantEnded(summary.stopped ? QStringLiteral("stopped")
                                             : QStringLiteral("finished"));
    if (closeWhenStopped_) close();
}

void MainWindow::onFailed(const QString& error) {
    takeLiveSteps();
    if (live_) {
        // A run that failed before its file existed leaves nothing to show.
        if (!QFileInfo::exists(live_->path)) {
            for (auto it = runs_.begin(); it != runs_.end(); ++it)
                if (it->get() == live_) {
                    runs_.erase(it);
                    break;
                }
        } else {
            live_->status = QStringLiteral("stopped");
        }
    }
    live_ = nullptr;
    updateRunsInView();
    updateActions();
    updateStatusLine();
    state_->setText(tr("Search failed"));
    if (ablation_ && ablationIndex_ >= 0) {
        ablationVariantEnded(QStringLiteral("failed: ") + error);
    } else {
        showError(tr("Search failed"), error);
    }
    if (closeWhenStopped_) close();
}

bool MainWindow::startAblation(const std::vector<AblationAxis>& axes, const QString& folder,
                               QString* error) {
    if (launcher_->running()) {
        if (error)
            *error = tr("a search is running; stop it or wait for it before starting an ablation");
        return false;
    }
    QString problem;
    const SearchRunRequest base = form_->request(&problem);
    if (!problem.isEmpty() && !problem.contains(QLatin1String("experiment file"))) {
        if (error) *error = problem;
        return false;
    }
    try {
        if (QFileInfo::exists(QDir(folder).filePath(QString::fromLatin1(AblationPlan::kFileName))))
            throw Error("the folder '" + folder.toStdString() +
                        "' already holds an ablation; continue it or choose another folder");
        ablation_ = AblationPlan::create(
            base.settings, axes, folder, QString::fromStdString(base.modelPath),
            QString::fromStdString(base.device), QString::fromStdString(base.dtype));
        ablation_->save();
    } catch (const std::exception& e) {
        ablation_.reset();
        if (error) *error = QString::fromStdString(e.what());
        return false;
    }
    QSettings().setValue(QStringLiteral("ablation/queue"), ablation_->file());
    ablationResults_.clear();
    ablationResults_.resize(ablation_->variants().size());
    tabs_->setCurrentWidget(ablationView_);
    startNextAblationVariant();
    return true;
}

bool MainWindow::continueAblation(const QString& queueFile, QString* error) {
    if (launcher_->running()) {
        if (error) *error = tr("a search is running; wait for it before continuing an ablation");
        return false;
    }
    try {
        ablation_ = AblationPlan::load(queueFile);
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(e.what());
        return false;
    }
    QSettings().setValue(QStringLiteral("ablation/queue"), ablation_->file());
    loadAblationResults();
    startNextAblationVariant();
    return true;
}

void MainWindow::loadAblationResults() {
    ablationResults_.clear();
    ablationResults_.resize(ablation_->variants().size());
    for (std::size_t i = 0; i < ablation_->variants().size(); ++i)
        if (ablation_->variants()[i].state == QLatin1String("finished")) {
            try {
                ablationResults_[i] =
                    std::make_unique<RunData>(loadRun(ablation_->variants()[i].path));
            } catch (const std::exception& e) {
                ablation_->variants()[i].state =
                    QStringLiteral("failed: ") + QString::fromStdString(e.what());
            }
        }
}

void MainWindow::startNextAblationVariant() {
    ablationIndex_ = ablation_->nextVariant();
    refreshAblationView();
    if (ablationIndex_ < 0) {
        state_->setText(tr("Ablation finished: %1 variants").arg(ablation_->variants().size()));
        return;
    }
    AblationVariant& v = ablation_->variants()[std::size_t(ablationIndex_)];
    SearchRunRequest request;
    request.experimentPath = v.path.toStdString();
    request.device = ablation_->device().toStdString();
    request.dtype = ablation_->dtype().toStdString();
    auto run = std::make_unique<RunData>();
    run->path = v.path;
    run->status = QStringLiteral("running");
    run->settings = v.settings;
    resumeCut_ = -1;
    if (QFileInfo::exists(v.path)) {
        // Interrupted earlier: carry on from its last checkpoint.
        request.resume = true;
        request.device = request.dtype = "";
        try {
            *run = loadRun(v.path);
            run->status = QStringLiteral("running");
            resumeCut_ = 0;
        } catch (const std::exception& e) {
            ablationVariantEnded(QStringLiteral("failed: ") + QString::fromStdString(e.what()));
            return;
        }
    } else {
        request.modelPath = ablation_->modelPath().toStdString();
        request.settings = v.settings;
    }
    v.state = QStringLiteral("running");
    try {
        ablation_->save();
    } catch (const std::exception& e) {
        showError(tr("Ablation queue not saved"), QString::fromStdString(e.what()));
    }
    if (RunData* old = findRun(v.path)) {
        *old = *run;
        live_ = old;
    } else {
        live_ = run.get();
        runs_.push_back(std::move(run));
    }
    liveTarget_ = v.settings.steps;
    liveDevice_ = ablation_->device();
    rateFirstStep_ = -1;
    updateRunsInView();
    launcher_->start(request);
    updateActions();
    refreshAblationView();
}

void MainWindow::ablationVariantEnded(const QString& state) {
    const int index = ablationIndex_;
    AblationVariant& v = ablation_->variants()[std::size_t(index)];
    v.state = state;
    if (state == QLatin1String("finished")) {
        try {
            ablationResults_[std::size_t(index)] = std::make_unique<RunData>(loadRun(v.path));
        } catch (const std::exception& e) {
            v.state = QStringLiteral("failed: ") + QString::fromStdString(e.what());
        }
    }
    try {
        ablation_->save();
    } catch (const std::exception& e) {
        showError(tr("Ablation queue not saved"), QString::fromStdString(e.what()));
    }
    if (ablationStopped_ || closeWhenStopped_ || state == QLatin1String("stopped")) {
        ablationIndex_ = -1;
        ablationStopped_ = false;
        state_->setText(
            tr("Ablation stopped; it continues where it was with Search > Continue Ablation"));
        refreshAblationView();
        return;
    }
    startNextAblationVariant();
}

void MainWindow::refreshAblationView() {
    std::vector<const RunData*> results;
    for (const auto& r : ablationResults_) results.push_back(r.get());
    ablationView_->display(ablation_ ? &*ablation_ : nullptr, results);
}

void MainWindow::updateActions() {
    const bool running = launcher_->running();
    start_->setEnabled(!running);
    pause_->setEnabled(running);
    pause_->setText(running && launcher_->paused() ? tr("&Resume") : tr("&Pause"));
    stop_->setEnabled(running);
    resume_->setEnabled(!running);
    if (auto* button = findChild<QPushButton*>(QStringLiteral("startButton")))
        button->setEnabled(!running && form_->errorText().isEmpty());
}

QString MainWindow::stateText() const { return state_->text(); }

void MainWindow::showError(const QString& title, const QString& sentence) {
    lastError_ = sentence;
    statusBar()->showMessage(sentence, 10000);
    if (QApplication::platformName() == QLatin1String("offscreen"))
        return;  // tests read lastError()
    QMessageBox box(QMessageBox::Warning, title, sentence.section(QStringLiteral("; "), 0, 0),
                    QMessageBox::Ok, this);
    box.setDetailedText(sentence);
    box.exec();
}

QStringList MainWindow::exportFigures(const QString& directory, const QStringList& formats,
                                      const QString& preset) {
    return exportFiguresAndTables(runsModel_->shownRuns(), runsModel_->shownLabels(), *runsModel_,
                                  runView_->options(), directory, formats,
                                  FigureStyle::preset(preset));
}

void MainWindow::exportFiguresInteractively() {
    QDialog dialog(this);
    const bool inspector = inspectorView_ && tabs_->currentWidget() == inspectorView_;
    dialog.setWindowTitle(inspector ? tr("Export the Inspector's Figures")
                                    : tr("Export Figures and the Runs Table"));
    dialog.setMinimumWidth(560);
    auto* form = new QFormLayout(&dialog);
    QSettings settings;
    auto* folder =
        new QLineEdit(settings
                          .value(QStringLiteral("export/folder"),
                                 QDir(experiments_->folder()).filePath(QStringLiteral("figures")))
                          .toString(),
                      &dialog);
    auto* preset = new QComboBox(&dialog);
    preset->addItems(FigureStyle::presetNames());
    preset->setCurrentText(
        settings.value(QStringLiteral("export/preset"), QStringLiteral("icml-column")).toString());
    auto* formatsRow = new QHBoxLayout;
    QList<QCheckBox*> formatChecks;
    for (const char* f : {"pdf", "svg", "png", "csv"}) {
        auto* check = new QCheckBox(QString::fromLatin1(f).toUpper(), &dialog);
        check->setChecked(true);
        check->setObjectName(QString::fromLatin1(f));
        formatChecks << check;
        formatsRow->addWidget(check);
    }
    auto* folderRow = new QHBoxLayout;
    auto* browse = new QPushButton(tr("Browse…"), &dialog);
    connect(browse, &QPushButton::clicked, &dialog, [&dialog, folder] {
        const QString dir = QFileDialog::getExistingDirectory(&dialog, tr("Folder for the figures"),
                                                              folder->text());
        if (!dir.isEmpty()) folder->setText(dir);
    });
    folderRow->addWidget(folder, 1);
    folderRow->addWidget(browse);
    form->addRow(tr("Folder"), folderRow);
    form->addRow(tr("Size and style"), preset);
    form->addRow(tr("Formats"), formatsRow);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Export"));
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() != QDialog::Accepted) return;
    QStringList formats;
    for (QCheckBox* c : formatChecks)
        if (c->isChecked()) formats << c->objectName();
    settings.setValue(QStringLiteral("export/folder"), folder->text());
    settings.setValue(QStringLiteral("export/preset"), preset->currentText());
    try {
        // On the Inspect tab: the inspector's views; elsewhere: the curves and the runs table.
        const QStringList written =
            inspector
                ? inspectorView_->exportFigures(folder->text(), formats, preset->currentText())
                : exportFigures(folder->text(), formats, preset->currentText());
        statusBar()->showMessage(tr("Wrote %1 files to %2").arg(written.size()).arg(folder->text()),
                                 10000);
    } catch (const std::exception& e) {
        showError(tr("Export failed"), QString::fromStdString(e.what()));
    }
}

void MainWindow::exportTableInteractively() {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export runs table"),
        QDir(experiments_->folder()).filePath(QStringLiteral("runs.md")),
        tr("Markdown (*.md);;LaTeX (*.tex)"));
    if (path.isEmpty()) return;
    const QString error =
        writeTextFile(path, path.endsWith(QLatin1String(".tex")) ? runsModel_->toLatex()
                                                                 : runsModel_->toMarkdown());
    if (!error.isEmpty()) showError(tr("Export failed"), error);
}

void MainWindow::exportResultsTableInteractively() {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export results table"),
        QDir(experiments_->folder()).filePath(QStringLiteral("results.md")),
        tr("Markdown (*.md);;LaTeX (*.tex);;CSV (*.csv)"));
    if (path.isEmpty()) return;
    const QString error = resultsView_->exportTo(path);
    if (!error.isEmpty()) showError(tr("Export failed"), error);
}

void MainWindow::exportAblationTable() {
    if (!ablation_) return;
    for (const auto& [name, text] :
         {std::pair{QStringLiteral("ablation.md"),
                    tableToMarkdown(*ablationView_->summaryModel(),
                                    ablationView_->firstSummaryNumberColumn())},
          std::pair{QStringLiteral("ablation.tex"),
                    tableToLatex(*ablationView_->summaryModel(),
                                 ablationView_->firstSummaryNumberColumn())}}) {
        const QString error = writeTextFile(QDir(ablation_->folder()).filePath(name), text);
        if (!error.isEmpty()) {
            showError(tr("Export failed"), error);
            return;
        }
    }
    statusBar()->showMessage(
        tr("Wrote ablation.md and ablation.tex to %1").arg(ablation_->folder()), 10000);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    if (launcher_->running()) {
        // Stop cleanly: the search finishes its step and writes a checkpoint; the window closes
        // when it has.
        closeWhenStopped_ = true;
        launcher_->stop();
        state_->setText(tr("Closing: writing a checkpoint…"));
        event->ignore();
        return;
    }
    event->accept();
}

}  // namespace invx::gui
