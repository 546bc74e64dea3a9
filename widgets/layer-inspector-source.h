#pragma once
// What the inspectors need from whoever can rebuild layers (the core, over libtorch): a layer of an
// experiment at a checkpoint, answered later through a queued signal. The workbench's worker
// (app/workbench/inspector-worker) loads each experiment's model once on its own thread.
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>
#include <memory>

#include "invx/search-records.h"

namespace invx::gui {

struct LayerInspection {
    QString experiment;
    std::int64_t checkpoint = 0;  // index into the file's checkpoints
    std::int64_t checkpointCount = 0;
    LayerSnapshot start;  // the layer before the search (identity state)
    LayerSnapshot now;    // the layer at `checkpoint`
    std::vector<WeightSnapshot>
        attention;  // q_proj, k_proj, v_proj, out_proj (the search leaves them)
    std::vector<double>
        positionChanges;         // per FFN position: checkpoints up to this one that moved it
    QVector<double> invariance;  // per decoder layer: largest |original - transformed| output
    QString device;              // where the layer was rebuilt: "cpu", "cuda:0"; "" = not rebuilt
    // A run whose model could not be loaded here: what the file alone holds (the invariance
    // states, position changes; no weights, no invariance check), the model as the file names it
    // and the core's sentence saying why.
    QString missingModel, missingModelReason;
    bool hasWeights() const { return now.fc1.rows > 0; }
};

class LayerInspectorSource : public QObject {
    Q_OBJECT
  public:
    using QObject::QObject;
    // Asks for `layer` at `checkpoint` (-1: the last). A newer request replaces one not yet
    // started.
    virtual void request(const QString& experiment, std::int64_t checkpoint, int layer) = 0;
    // Where layers can be rebuilt: "cpu", and "cuda" where this machine has a GPU.
    virtual QStringList devices() const { return {QStringLiteral("cpu")}; }
    // Rebuild on `device` from the next request on (models already loaded move when asked again).
    virtual void setDevice(const QString& device) {}

  Q_SIGNALS:
    // The answer is handed over whole (a demo layer's snapshots are tens of MB): the view that
    // shows it takes its contents instead of copying them on the window's thread.
    void ready(std::shared_ptr<invx::gui::LayerInspection> inspection);
    void failed(const QString& error);
};

}  // namespace invx::gui

Q_DECLARE_METATYPE(invx::gui::LayerInspection)
Q_DECLARE_METATYPE(std::shared_ptr<invx::gui::LayerInspection>)
