#pragma once
// The inspector's Outlier Maps tab: a per-group quantity over a matrix's rows x quantization
// groups before and after the search, on one colour scale, groups above a percentile outlined; a
// clicked group's weights against their quantization grid.
#include <QWidget>
#include <cstdint>

#include "invx/search-records.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;

namespace invx::gui {

class CurvePlot;
class GroupMapPlot;

class OutlierMapInspector : public QWidget {
    Q_OBJECT
  public:
    explicit OutlierMapInspector(QWidget* parent = nullptr);

    // The selected matrix now and before the search (the same for attention) at `step`. The
    // snapshots must stay alive until the next draw() or clear(): hovers and clicks read them.
    void draw(const WeightSnapshot& now, const WeightSnapshot& start, bool attention,
              std::int64_t step);
    // Nothing to draw: the maps say `why` (the model is not on this machine).
    void clear(const QString& why);
    // The weights of group `group` of row `row` against their grid (ignored out of range).
    void showGroup(std::int64_t row, std::int64_t group);
    // Another matrix: the clicked group no longer applies.
    void forgetGroup();
    bool hasGroup() const { return groupRow_ >= 0; }
    std::int64_t groupRow() const { return groupRow_; }
    std::int64_t groupIndex() const { return groupIndex_; }

    // The choices, for a copy drawn for export.
    int quantity() const;
    void setQuantity(int index);
    bool logColour() const;
    void setLogColour(bool on);
    double percentile() const;
    void setPercentile(double value);

    GroupMapPlot* beforeMap() const { return before_; }
    GroupMapPlot* afterMap() const { return after_; }
    CurvePlot* groupPlot() const { return group_; }

  Q_SIGNALS:
    void optionsChanged();

  private:
    void drawErrorReduction(const QString& afterTitle);
    void showHover(std::int64_t row, std::int64_t group);

    const WeightSnapshot *now_ = nullptr, *start_ = nullptr;
    bool attention_ = false;
    std::int64_t step_ = 0;
    std::int64_t groupRow_ = -1, groupIndex_ = -1;  // the group last clicked
    QComboBox* quantity_ = nullptr;
    QCheckBox* logColour_ = nullptr;
    QDoubleSpinBox* percentile_ = nullptr;
    QLabel* hover_ = nullptr;
    GroupMapPlot *before_ = nullptr, *after_ = nullptr;
    CurvePlot* group_ = nullptr;
};

}  // namespace invx::gui
