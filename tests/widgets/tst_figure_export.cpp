// Figures for papers: PDF, SVG and PNG at the style's size, drawn with the same line widths, their
// legends under the data; the panel figure; and their data as CSV.
#include <QFile>
#include <QImage>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>
#include <cmath>

#include "curve-plot.h"
#include "experiment-folder.h"
#include "figure-export.h"
#include "run-loader.h"

namespace {

// The thickness in pixels of the curve drawn in `colour`: the median over the image's middle
// columns of the longest vertical run of pixels of that colour.
int lineThickness(const QImage& image, QColor colour) {
    std::vector<int> runs;
    for (int x = image.width() * 3 / 10; x < image.width() * 7 / 10; ++x) {
        int longest = 0, run = 0;
        for (int y = 0; y < image.height(); ++y) {
            const QColor c = image.pixelColor(x, y);
            const bool near = std::abs(c.red() - colour.red()) +
                                  std::abs(c.green() - colour.green()) +
                                  std::abs(c.blue() - colour.blue()) <
                              90;
            run = near ? run + 1 : 0;
            longest = std::max(longest, run);
        }
        if (longest > 0) runs.push_back(longest);
    }
    if (runs.empty()) return 0;
    std::sort(runs.begin(), runs.end());
    return runs[runs.size() / 2];
}

}  // namespace

using namespace invx;
using namespace invx::gui;

class TestFigureExport : public QObject {
    Q_OBJECT

    test::ExperimentFolder folder_;
    QString file(const QString& name) const { return folder_.file(name); }
    QString synthetic(const QString& name, const test::SyntheticRun& run = {}) {
        return folder_.synthetic(name, run);
    }

  private Q_SLOTS:
    void figuresExportAtTheAskedSize();
    void legendsSitOutsideTheData();
    void aPanelFigureAtDoubleColumnWidth();
};

void TestFigureExport::figuresExportAtTheAskedSize() {
    const RunData a = loadRun(synthetic("plain.h5"));
    test::SyntheticRun other;
    other.settings.invariances = "P";
    const RunData b = loadRun(synthetic("p-only.h5", other));
    QTemporaryDir out;
    const FigureStyle style = FigureStyle::preset("icml-column");
    const QStringList written = exportRunFigures({&a, &b}, {"P+S+R", "P only"}, {}, out.path(),
                                                 {"pdf", "svg", "png", "csv"}, style);
    QCOMPARE(written.size(), 6 * 4 + 3);  // and the panel figure (no CSV of its own)

    QFile pdf(out.filePath("loss.pdf"));
    QVERIFY(pdf.open(QIODevice::ReadOnly));
    const QByteArray pdfBytes = pdf.readAll();
    QVERIFY(pdfBytes.startsWith("%PDF-"));
    const QRegularExpression box(R"(/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\])");
    const auto m = box.match(QString::fromLatin1(pdfBytes));
    QVERIFY(m.hasMatch());
    QVERIFY(std::abs(m.captured(1).toDouble() - 3.25 * 72) < 1.0);
    QVERIFY(std::abs(m.captured(2).toDouble() - 2.25 * 72) < 1.0);

    QFile svg(out.filePath("loss.svg"));
    QVERIFY(svg.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&svg);
    bool sawSvg = false, sawText = false;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement() && xml.name() == QLatin1String("svg")) sawSvg = true;
        if (xml.isCharacters() && xml.text().toString().contains("P only"))
            sawText = true;  // the legend
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY(sawSvg);
    QVERIFY(sawText);

    const QImage png(out.filePath("loss.png"));
    QCOMPARE(png.size(), QSize(975, 675));  // 3.25 x 2.25 in at 300 dpi
    // The PNG's curves are as wide as the PDF's: 1 pt at 300 dpi is 4.2 pixels, not a hairline.
    const int thickness = lineThickness(png, QColor(0, 114, 178));
    QVERIFY2(thickness >= 3 && thickness <= 6, qPrintable(QString::number(thickness)));
    svg.seek(0);
    QVERIFY(svg.readAll().contains("stroke=\"#0072b2\" stroke-opacity=\"1\" stroke-width=\"1\""));

    auto csvRows = [&](const QString& name) {
        QFile csv(out.filePath(name));
        if (!csv.open(QIODevice::ReadOnly)) return -1;
        return int(csv.readAll().trimmed().split('\n').size());
    };
    QCOMPARE(csvRows("loss.csv"), 1 + 2 * 100);
    QCOMPARE(csvRows("acceptance.csv"), 1 + 2 * 100);  // several runs: the overall rate
    QCOMPARE(csvRows("perplexity.csv"), 1 + 2 * 3);
    QCOMPARE(csvRows("acceptance-per-layer.csv"), 1 + 2 * 3);
    QFile loss(out.filePath("loss.csv"));
    QVERIFY(loss.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = loss.readAll().split('\n');
    QCOMPARE(lines[0], QByteArray("series,search step,calibration loss"));
    const QList<QByteArray> step3 = lines[3].split(',');
    QCOMPARE(step3[0], QByteArray("P+S+R"));
    QCOMPARE(step3[1].toDouble(), 3.0);
    QCOMPARE(step3[2].toDouble(), 1.1 - 0.003);  // exactly: the CSV round-trips doubles
}

