#pragma once
// Rebuilds layers for the inspectors on a thread of its own: one ExperimentInspector per experiment
// (the model loaded once), the newest request served first, older unstarted ones dropped.
#include <QThread>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "layer-inspector-source.h"

namespace invx {
class ExperimentInspector;
}

namespace invx::gui {

class InspectorWorker : public LayerInspectorSource {
    Q_OBJECT
  public:
    explicit InspectorWorker(QObject* parent = nullptr);
    ~InspectorWorker() override;
    void request(const QString& experiment, std::int64_t checkpoint, int layer) override;

  private:
    struct Request {
        QString experiment;
        std::int64_t checkpoint;
        int layer;
    };
    void serve();  // on thread_
    LayerInspection inspect(const Request& r);

    QThread thread_;
    QObject* context_ = nullptr;  // lives on thread_: requests run there
    std::mutex mutex_;            // guards pending_
    std::optional<Request> pending_;
    std::map<QString, std::unique_ptr<ExperimentInspector>> inspectors_;  // thread_ only
    // The invariance check is of the whole model at a checkpoint: kept per experiment and
    // checkpoint, so that stepping through layers does not run it again. thread_ only.
    std::map<std::pair<QString, std::int64_t>, QVector<double>> invariance_;
};

}  // namespace invx::gui
