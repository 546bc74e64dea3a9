#pragma once
// The inspector's Permutation tab: where each FFN neuron went, how often each position changed
// across checkpoints, the scales and rotation angles, the accepted changes per layer, and one
// selected neuron's fc1 row and fc2 column with the quantization error of their groups. All but
// the neuron's weights come from the experiment file alone, so a run whose model is not on this
// machine shows them too.
#include <QWidget>
#include <cstdint>
#include <vector>

#include "layer-inspector-source.h"

class QLabel;
class QSpinBox;

namespace invx::gui {

class CurvePlot;

class PermutationInspector : public QWidget {
    Q_OBJECT
  public:
    explicit PermutationInspector(QWidget* parent = nullptr);

    // Draws `shown`, which must stay alive until the next draw(): a neuron picked later reads it.
    void draw(const LayerInspection& shown);
    // The run's accepted steps per layer, for the timeline (from the step table).
    void setAcceptedSteps(const std::vector<double>& step, const std::vector<int>& layer,
                          const std::vector<std::uint8_t>& accepted);
    // Shows original neuron `neuron` (before the search at position `neuron`).
    void showNeuron(std::int64_t neuron);
    std::int64_t selectedNeuron() const;
    QString neuronText() const;

    CurvePlot* displacementPlot() const { return displacement_; }
    CurvePlot* positionChangesPlot() const { return positionChanges_; }
    CurvePlot* scalesPlot() const { return scales_; }
    CurvePlot* anglesPlot() const { return angles_; }
    CurvePlot* timelinePlot() const { return timeline_; }
    CurvePlot* neuronRowPlot() const { return neuronRow_; }
    CurvePlot* neuronColumnPlot() const { return neuronColumn_; }
    CurvePlot* neuronErrorPlot() const { return neuronErrors_; }

  private:
    void drawNeuron();
    // Without the weights: where the neuron went, its scale and angle, from the file alone.
    void describeNeuronWithoutWeights(std::int64_t neuron);

    const LayerInspection* shown_ = nullptr;
    QSpinBox* neuron_ = nullptr;
    QLabel* neuronText_ = nullptr;
    CurvePlot *displacement_ = nullptr, *positionChanges_ = nullptr, *scales_ = nullptr,
              *angles_ = nullptr, *timeline_ = nullptr, *neuronRow_ = nullptr,
              *neuronColumn_ = nullptr, *neuronErrors_ = nullptr;
};

}  // namespace invx::gui
