#pragma once
// An ablation's queue, run variant after variant: each starts through the live-run controller when
// the one before ends; its outcome is written into the queue, which is saved as it goes so that a
// later session carries on (finished variants stay, an interrupted one resumes from its file). The
// Ablation tab shows the queue and the finished variants' results.
#include <QObject>
#include <memory>
#include <optional>
#include <vector>

#include "ablation-plan.h"
#include "invx/search-run.h"
#include "run-data.h"

namespace invx::gui {

class AblationView;
class LiveRunController;
class MessageSink;

class AblationRunner : public QObject {
    Q_OBJECT
  public:
    // `messages` stays the caller's and must outlive this.
    AblationRunner(LiveRunController* live, AblationView* view, MessageSink* messages,
                   QObject* parent = nullptr);

    const AblationPlan* plan() const { return plan_ ? &*plan_ : nullptr; }
    // Saves a new queue of `axes` around `base` in `folder` and starts its first variant. False,
    // with the reason in `error`, while a search runs or when the queue cannot be made.
    bool start(const SearchRunRequest& base, const std::vector<AblationAxis>& axes,
               const QString& folder, QString* error = nullptr);
    // Reopens a saved queue and carries on with its next variant.
    bool carryOn(const QString& queueFile, QString* error = nullptr);
    // Shows the queue of the last session (QSettings' ablation/queue) without running it.
    void restoreLast();
    // The running variant's end, whatever it is, ends the queue (it stays saved to carry on later).
    void interrupt();

  Q_SIGNALS:
    void statusTextChanged(const QString& text);

  private:
    void loadResults();
    void startNextVariant();
    void variantEnded(const QString& outcome);
    void save();
    void refreshView();

    LiveRunController* live_;
    AblationView* view_;
    MessageSink* messages_;
    std::optional<AblationPlan> plan_;
    int running_ = -1;  // the variant the live run is, -1 for none
    bool interrupted_ = false;
    std::vector<std::unique_ptr<RunData>> results_;  // per variant, the finished ones' data
};

}  // namespace invx::gui
