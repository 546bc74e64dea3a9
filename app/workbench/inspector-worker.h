#pragma once
// Rebuilds layers for the inspectors on a thread of its own: one ExperimentInspector per experiment
// (the model loaded once, on the chosen device), the newest request served first, older unstarted
// ones dropped. A run whose model cannot be loaded here is answered from its file alone
// (inspectFromFile), without trying the model again for every request.
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
    QStringList devices() const override;
    void setDevice(const QString& device) override;

  private:
    struct Request {
        QString experiment;
        std::int64_t checkpoint;
        int layer;
        QString device;
    };
    void serve();  // on thread_
    LayerInspection inspect(const Request& r);

    QThread thread_;
    QObject* context_ = nullptr;  // lives on thread_: requests run there
    std::mutex mutex_;            // guards pending_ and device_
    std::optional<Request> pending_;
    QString device_ = QStringLiteral("cpu");
    std::map<QString, std::unique_ptr<ExperimentInspector>> inspectors_;  // thread_ only
    // Experiments whose model could not be loaded on a device, with the core's sentence: answered
    // from the file until the device changes. thread_ only.
    std::map<std::pair<QString, QString>, QString> missingModels_;
    // The invariance check is of the whole model at a checkpoint: kept per experiment and
    // checkpoint, so that stepping through layers does not run it again. thread_ only.
    std::map<std::pair<QString, std::int64_t>, QVector<double>> invariance_;
};

}  // namespace invx::gui
