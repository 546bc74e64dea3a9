#pragma once
// The inspectors of one run: what quantization and the search did to a layer at a checkpoint, in
// three tabs sharing the checkpoint slider, the layer and the matrix.
// - Weights: histograms of the original, transformed and quantized weights and of the quantization
//   error before and after the search; the invariance check of every layer.
// - Outlier maps: a per-group quantity over rows x groups before and after the search on one colour
//   scale, groups above a percentile outlined; a clicked group's weights against their grid.
// - Permutation: where each neuron went, how often each position changed across checkpoints, the
//   scales and angles, the accepted changes per layer, and one selected neuron's fc1 row and fc2
//   column with the quantization error of their groups.
// Layers are rebuilt by a LayerInspectorSource off this thread.
#include <QWidget>
#include <vector>

#include "layer-inspector-source.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSlider;
class QSpinBox;
class QTabWidget;

namespace invx::gui {

class CurvePlot;
class GroupMapPlot;

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
    // Draws an answer (the source's, or a test's).
    void display(const LayerInspection& inspection);
    const LayerInspection& shown() const { return shown_; }

    CurvePlot* histogramPlot() const { return histogram_; }
    CurvePlot* errorPlot() const { return errors_; }
    CurvePlot* invariancePlot() const { return invariancePlot_; }
    GroupMapPlot* beforeMap() const { return before_; }
    GroupMapPlot* afterMap() const { return after_; }
    CurvePlot* groupPlot() const { return group_; }
    CurvePlot* displacementPlot() const { return displacement_; }
    CurvePlot* positionChangesPlot() const { return positionChanges_; }
    CurvePlot* scalesPlot() const { return scales_; }
    CurvePlot* anglesPlot() const { return angles_; }
    CurvePlot* timelinePlot() const { return timeline_; }
    CurvePlot* neuronRowPlot() const { return neuronRow_; }
    CurvePlot* neuronColumnPlot() const { return neuronColumn_; }
    CurvePlot* neuronErrorPlot() const { return neuronErrors_; }
    QString invarianceText() const;
    QString neuronText() const;
    void showGroup(std::int64_t row, std::int64_t group);
    // Shows original neuron `neuron` (before the search at position `neuron`).
    void showNeuron(std::int64_t neuron);
    std::int64_t selectedNeuron() const;
    // Every view as <name>.<format> in `directory`, drawn fresh in `style` (the screen is left as
    // it is). Returns the files; throws std::runtime_error with the first failure's sentence.
    QStringList exportFigures(const QString& directory, const QStringList& formats,
                              const QString& preset);

  private:
    QWidget* buildWeightsTab();
    QWidget* buildMapsTab();
    QWidget* buildPermutationTab();
    void ask();
    void redraw();
    void drawWeights();
    void drawMaps();
    void drawPermutation();
    void drawNeuron();
    void drawInvariance();
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
    std::int64_t groupRow_ = -1, groupIndex_ = -1;  // the group last clicked
    std::vector<double> acceptedStep_;
    std::vector<int> acceptedLayer_;
    std::vector<std::uint8_t> accepted_;

    QLabel *title_ = nullptr, *step_ = nullptr, *invariance_ = nullptr, *hover_ = nullptr,
           *neuronText_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    QSlider* checkpoint_ = nullptr;
    QSpinBox *layer_ = nullptr, *neuron_ = nullptr;
    QComboBox *matrix_ = nullptr, *quantity_ = nullptr;
    QCheckBox *logColour_ = nullptr, *logCounts_ = nullptr;
    QDoubleSpinBox* percentile_ = nullptr;
    CurvePlot *histogram_ = nullptr, *errors_ = nullptr, *invariancePlot_ = nullptr,
              *group_ = nullptr, *displacement_ = nullptr, *positionChanges_ = nullptr,
              *scales_ = nullptr, *angles_ = nullptr, *timeline_ = nullptr, *neuronRow_ = nullptr,
              *neuronColumn_ = nullptr, *neuronErrors_ = nullptr;
    GroupMapPlot *before_ = nullptr, *after_ = nullptr;
};

}  // namespace invx::gui
