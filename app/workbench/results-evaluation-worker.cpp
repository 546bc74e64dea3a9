#include "results-evaluation-worker.h"

#include <QFileInfo>
#include <QMetaObject>
#include <map>

#include "background-priority.h"
#include "invx/model-evaluation.h"

namespace invx::gui {

// The core's progress (on the worker's thread) as queued progress() signals.
class ResultsEvaluationWorker::Observer : public EvaluationObserver {
  public:
    Observer(ResultsEvaluationWorker* worker, QString prefix)
        : worker_(worker), prefix_(std::move(prefix)) {}

    void onMessage(const std::string& text) override { post(QString::fromStdString(text)); }
    bool onPerplexityProgress(const PerplexityProgress& p) override {
        post(ResultsEvaluationWorker::tr("perplexity window %1 of %2")
                 .arg(p.windowsDone)
                 .arg(p.windowsTotal));
        return !worker_->stopping_;
    }
    void onTaskProgress(const std::string& task, std::int64_t done, std::int64_t total) override {
        post(ResultsEvaluationWorker::tr("%1: %2 of %3 requests")
                 .arg(QString::fromStdString(task))
                 .arg(done)
                 .arg(total));
    }

  private:
    void post(const QString& text) {
        const QString line = prefix_ + text;
        QMetaObject::invokeMethod(
            worker_, [w = worker_, line] { Q_EMIT w->progress(line); }, Qt::QueuedConnection);
    }
    ResultsEvaluationWorker* worker_;
    QString prefix_;
};

ResultsEvaluationWorker::ResultsEvaluationWorker(QObject* parent) : ResultsEvaluator(parent) {}

ResultsEvaluationWorker::~ResultsEvaluationWorker() {
    if (thread_) {
        stopping_ = true;
        thread_->wait();
        delete thread_;
    }
}

bool ResultsEvaluationWorker::running() const { return thread_ != nullptr; }

void ResultsEvaluationWorker::start(const std::vector<ResultsMeasurement>& needs,
                                    const CommandSettings& settings) {
    if (thread_) {
        Q_EMIT failed(tr("a measurement is already running; stop it first"));
        return;
    }
    stopping_ = false;
    thread_ = QThread::create([this, needs, settings] { run(needs, settings); });
    thread_->setObjectName(QStringLiteral("results"));
    thread_->start(QThread::LowPriority);
}

void ResultsEvaluationWorker::stop() { stopping_ = true; }

void ResultsEvaluationWorker::run(const std::vector<ResultsMeasurement>& needs,
                                  const CommandSettings& settings) {
    lowerThisThreadsPriority();  // the window keeps the larger share of the CPU
    QString error;
    std::map<std::string, std::vector<std::int32_t>> tokenIds;  // every row is of one model
    try {
        for (std::size_t i = 0; i < needs.size() && !stopping_; ++i) {
            const ResultsMeasurement& need = needs[i];
            Observer observer(this,
                              tr("[%1/%2] the %3 model of %4: ")
                                  .arg(i + 1)
                                  .arg(needs.size())
                                  .arg(QString::fromStdString(need.model),
                                       QFileInfo(QString::fromStdString(need.path)).fileName()));
            measureMissingResults(need, settings, "", "", &tokenIds, observer);
            QMetaObject::invokeMethod(
                this, [this] { Q_EMIT recorded(); }, Qt::QueuedConnection);
        }
    } catch (const std::exception& e) {
        error = QString::fromStdString(e.what());
    }
    QMetaObject::invokeMethod(
        this,
        [this, error, stopped = bool(stopping_)] {
            thread_->wait();
            delete thread_;
            thread_ = nullptr;
            if (error.isEmpty())
                Q_EMIT finished(stopped);
            else
                Q_EMIT failed(error);
        },
        Qt::QueuedConnection);
}

}  // namespace invx::gui
