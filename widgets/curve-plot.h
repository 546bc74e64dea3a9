#pragma once
// A QCustomPlot of curves against step or time that stays smooth with millions of points: the
// data stays whole in the curve, the graph holds a min/max-per-pixel-column reduction of the
// visible range, rebuilt when the range or size changes. Smoothing (EMA or moving average) draws
// the smoothed curve over the raw one, drawn faintly. Drag pans, the wheel zooms, a double click
// fits the data, and a crosshair reads every curve's value at the cursor.
#include <qcustomplot.h>

#include <QPointer>

#include <vector>

#include "curve-smoothing.h"
#include "series-decimation.h"

namespace invx::gui {

struct Curve {
    QString name;  // legend entry
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
};

class CurvePlot : public QCustomPlot {
    Q_OBJECT
public:
    explicit CurvePlot(QWidget* parent = nullptr);

    void setLabels(const QString& title, const QString& xLabel, const QString& yLabel);
    QString title() const;
    void setCurves(std::vector<Curve> curves);
    const std::vector<Curve>& curves() const { return curves_; }
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

Q_SIGNALS:
    void curveClicked(double x);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void onMouseMove(QMouseEvent* event);
    void showCrosshair(double x);
    void rebuildGraphs();
    void setLogScale(QCPAxis* axis, bool* state, bool on);

    std::vector<Curve> curves_;
    std::vector<BarSeries> bars_;
    QCPBarsGroup* barsGroup_ = nullptr;
    double columnsPerPixel_ = 1;
    int barLegendColumns_ = 2;
    QCPRange keyExtent_;  // QCPRange orders its ends, so whether there is one is kept apart
    bool hasKeyExtent_ = false;
    QPointF pressedAt_;
    std::vector<std::vector<double>> smoothed_;  // per curve; empty when not smoothed
    std::vector<MinMaxBlocks> rawBlocks_, smoothBlocks_;  // per curve, for fast decimation
    std::vector<QCPGraph*> rawGraphs_, smoothGraphs_;
    Smoothing smoothing_ = Smoothing::None;
    double smoothingParameter_ = 0.9;
    bool follow_ = true, logX_ = false, logY_ = false;
    QPointer<QCPTextElement> title_;  // paper styles remove (and delete) it
    QString titleText_;
    QCPItemStraightLine* crosshair_ = nullptr;
    QCPItemText* readout_ = nullptr;
};

}  // namespace invx::gui
