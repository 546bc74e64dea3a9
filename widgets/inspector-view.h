#pragma once
// The inspectors of one run: what quantization and the search did to a layer at a checkpoint.
// Weight histograms (original, transformed, quantized; and the quantization error before and
// after), outlier maps over rows x groups before and after the search on one colour scale, the
// weights of a clicked group against their quantization grid, where each neuron went and the
// scales, and the invariance check. Layers are rebuilt by a LayerInspectorSource off this thread.
#include <QWidget>
#include <vector>

#include "layer-inspector-source.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSlider;
class QSpinBox;
class QCPColorScale;

namespace invx::gui {

class CurvePlot;
class GroupMapPlot;

class InspectorView : public QWidget {
    Q_OBJECT
public:
    explicit InspectorView(QWidget* parent = nullptr);

    void setSource(LayerInspectorSource* source);
    // The run to inspect and its checkpoints' steps; asks for its last checkpoint.
    void setExperiment(const QString& path, const std::vector<std::int64_t>& checkpointSteps, int layers);
    // The run's accepted steps per layer, for the timeline (from the step table).
    void setAcceptedSteps(const std::vector<double>& step, const std::vector<int>& layer,
                          const std::vector<std::uint8_t>& accepted);
    const QString& experiment() const { return experiment_; }
    void selectCheckpoint(std::int64_t index);
    std::int64_t selectedCheckpoint() const;
    // Draws an answer (the source's, or a test's).
    void display(const LayerInspection& inspection);
    const LayerInspection& shown() const { return shown_; }

    CurvePlot* histogramPlot() const { return histogram_; }
    CurvePlot* errorPlot() const { return errors_; }
    GroupMapPlot* beforeMap() const { return before_; }
    GroupMapPlot* afterMap() const { return after_; }
    CurvePlot* groupPlot() const { return group_; }
    CurvePlot* displacementPlot() const { return displacement_; }
    CurvePlot* scalesPlot() const { return scales_; }
    CurvePlot* anglesPlot() const { return angles_; }
    CurvePlot* timelinePlot() const { return timeline_; }
    QString invarianceText() const;
    void showGroup(std::int64_t row, std::int64_t group);
    // Every view as <name>.<format> in `directory`, drawn fresh in `style` (the screen is left as
    // it is). Returns the files; throws std::runtime_error with the first failure's sentence.
    QStringList exportFigures(const QString& directory, const QStringList& formats, const QString& preset);

private:
    void ask();
    void redraw();
    const WeightSnapshot& matrix(const LayerSnapshot& s) const;

    LayerInspectorSource* source_ = nullptr;
    QString experiment_;
    std::vector<std::int64_t> steps_;
    LayerInspection shown_;
    bool haveShown_ = false;
    std::int64_t groupRow_ = -1, groupIndex_ = -1;  // the group last clicked
    std::vector<double> acceptedStep_;
    std::vector<int> acceptedLayer_;
    std::vector<std::uint8_t> accepted_;

    QLabel *title_ = nullptr, *step_ = nullptr, *invariance_ = nullptr, *hover_ = nullptr;
    QSlider* checkpoint_ = nullptr;
    QSpinBox* layer_ = nullptr;
    QComboBox *matrix_ = nullptr, *quantity_ = nullptr;
    QCheckBox *logColour_ = nullptr, *logCounts_ = nullptr;
    QDoubleSpinBox* percentile_ = nullptr;
    CurvePlot *histogram_ = nullptr, *errors_ = nullptr, *group_ = nullptr, *displacement_ = nullptr, *scales_ = nullptr,
              *angles_ = nullptr, *timeline_ = nullptr;
    GroupMapPlot *before_ = nullptr, *after_ = nullptr;
    QCPColorScale* colourScale_ = nullptr;
};

}  // namespace invx::gui
