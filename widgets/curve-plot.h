#pragma once
// A QCustomPlot of curves against step or time that stays smooth with millions of points: the
// data stays whole in the curve, the graph holds a min/max-per-pixel-column reduction of the
// visible range, rebuilt when the range or size changes. Smoothing (EMA or moving average) draws
// the smoothed curve over the raw one, drawn faintly. Curves that grow (a live run) are extended
// by their new points: what is derived from them (smoothing, min/max blocks, value range) grows
// with those points alone, so a redraw costs the new points and the visible columns. Drag pans,
// the wheel zooms, a double click fits the data, and a crosshair reads every curve's value at the
// cursor.
#include <qcustomplot.h>

#include <QPointer>
#include <vector>

#include "curve-smoothing.h"
#include "series-decimation.h"

namespace invx::gui {

struct Curve {
    QString name;              // legend entry
    std::vector<double> x, y;  // x sorted ascending
    QColor color;
    Qt::PenStyle style = Qt::SolidLine;
    bool smoothable = true;  // step series; evaluations (a few points) are drawn as they are
    bool markers = false;    // a marker on every point (evaluations)
    double width = 1.6;      // pen width on screen
    bool stepped = false;    // a state that holds until the next point (the accepted loss)
    bool inLegend = true;
    double markerSize = 5;  // with `markers`: open circles, or filled dots when `dots`
    bool dots = false;
    // A band around the curve (a seed group's min-max or ± sd), one value per x; empty for none.
    std::vector<double> lower{}, upper{};
};

// A horizontal line across the plot: a reference the curves are read against (a base method's
// value before the search).
struct ReferenceLine {
    QString name;
    double y = 0;
    QColor color;
    Qt::PenStyle style = Qt::DashLine;
};

// How a legend shows one entry, wherever it is drawn (legend-painter.h).
struct LegendEntry {
    QString label;
    QString toolTip;
    QColor color;
    Qt::PenStyle style = Qt::SolidLine;
    double width = 1.6;   // the curve's width on screen
    bool band = false;    // a mean with a band: a tinted box behind the line
    bool marker = false;  // an open circle on the line
    bool bar = false;     // a filled box
};

// Points for the end of a curve (x beyond its last point).
struct CurveTail {
    std::vector<double> x, y;
};

class CurvePlot : public QCustomPlot {
    Q_OBJECT
  public:
    explicit CurvePlot(QWidget* parent = nullptr);

    void setLabels(const QString& title, const QString& xLabel, const QString& yLabel);
    QString title() const;
    void setCurves(std::vector<Curve> curves);
    const std::vector<Curve>& curves() const { return curves_; }
    // Extends the curves by tails[i] for curves()[i] (as many as there are curves), then fits (when
    // following) and redraws as setCurves does: the same result as setCurves with the longer
    // curves, at the cost of the new points.
    void appendToCurves(const std::vector<CurveTail>& tails);
    // What the plot derived from curve i (for tests): its smoothed values (empty when not smoothed)
    // and the min/max blocks of its raw and smoothed values.
    const std::vector<double>& smoothedValues(std::size_t i) const {
        return summaries_.at(i).smoothed;
    }
    const MinMaxBlocks& rawBlocks(std::size_t i) const { return summaries_.at(i).rawBlocks; }
    const MinMaxBlocks& smoothedBlocks(std::size_t i) const {
        return summaries_.at(i).smoothedBlocks;
    }
    void setLogX(bool on);
    void setLogY(bool on);
    void setSmoothing(Smoothing kind, double parameter);
    // Follow the data's growth (live runs) until the user pans or zooms; a double click resumes.
    void setFollowData(bool on) { follow_ = on; }
    void fitToData();
    // A key range that fitting always includes (the perplexity figure spans the runs' steps, so
    // its x axis lines up with the step curves' axes). Empty (lower > upper) for none.
    void setKeyExtent(double lower, double upper) {
        keyExtent_ = QCPRange(lower, upper);
        hasKeyExtent_ = lower <= upper;
    }
    // Rebuilds the displayed (decimated) data now; normally done on range changes.
    void updateDisplayData();
    // Bars instead of curves: one bar series per entry of `series`, grouped side by side at the
    // integer keys 0..categories-1 (acceptance per layer).
    struct BarSeries {
        QString name;
        std::vector<double> values;
        QColor color;
    };
    void setBars(const QString& keyLabelPrefix, std::vector<BarSeries> series);
    // The same with a label of its own for each category.
    void setBars(const QStringList& categoryLabels, std::vector<BarSeries> series);
    const std::vector<BarSeries>& bars() const { return bars_; }
    // Legend entries per row above bars (set before setBars): 2, or 4 in a double-column figure.
    void setBarLegendColumns(int n) { barLegendColumns_ = std::max(n, 1); }
    // Display columns per pixel of width: 1 on screen, more for vector exports.
    void setColumnsPerPixel(double n) { columnsPerPixel_ = n; }
    // Total points the graphs hold for display (for tests and the benchmark).
    int displayedPointCount() const;

