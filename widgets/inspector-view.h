#pragma once
// The inspectors of one run: what quantization and the search did to a layer at a checkpoint, in
// three tabs sharing the checkpoint slider, the layer and the matrix (WeightsInspector,
// OutlierMapInspector, PermutationInspector). Layers are rebuilt by a LayerInspectorSource off this
// thread, on the device chosen here where there is a choice. A run whose model is not on this
// machine shows what its file alone holds, with one line saying what needs the model.
#include <QWidget>
#include <vector>

#include "layer-inspector-source.h"

class QComboBox;
class QLabel;
class QSlider;
class QSpinBox;
class QTabWidget;

namespace invx::gui {

class CurvePlot;
class GroupMapPlot;
class OutlierMapInspector;
class PermutationInspector;
class WeightsInspector;

class InspectorView : public QWidget {
    Q_OBJECT
  public:
    enum Tab { WeightsTab, MapsTab, PermutationTab };

    explicit InspectorView(QWidget* parent = nullptr);

    void setSource(LayerInspectorSource* source);
    // The run to inspect and its checkpoints' steps; asks for its last checkpoint.
    void setExperiment(const QString& path, const std::vector<std::int64_t>& checkpointSteps,
                       int layers);
    // The run's accepted steps per layer, for the timeline (from the step table).
    void setAcceptedSteps(const std::vector<double>& step, const std::vector<int>& layer,
                          const std::vector<std::uint8_t>& accepted);
    const QString& experiment() const { return experiment_; }
    // A running experiment wrote more checkpoints: the slider reaches them, and when it stood at
    // the last one it moves on to the newest (which asks for it).
    void updateCheckpoints(const std::vector<std::int64_t>& checkpointSteps);
    std::int64_t checkpointCount() const { return std::int64_t(steps_.size()); }
    void selectCheckpoint(std::int64_t index);
    std::int64_t selectedCheckpoint() const;
    // "q_proj", "k_proj", "v_proj", "out_proj", "fc1" or "fc2" (those the shown layer has).
    void selectMatrix(const QString& name);
    QString selectedMatrix() const;
    void selectTab(Tab tab);
    // The device layers are rebuilt on ("cpu", "cuda"): the source's choices; the combo is
    // enabled only where there is more than one.
    QString device() const;
    void selectDevice(const QString& device);
    // Draws an answer (the source's, moved in; or a test's).
    void display(LayerInspection inspection);
    const LayerInspection& shown() const { return shown_; }
    // The one line shown while the model is not on this machine ("" otherwise).
    QString modelNote() const;

    CurvePlot* histogramPlot() const;
    CurvePlot* errorPlot() const;
    CurvePlot* invariancePlot() const;
    GroupMapPlot* beforeMap() const;
    GroupMapPlot* afterMap() const;
    CurvePlot* groupPlot() const;
    CurvePlot* displacementPlot() const;
    CurvePlot* positionChangesPlot() const;
    CurvePlot* scalesPlot() const;
    CurvePlot* anglesPlot() const;
    CurvePlot* timelinePlot() const;
    CurvePlot* neuronRowPlot() const;
    CurvePlot* neuronColumnPlot() const;
    CurvePlot* neuronErrorPlot() const;
    QString invarianceText() const;
    QString neuronText() const;
    void showGroup(std::int64_t row, std::int64_t group);
    // Shows original neuron `neuron` (before the search at position `neuron`).
    void showNeuron(std::int64_t neuron);
    std::int64_t selectedNeuron() const;
    // Every view that has something to show as <name>.<format> in `directory`, drawn fresh in
    // `style` (the screen is left as it is). Returns the files; throws std::runtime_error with the
    // first failure's sentence.
    QStringList exportFigures(const QString& directory, const QStringList& formats,
                              const QString& preset);

  private:
    QLayout* buildControls();
    void ask();
    void redraw();
    void showWithoutModel();
    QString titleText(const LayerInspection& inspection) const;
    // The selected matrix now and before the search (the same for attention, which the search
    // leaves alone); null when the shown layer lacks it.
    const WeightSnapshot* matrixNow() const;
    const WeightSnapshot* matrixStart() const;
    bool attentionSelected() const;

    LayerInspectorSource* source_ = nullptr;
    QString experiment_;
    std::vector<std::int64_t> steps_;
    LayerInspection shown_;
    bool haveShown_ = false;
    std::vector<double> acceptedStep_;
    std::vector<int> acceptedLayer_;
    std::vector<std::uint8_t> accepted_;

    QLabel *title_ = nullptr, *step_ = nullptr, *invariance_ = nullptr, *modelNote_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    QSlider* checkpoint_ = nullptr;
    QSpinBox* layer_ = nullptr;
    QComboBox *matrix_ = nullptr, *device_ = nullptr;
    WeightsInspector* weights_ = nullptr;
    OutlierMapInspector* maps_ = nullptr;
    PermutationInspector* permutation_ = nullptr;
};

}  // namespace invx::gui
