#pragma once
// The ablation tab: the queue of variants with their states, and two tables of the finished
// ones: the study's in the paper's layout (baseline row, WikiText-2, C4, the six tasks; mean ± sd
// over seeds) and the searches' own (final and best perplexity, best loss). ablation-dialog.h sets
// up a new grid or study.
#include <QStandardItemModel>
#include <QWidget>
#include <map>
#include <string>
#include <vector>

#include "ablation-plan.h"
#include "invx/slurm-study.h"

class QLabel;
class QTabWidget;

namespace invx::gui {

class StudyTableView;

class AblationView : public QWidget {
    Q_OBJECT
  public:
    explicit AblationView(QWidget* parent = nullptr);
    // Shows `plan` (nullptr: none) with results[i] for variant i (nullptr where none), and, for a
    // study on a Slurm cluster, each task's state as `scheduler` says (nullptr: not asked yet).
    void display(const AblationPlan* plan, const std::vector<const RunData*>& results,
                 const std::map<std::string, SchedulerState>* scheduler = nullptr);
    QStandardItemModel* queueModel() { return &queue_; }
    QStandardItemModel* summaryModel() { return &summary_; }
    int firstSummaryNumberColumn() const { return summaryNumbers_; }
    // The study's table in the paper's layout (read from the finished variants' files).
    StudyTableView* studyTable() const { return study_; }
    // Shows the study's table first (true) or the search results.
    void showStudyTable(bool study);

  Q_SIGNALS:
    void newAblationRequested();
    void exportRequested();
    // A study on Slurm: cancel the tasks of the selected variant (-1: all), resubmit the ended
    // ones.
    void cancelRequested(int variant);
    void resubmitRequested();

  private:
    void displayStudy(const AblationPlan& plan);

    QLabel* heading_ = nullptr;
    QTabWidget* results_ = nullptr;
    StudyTableView* study_ = nullptr;
    QStandardItemModel queue_, summary_;
    class QPushButton* cancel_ = nullptr;
    class QPushButton* resubmit_ = nullptr;
    class QTableView* queueView_ = nullptr;
    int summaryNumbers_ = 1;
};

}  // namespace invx::gui
