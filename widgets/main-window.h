#pragma once
// The workbench window: the search form (dock), the experiment browser (dock), the runs table
// (dock), the curves of the runs in view and the ablation tab in the middle. It drives searches
// through a SearchLauncher and never blocks on them.
#include <QElapsedTimer>
#include <QMainWindow>
#include <QTimer>
#include <memory>
#include <optional>
#include <vector>

#include "ablation-plan.h"
#include "invx/search-run.h"
#include "run-data.h"

class QAction;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSortFilterProxyModel;
class QTableView;
class QTabWidget;
class QFileSystemWatcher;

namespace invx::gui {

class AblationView;
class ResultsView;
class InspectorView;
class LayerInspectorSource;
class ExperimentListModel;
class RunView;
class RunsTableModel;
class SearchLauncher;
class SearchSettingsForm;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // `launcher` runs the searches (owned by the caller); `demoModelDirectory` is what "opt-demo" means.
    // `inspector` rebuilds layers for the Inspect tab (nullptr: no tab).
    MainWindow(SearchLauncher* launcher, const QString& demoModelDirectory, LayerInspectorSource* inspector = nullptr,
               QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens an experiment file into the runs in view. Returns false and shows the reason (also
    // returned in `error`) when it cannot be read.
    bool openExperiment(const QString& path, QString* error = nullptr);
    void setExperimentFolder(const QString& folder);
    // Removes every run from view except a running one.
    void closeRuns();
    // Starts a new search as the form says; false (with the form's sentence) when it is invalid.
    bool startSearch();
    bool resumeExperiment(const QString& path);
    void pauseOrResume();
    void stopSearch();
    // Queues a grid of variants and starts the first.
    bool startAblation(const std::vector<AblationAxis>& axes, const QString& folder, QString* error = nullptr);
    // Reopens a saved ablation queue and carries on with it.
    bool continueAblation(const QString& queueFile, QString* error = nullptr);
    // Opens the Inspect tab on `run` at the checkpoint nearest `step` (-1: the last).
    bool inspectRun(const RunData* run, double step = -1);
    InspectorView* inspectorView() const { return inspectorView_; }
    // Writes every figure of the runs in view, and runs.md / runs.tex, into `directory`.
    QStringList exportFigures(const QString& directory, const QStringList& formats, const QString& preset);

    SearchSettingsForm* form() const { return form_; }
    RunView* runView() const { return runView_; }
    RunsTableModel* runsModel() const { return runsModel_; }
    ExperimentListModel* experimentsModel() const { return experiments_; }
    AblationView* ablationView() const { return ablationView_; }
    ResultsView* resultsView() const { return resultsView_; }
    const AblationPlan* ablation() const { return ablation_ ? &*ablation_ : nullptr; }
    const RunData* liveRun() const { return live_; }
    QString lastError() const { return lastError_; }
    QString stateText() const;

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildActions();
    void buildDocks();
    void updateActions();
    void updateRunsInView();
    void takeLiveSteps();
    // The inspectors follow the run they show when it gains checkpoints.
    void followInspectedRun(const RunData& run);
    void followFiles();
    void onFinished(const SearchSummary& summary);
    void onFailed(const QString& error);
    void startNextAblationVariant();
    void ablationVariantEnded(const QString& state);
    void refreshAblationView();
    void loadAblationResults();
    void showError(const QString& title, const QString& sentence);
    void addRecentFile(const QString& path);
    void updateStatusLine();
    RunData* findRun(const QString& path);
    void exportFiguresInteractively();
    void exportTableInteractively();
    void exportAblationTable();
    void exportResultsTableInteractively();

    SearchLauncher* launcher_;
    QString demoDirectory_;
    SearchSettingsForm* form_ = nullptr;
    RunView* runView_ = nullptr;
    AblationView* ablationView_ = nullptr;
    ResultsView* resultsView_ = nullptr;
    InspectorView* inspectorView_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    RunsTableModel* runsModel_ = nullptr;
    QSortFilterProxyModel* runsProxy_ = nullptr;
    QTableView* runsTable_ = nullptr;
    ExperimentListModel* experiments_ = nullptr;
    QTableView* experimentsTable_ = nullptr;
    QLabel* folderLabel_ = nullptr;
    QFileSystemWatcher* watcher_ = nullptr;

    std::vector<std::unique_ptr<RunData>> runs_;
    RunData* live_ = nullptr;
    std::int64_t liveTarget_ = 0;
    std::int64_t resumeCut_ = -1;  // a resumed live run drops its recorded steps from the first new one
    QString liveDevice_;
    std::optional<AblationPlan> ablation_;
    int ablationIndex_ = -1;
    std::vector<std::unique_ptr<RunData>> ablationResults_;
    bool closeWhenStopped_ = false;
    bool ablationStopped_ = false;
    QString lastError_;

    QTimer redraw_, follow_;
    QElapsedTimer rateClock_;
    std::int64_t rateFirstStep_ = -1;
    double stepsPerSecond_ = 0;

    QAction *start_ = nullptr, *pause_ = nullptr, *stop_ = nullptr, *resume_ = nullptr;
    QAction *timeAxis_ = nullptr, *logX_ = nullptr, *logY_ = nullptr;
    QComboBox* smoothing_ = nullptr;
    QDoubleSpinBox* smoothingParameter_ = nullptr;
    QLabel *state_ = nullptr, *rate_ = nullptr, *left_ = nullptr, *device_ = nullptr, *memory_ = nullptr;
    QMenu* recentMenu_ = nullptr;
};

}  // namespace invx::gui
