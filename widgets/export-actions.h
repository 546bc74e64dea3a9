#pragma once
// The workbench's exports, as the File menu and the tabs' buttons ask for them: the figures (of the
// curves with the runs table, or of the inspector) through their dialog, the runs table, the
// results table, and the ablation's summary beside its queue. Failures go to the message sink.
#include <QObject>
#include <QStringList>

namespace invx::gui {

class AblationPlan;
class AblationView;
class ExperimentListModel;
class InspectorView;
class MessageSink;
class ResultsView;
class RunView;
class RunsTableModel;

class ExportActions : public QObject {
    Q_OBJECT
  public:
    // What the exports read; `inspector` may be null (no Inspect tab).
    struct Sources {
        const RunsTableModel* runs = nullptr;
        const RunView* curves = nullptr;
        const ResultsView* results = nullptr;
        AblationView* ablation = nullptr;
        InspectorView* inspector = nullptr;
        const ExperimentListModel* experiments = nullptr;  // its folder is where files go first
    };
    // Dialogs open over `dialogParent`; `messages` stays the caller's and must outlive this.
    ExportActions(const Sources& sources, MessageSink* messages, QWidget* dialogParent);

    // Every figure of the runs shown, and runs.md / runs.tex, into `directory`. Throws like
    // exportFiguresAndTables.
    QStringList exportFigures(const QString& directory, const QStringList& formats,
                              const QString& preset) const;
    // Asks where and how, then writes the inspector's figures (`inspectorShown`) or the curves'.
    void exportFiguresInteractively(bool inspectorShown);
    void exportRunsTableInteractively();
    void exportResultsTableInteractively();
    // ablation.md and ablation.tex beside the queue of `plan` (null: nothing to export), and once a
    // variant has finished the study's table: study.md, study.tex and study.csv.
    void exportAblationTable(const AblationPlan* plan);

  private:
    QString defaultPath(const QString& name) const;

    Sources sources_;
    MessageSink* messages_;
    QWidget* dialogParent_;
};

}  // namespace invx::gui
