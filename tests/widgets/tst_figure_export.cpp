// Figures for papers: PDF, SVG and PNG at the style's size, and their data as CSV.
#include <QFile>
#include <QImage>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>
#include <cmath>

#include "experiment-folder.h"
#include "figure-export.h"
#include "run-loader.h"

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
    QCOMPARE(written.size(), 6 * 4);

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

    auto csvRows = [&](const QString& name) {
        QFile csv(out.filePath(name));
        if (!csv.open(QIODevice::ReadOnly)) return -1;
        return int(csv.readAll().trimmed().split('\n').size());
    };
    QCOMPARE(csvRows("loss.csv"), 1 + 2 * 100);
    QCOMPARE(csvRows("acceptance.csv"), 1 + 2 * 2 * 100);
    QCOMPARE(csvRows("perplexity.csv"), 1 + 2 * 3);
    QCOMPARE(csvRows("acceptance-per-layer.csv"), 1 + 2 * 3);
    QFile loss(out.filePath("loss.csv"));
    QVERIFY(loss.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = loss.readAll().split('\n');
    QCOMPARE(lines[0], QByteArray("series,step,CE/CE₀ + α·MSE/MSE₀"));
    const QList<QByteArray> step3 = lines[3].split(',');
    QCOMPARE(step3[0], QByteArray("P+S+R"));
    QCOMPARE(step3[1].toDouble(), 3.0);
    QCOMPARE(step3[2].toDouble(), 1.1 - 0.003);  // exactly: the CSV round-trips doubles
}

QTEST_MAIN(TestFigureExport)
#include "tst_figure_export.moc"
