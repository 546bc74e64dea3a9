#pragma once
// A heat map of one quantity over a weight matrix's rows x quantization groups (QCPColorMap), with
// the cells above a threshold outlined, a hover read-out of row, group and value, and a click that
// reports the cell.
#include <qcustomplot.h>

#include <vector>

namespace invx::gui {

// Viridis: perceptually uniform, readable by colour-blind readers and in grey.
QCPColorGradient viridisGradient();
// Red (low) - white (middle) - blue (high), ColorBrewer's RdBu: for signed changes around zero.
QCPColorGradient divergingGradient();

class GroupMapPlot : public QCustomPlot {
    Q_OBJECT
  public:
    explicit GroupMapPlot(QWidget* parent = nullptr);
    // values: row-major [rows, groups]. Cells >= `outlineAbove` are outlined.
    void setCells(const QString& title, std::int64_t rows, std::int64_t groups,
                  const std::vector<double>& values, double outlineAbove);
    // No cells: the map shows `emptyText` instead.
    void clearCells(const QString& title = {});
    void setColourRange(const QCPRange& range, bool logScale);
    // The colour bar beside the map: its gradient and label.
    void setGradient(const QCPColorGradient& gradient);
    void setColourLabel(const QString& label);
    QCPColorScale* colourScale() const { return colourScale_; }
    QCPColorMap* map() const { return map_; }
    double cell(std::int64_t row, std::int64_t group) const;
    std::int64_t rows() const { return rows_; }
    std::int64_t groups() const { return groups_; }
    void setValueName(const QString& name) { valueName_ = name; }  // the CSV's value column
    const QString& valueName() const { return valueName_; }
    int outlinedCount() const { return outline_->dataCount(); }
    // What the map says while it has no cells (its axes and colour bar hidden until it has).
    void setEmptyText(const QString& text);
    bool showsEmptyText() const;

  Q_SIGNALS:
    void cellHovered(qint64 row, qint64 group);
    void cellClicked(qint64 row, qint64 group);

  private:
    bool cellAt(const QPointF& position, qint64* row, qint64* group) const;
    void updateEmptyState();

    QCPTextElement* title_ = nullptr;
    QCPColorMap* map_ = nullptr;
    QCPColorScale* colourScale_ = nullptr;
    QCPGraph* outline_ = nullptr;
    QCPItemText* emptyItem_ = nullptr;
    QString emptyText_;
    std::int64_t rows_ = 0, groups_ = 0;
    std::vector<double> values_;
    QString valueName_ = QStringLiteral("value");
};

}  // namespace invx::gui
