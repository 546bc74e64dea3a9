#pragma once
// The ablation tab: the queue of variants with their states, and two tables of the finished
// ones: the study's in the paper's layout (baseline row, WikiText-2, C4, the six tasks; mean ± sd
// over seeds) and the searches' own (final and best perplexity, best loss). ablation-dialog.h sets
// up a new grid or study.
#include <QStandardItemModel>
#include <QWidget>
#include <vector>

#include "ablation-plan.h"

class QLabel;
class QTabWidget;

namespace invx::gui {

class StudyTableView;

class AblationView : public QWidget {
    Q_OBJECT
  public:
    explicit AblationView(QWidget* parent = nullptr);
    // Shows `plan` (nullptr: none) with results[i] for variant i (nullptr where none).
    void display(const AblationPlan* plan, const std::vector<const RunData*>& results);
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

  private:
    void displayStudy(const AblationPlan& plan);

    QLabel* heading_ = nullptr;
    QTabWidget* results_ = nullptr;
    StudyTableView* study_ = nullptr;
    QStandardItemModel queue_, summary_;
    int summaryNumbers_ = 1;
};

}  // namespace invx::gui