void TestFigureExport::legendsSitOutsideTheData() {
    const RunData a = loadRun(synthetic("plain.h5"));
    test::SyntheticRun other;
    other.settings.invariances = "P";
    const RunData b = loadRun(synthetic("p-only.h5", other));
    for (const char* preset : {"icml-column", "icml-double"}) {
        const FigureStyle style = FigureStyle::preset(preset);
        CurvePlot plot;
        fillFigure(&plot, FigureKind::Loss, Comparison::ofRuns({&a, &b}, {"P+S+R", "P only"}), {});
        applyFigureStyle(&plot, style);
        FigurePage page{{&plot},
                        plot.legendEntries(),
                        1,
                        double(style.widthPoints()),
                        double(style.heightPoints()),
                        "loss"};
        QCOMPARE(page.legend.size(), std::size_t(2));
        const std::vector<QRectF> layout = pageLayout(page, style);
        const QRectF panel = layout[0], legend = layout[1];
        QVERIFY(legend.height() > 0);
        QVERIFY(legend.top() >= panel.bottom());  // under the plot, never over its curves
        QVERIFY(legend.bottom() <= style.heightPoints() + 0.01);
        // The plot's own legend stays out of its axis rect.
        QVERIFY(!plot.legend->visible());
    }
}

void TestFigureExport::aPanelFigureAtDoubleColumnWidth() {
    std::vector<RunData> runs;
    for (const char* invariances : {"P", "PSR"})
        for (int seed : {0, 1}) {
            test::SyntheticRun spec;
            spec.settings.invariances = invariances;
            spec.settings.seed = std::uint64_t(seed);
            runs.push_back(
                loadRun(synthetic(QString("%1-%2.h5").arg(invariances).arg(seed), spec)));
        }
    const Comparison groups =
        compareRuns({&runs[0], &runs[1], &runs[2], &runs[3]}, {true, true, true, true}, {}, {});
    QTemporaryDir out;
    const QStringList written = exportRunFigures(groups, {}, out.path(), {"png", "pdf", "csv"},
                                                 FigureStyle::preset("icml-double"));
    QVERIFY(written.contains(out.filePath("panel.pdf")));
    QCOMPARE(QImage(out.filePath("panel.png")).size(), QSize(2025, 780));  // 6.75 x 2.6 in
    // A group's CSV: its mean and its band, 100 steps each.
    QFile csv(out.filePath("loss.csv"));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    const QByteArray data = csv.readAll();
    QCOMPARE(data.count("\nP only (n = 2),"), 100);
    QCOMPARE(data.count("\nP only (n = 2) (band low),"), 100);
    QCOMPARE(data.count("\nP+S+R (n = 2) (band high),"), 100);
    // In a column: the three panels one above another.
    const QStringList column = exportRunFigures(groups, {}, out.filePath("column"), {"png"},
                                                FigureStyle::preset("icml-column"));
    QVERIFY(column.contains(QDir(out.filePath("column")).filePath("panel.png")));
    const QImage tall(QDir(out.filePath("column")).filePath("panel.png"));
    QCOMPARE(tall.width(), 975);
    QVERIFY(tall.height() > 2 * 675);
}

QTEST_MAIN(TestFigureExport)
#include "tst_figure_export.moc"
