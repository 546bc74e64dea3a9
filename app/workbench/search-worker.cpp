#include "search-worker.h"

#include <QMetaObject>

#include "background-priority.h"
#include "invx/compute-devices.h"
#include "invx/search-run.h"

namespace invx::gui {

// Turns the core's observer calls (on the search thread) into queued signals of the worker.
class SearchWorker::Observer : public SearchObserver {
  public:
    explicit Observer(SearchWorker* worker) : worker_(worker) {}

    void onMessage(const std::string& text) override {
        const QString message = QString::fromStdString(text);
        post([w = worker_, message] { Q_EMIT w->message(message); });
    }
    void onBase(const BaseResult& base) override {
        post([w = worker_, base] { Q_EMIT w->baseReady(base); });
    }
    void onStep(const StepRecord& record) override {
        {
            std::lock_guard<std::mutex> lock(worker_->mutex_);
            worker_->pending_.push_back(record);
        }
        if (!worker_->notified_.exchange(true)) post([w = worker_] { Q_EMIT w->stepsReady(); });
    }
    void onEvaluationStart(std::int64_t step) override {
        post([w = worker_, step = qint64(step)] { Q_EMIT w->evaluationStarted(step); });
    }
    void onEvaluation(const EvaluationRecord& record) override {
        post([w = worker_, record] { Q_EMIT w->evaluationReady(record); });
    }
    void onCheckpoint(const SearchCheckpoint& checkpoint) override {
        post([w = worker_, step = qint64(checkpoint.step)] { Q_EMIT w->checkpointReady(step); });
    }

  private:
    template <typename F>
    void post(F&& f) {
        QMetaObject::invokeMethod(worker_, std::forward<F>(f), Qt::QueuedConnection);
    }
    SearchWorker* worker_;
};

SearchWorker::SearchWorker(QObject* parent) : SearchLauncher(parent) {
    qRegisterMetaType<invx::BaseResult>();
    qRegisterMetaType<invx::EvaluationRecord>();
    qRegisterMetaType<invx::SearchSummary>();
}

SearchWorker::~SearchWorker() {
    if (thread_) {
        control_->stop();
        thread_->wait();
        delete thread_;  // its queued end-of-run notice dies with this object
    }
}

QStringList SearchWorker::devices() const {
    QStringList out;
    for (const std::string& d : availableDevices()) out << QString::fromStdString(d);
    return out;
}

bool SearchWorker::running() const { return thread_ != nullptr; }
bool SearchWorker::paused() const { return control_ && control_->paused(); }

bool SearchWorker::holdingWithNoStepsPending() {
    if (!control_ || !control_->holding()) return false;
    std::lock_guard<std::mutex> lock(mutex_);
    return pending_.empty();
}

void SearchWorker::start(const SearchRunRequest& request) {
    if (thread_) {
        Q_EMIT failed(tr("a search is already running; stop it first"));
        return;
    }
    control_ = std::make_unique<SearchControl>();
    pending_.clear();
    notified_ = false;
    thread_ = QThread::create([this, request] { run(request); });
    thread_->setObjectName(QStringLiteral("search"));
    thread_->start(QThread::LowPriority);  // the window's thread keeps precedence on a busy CPU
}

void SearchWorker::run(const SearchRunRequest& request) {
    lowerThisThreadsPriority();  // before libtorch starts its threads from this one
    Observer observer(this);
    try {
        const SearchSummary summary = runSearch(request, observer, *control_);
        // Queued after every step notification: the window sees the last steps first.
        QMetaObject::invokeMethod(
            this,
            [this, summary] {
                waitForThreadEnd();
                Q_EMIT finished(summary);
            },
            Qt::QueuedConnection);
    } catch (const std::exception& e) {
        const QString error = QString::fromStdString(e.what());
        QMetaObject::invokeMethod(
            this,
            [this, error] {
                waitForThreadEnd();
                Q_EMIT failed(error);
            },
            Qt::QueuedConnection);
    }
}

void SearchWorker::waitForThreadEnd() {
    // running() is false once finished()/failed() arrive, so the window may start the next run.
    if (!thread_) return;
    thread_->wait();
    thread_->deleteLater();
    thread_ = nullptr;
}

void SearchWorker::pause() {
    if (control_) control_->pause();
}
void SearchWorker::resume() {
    if (control_) control_->resume();
}
void SearchWorker::stop() {
    if (control_) control_->stop();
}

std::vector<StepRecord> SearchWorker::takeSteps() {
    // Cleared before taking: a step appended after the swap queues a new notification.
    notified_ = false;
    std::vector<StepRecord> out;
    std::lock_guard<std::mutex> lock(mutex_);
    out.swap(pending_);
    return out;
}

bool SearchWorker::waitForFinished(int milliseconds) {
    if (!thread_) return true;
    return thread_->wait(QDeadlineTimer(milliseconds));
}

}  // namespace invx::gui
