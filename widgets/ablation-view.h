#pragma once
// The ablation tab: the queue of variants with their states, and the result table with the mean
// and standard deviation across seeds (ablation-dialog.h sets up a new grid).
#include <QStandardItemModel>
#include <QWidget>
#include <vector>

#include "ablation-plan.h"

class QLabel;

namespace invx::gui {

class AblationView : public QWidget {
    Q_OBJECT
  public:
    explicit AblationView(QWidget* parent = nullptr);
    // Shows `plan` (nullptr: none) with results[i] for variant i (nullptr where none).
    void display(const AblationPlan* plan, const std::vector<const RunData*>& results);
    QStandardItemModel* queueModel() { return &queue_; }
    QStandardItemModel* summaryModel() { return &summary_; }
    int firstSummaryNumberColumn() const { return summaryNumbers_; }

  Q_SIGNALS:
    void newAblationRequested();
    void exportRequested();

  private:
    QLabel* heading_ = nullptr;
    QStandardItemModel queue_, summary_;
    int summaryNumbers_ = 1;
};

}  // namespace invx::gui