    // Horizontal reference lines, drawn under the curves and taken in when fitting the value axis.
    void setReferenceLines(std::vector<ReferenceLine> lines);
    const std::vector<ReferenceLine>& referenceLines() const { return references_; }
    // Pens as a multiple of their screen widths (an export's line width in points over 1.6).
    void setPenScale(double scale);
    // What the plot says where it has nothing to draw yet (its axes hidden until it has).
    void setEmptyText(const QString& text);
    bool showsEmptyText() const;
    // A margin around the keys, as a fraction of their range, so that markers at the ends show
    // whole (figures set 0.02; 0 by default).
    void setKeyPadding(double fraction) { keyPadding_ = fraction; }
    // Category ticks 0..count-1 labelled by `labels` (numbers where empty), every k-th one only
    // when there are many, so that 40 or 80 layers stay readable; count 0: the usual ticks.
    void setCategoryTicks(int count, const QStringList& labels = {});
    // The plot's own legend under the axis rect, outside the data (shown), or nowhere.
    void setLegendBelow(bool shown);
    // The entries a legend of this plot shows: curves in the legend, bands, reference lines, bars.
    std::vector<LegendEntry> legendEntries() const;

  Q_SIGNALS:
    void curveClicked(double x);

  protected:
    void resizeEvent(QResizeEvent* event) override;

  private:
    // What is derived from a curve's points, extended with them as the curve grows.
    struct CurveSummary {
        std::vector<double> smoothed;  // empty when not smoothed
        SmoothingState smoothing;
        MinMaxBlocks rawBlocks, smoothedBlocks;
        QCPRange finite, positive;  // the range of the finite values, and of the positive ones
        bool anyFinite = false, anyPositive = false;
    };

    // Extends summaries_[i] by the points of curves_[i] from `from` on.
    void summarise(std::size_t i, std::size_t from);
    // After new data: fits it when following, and rebuilds the display data once.
    void redisplay();
    QCPRange valueRange(bool positiveOnly, bool* found) const;
    void onMouseMove(QMouseEvent* event);
    void showCrosshair(double x);
    void rebuildGraphs();
    void setLogScale(QCPAxis* axis, bool* state, bool on);
    void updateBands(const QCPRange& range, int pixels);
    void updateEmptyState();
    void extendRange(CurveSummary& s, double v) const;

    std::vector<Curve> curves_;
    std::vector<BarSeries> bars_;
    QCPBarsGroup* barsGroup_ = nullptr;
    double columnsPerPixel_ = 1;
    int barLegendColumns_ = 2;
    QCPRange keyExtent_;  // QCPRange orders its ends, so whether there is one is kept apart
    bool hasKeyExtent_ = false;
    QPointF pressedAt_;
    std::vector<CurveSummary> summaries_;  // per curve
    std::vector<QCPGraph*> rawGraphs_, smoothGraphs_;
    std::vector<std::pair<QCPGraph*, QCPGraph*>> bandGraphs_;  // per curve: lower, upper (or null)
    std::vector<ReferenceLine> references_;
    std::vector<QCPItemStraightLine*> referenceItems_;
    double penScale_ = 1, keyPadding_ = 0;
    QString emptyText_;
    QCPItemText* emptyItem_ = nullptr;
    bool legendBelow_ = false;
    Smoothing smoothing_ = Smoothing::None;
    double smoothingParameter_ = 0.9;
    bool follow_ = true, logX_ = false, logY_ = false;
    bool displayed_ = false;  // whether the display data was rebuilt since the data last changed
    QPointer<QCPTextElement> title_;  // paper styles remove (and delete) it
    QString titleText_;
    QCPItemStraightLine* crosshair_ = nullptr;
    QCPItemText* readout_ = nullptr;
};

}  // namespace invx::gui
