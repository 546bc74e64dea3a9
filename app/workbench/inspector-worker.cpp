#include "inspector-worker.h"

#include <QMetaObject>

#include "background-priority.h"
#include "file-layer-inspection.h"
#include "invx/compute-devices.h"
#include "invx/experiment-inspector.h"

namespace invx::gui {

InspectorWorker::InspectorWorker(QObject* parent) : LayerInspectorSource(parent) {
    qRegisterMetaType<invx::gui::LayerInspection>();
    qRegisterMetaType<std::shared_ptr<invx::gui::LayerInspection>>();
    context_ = new QObject;
    context_->moveToThread(&thread_);
    connect(&thread_, &QThread::finished, context_, &QObject::deleteLater);
    thread_.setObjectName(QStringLiteral("inspector"));
    thread_.start(QThread::LowPriority);
    QMetaObject::invokeMethod(context_, &lowerThisThreadsPriority, Qt::QueuedConnection);
}

InspectorWorker::~InspectorWorker() {
    thread_.quit();
    thread_.wait();
}

QStringList InspectorWorker::devices() const {
    QStringList out;
    for (const std::string& d : availableDevices()) out << QString::fromStdString(d);
    return out;
}

void InspectorWorker::setDevice(const QString& device) {
    std::lock_guard<std::mutex> lock(mutex_);
    device_ = device;
}

void InspectorWorker::request(const QString& experiment, std::int64_t checkpoint, int layer) {
    bool idle = false;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        idle = !pending_.has_value();
        pending_ = Request{experiment, checkpoint, layer, device_};
    }
    if (idle)
        QMetaObject::invokeMethod(
            context_, [this] { serve(); }, Qt::QueuedConnection);
}

void InspectorWorker::serve() {
    std::optional<Request> next;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        next.swap(pending_);
    }
    if (!next) return;
    try {
        Q_EMIT ready(std::make_shared<LayerInspection>(inspect(*next)));  // queued to the window
    } catch (const std::exception& e) {
        Q_EMIT failed(QString::fromStdString(e.what()));
    }
}

LayerInspection InspectorWorker::inspect(const Request& r) {
    const auto missing = missingModels_.find({r.experiment, r.device});
    if (missing != missingModels_.end())
        return inspectFromFile(r.experiment, r.checkpoint, r.layer, missing->second);
    std::unique_ptr<ExperimentInspector>& inspector = inspectors_[r.experiment];
    // Another device asked for: the model is loaded again there.
    if (inspector && !QString::fromStdString(inspector->device()).startsWith(r.device))
        inspector.reset();
    if (!inspector) {
        try {
            inspector = std::make_unique<ExperimentInspector>(r.experiment.toStdString(), "",
                                                              r.device.toStdString());
        } catch (const std::exception& e) {
            // Most often the model is not on this machine: what the file holds is still shown
            // (a file that cannot be read throws from here with its own sentence).
            const QString reason = QString::fromStdString(e.what());
            LayerInspection fromFile = inspectFromFile(r.experiment, r.checkpoint, r.layer, reason);
            missingModels_[{r.experiment, r.device}] = reason;
            return fromFile;
        }
    }
    LayerInspection out;
    out.experiment = r.experiment;
    out.device = QString::fromStdString(inspector->device());
    out.checkpointCount = inspector->checkpointCount();
    out.checkpoint = r.checkpoint < 0 ? out.checkpointCount - 1 : r.checkpoint;
    out.start = inspector->inspectStart(r.layer);
    out.now = inspector->inspectLayer(out.checkpoint, r.layer);
    out.attention = inspector->inspectAttention(r.layer);
    for (std::int64_t n : inspector->positionChanges(r.layer, out.checkpoint))
        out.positionChanges.push_back(double(n));
    QVector<double>& invariance = invariance_[{r.experiment, out.checkpoint}];
    if (invariance.isEmpty())
        for (double d : inspector->invarianceCheck(out.checkpoint)) invariance.push_back(d);
    out.invariance = invariance;
    return out;
}

}  // namespace invx::gui
