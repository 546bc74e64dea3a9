#pragma once
// The workbench window: the search form (dock), the experiment browser (dock), the runs table
// (dock), and the curves, the ablation, the results and the inspectors as tabs in the middle; its
// menus, toolbars and status line. The work behind them lives in three classes the window wires
// up: LiveRunController (the live search through a SearchLauncher, never blocking on it, and the
// runs that grow while shown), AblationRunner (an ablation's queue) and ExportActions (the export
// dialogs). Messages go to a MessageSink: dialogs by default, a recorder in tests.
#include <QMainWindow>
#include <QTimer>
#include <memory>
#include <vector>

#include "ablation-plan.h"
#include "open-runs.h"
#include "run-data.h"
#include "study-presets.h"

class QAction;
class QLabel;
class QTabWidget;

namespace invx::gui {

class AblationRunner;
class AblationView;
class ExperimentBrowser;
class ExportActions;
class ResultsView;
class InspectorView;
class LayerInspectorSource;
class LiveRunController;
class ExperimentListModel;
class MessageSink;
class ResultsEvaluator;
class RunView;
class RunsTableModel;
class SearchLauncher;
class SearchSettingsForm;
class SearchSetupPanel;

class MainWindow : public QMainWindow {
    Q_OBJECT
  public:
    // `launcher` runs the searches (owned by the caller); `demoModelDirectory` is what "opt-demo"
    // means. `inspector` rebuilds layers for the Inspect tab (nullptr: no tab). `messages` receives
    // errors and notes (owned by the caller; nullptr: dialogs and the status bar).
    MainWindow(SearchLauncher* launcher, const QString& demoModelDirectory,
               LayerInspectorSource* inspector = nullptr, MessageSink* messages = nullptr,
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
    // Queues a grid of variants (with the study's fixed settings and evaluation) and starts the
    // first.
    bool startAblation(const std::vector<AblationAxis>& axes, const QString& folder,
                       QString* error = nullptr, const StudyOptions& options = {});
    // Reopens a saved ablation queue and carries on with it.
    bool continueAblation(const QString& queueFile, QString* error = nullptr);
    // Opens the Inspect tab on `run` at the checkpoint nearest `step` (-1: the last).
    bool inspectRun(const RunData* run, double step = -1);
    InspectorView* inspectorView() const { return inspectorView_; }
    // Who measures models for the Results tab's Measure Missing and a study's evaluation at its
    // end (owned by the caller).
    void setEvaluator(ResultsEvaluator* evaluator);
    // Writes every figure of the runs in view, and runs.md / runs.tex, into `directory`.
    QStringList exportFigures(const QString& directory, const QStringList& formats,
                              const QString& preset);

    SearchSettingsForm* form() const { return form_; }
    RunView* runView() const { return runView_; }
    RunsTableModel* runsModel() const { return runsModel_; }
    ExperimentListModel* experimentsModel() const { return experiments_; }
    AblationView* ablationView() const { return ablationView_; }
    ResultsView* resultsView() const { return resultsView_; }
    LiveRunController* liveRuns() const { return live_; }
    const AblationPlan* ablation() const;
    const RunData* liveRun() const;
    QString stateText() const;

  protected:
    void closeEvent(QCloseEvent* event) override;

  private:
    void buildTabs(LayerInspectorSource* inspector);
    void buildFormDock();
    void buildExperimentsDock();
    void buildRunsDock();
    void buildFileMenu();
    void buildSearchMenu();
    void buildViewToolBar();
    void buildHelpMenu();
    void buildStatusBar();
    void connectWork();
    void restoreSettings();
    void askForAblation();
    void curveClicked(double x);
    void updateActions();
    void updateRunsInView();
    void addRecentFile(const QString& path);
    void updateStatusLine();
    void followFiles();

    SearchLauncher* launcher_;
    QString demoDirectory_;
    std::unique_ptr<MessageSink> ownMessages_;  // when the caller gives none
    MessageSink* messages_ = nullptr;
    OpenRuns runs_;
    LiveRunController* live_ = nullptr;
    AblationRunner* ablation_ = nullptr;
    ExportActions* exports_ = nullptr;
    bool closeWhenStopped_ = false;

    SearchSetupPanel* setup_ = nullptr;
    SearchSettingsForm* form_ = nullptr;
    RunView* runView_ = nullptr;
    AblationView* ablationView_ = nullptr;
    ResultsView* resultsView_ = nullptr;
    InspectorView* inspectorView_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    RunsTableModel* runsModel_ = nullptr;
    ExperimentListModel* experiments_ = nullptr;
    ExperimentBrowser* browser_ = nullptr;
    QTimer follow_;

    QAction *open_ = nullptr, *exportFigures_ = nullptr;
    QAction *start_ = nullptr, *pause_ = nullptr, *stop_ = nullptr, *resume_ = nullptr;
    QLabel *state_ = nullptr, *rate_ = nullptr, *left_ = nullptr, *device_ = nullptr,
           *memory_ = nullptr;
    QMenu* recentMenu_ = nullptr;
};

}  // namespace invx::gui
