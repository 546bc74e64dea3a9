// The Experiments dock's list: every file of the folder with its status, the reason a file is
// unreadable, recent files, and a killed run shown as interrupted.
#include <QAbstractItemModelTester>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <optional>

#include "experiment-folder.h"
#include "experiment-list-model.h"
#include "invx/experiment-file.h"

using namespace invx;
using namespace invx::gui;

class TestExperimentListModel : public QObject {
    Q_OBJECT

    test::ExperimentFolder folder_;
    QString file(const QString& name) const { return folder_.file(name); }
    QString synthetic(const QString& name, const test::SyntheticRun& run = {}) {
        return folder_.synthetic(name, run);
    }

  private Q_SLOTS:
    void experimentListShowsStatusAndReason();
};

void TestExperimentListModel::experimentListShowsStatusAndReason() {
    QTemporaryDir folder;
    test::SyntheticRun running;
    running.status = "running";
    test::writeSyntheticExperiment(folder.filePath("a-finished.h5"), {});
    test::writeSyntheticExperiment(folder.filePath("b-running.h5"), running);
    // A run writes it (without a writer, a file recorded as running was killed: "interrupted").
    std::optional<ExperimentFile> writer(
        ExperimentFile::open(folder.filePath("b-running.h5").toStdString(), true));
    QFile broken(folder.filePath("c-broken.h5"));
    QVERIFY(broken.open(QIODevice::WriteOnly));
    broken.write("not an experiment");
    broken.close();
    ExperimentListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setFolder(folder.path());
    QCOMPARE(model.rowCount(), 3);
    auto statusOf = [&](const QString& name) {
        return model.status(model.rowOf(folder.filePath(name)));
    };
    QCOMPARE(statusOf("a-finished.h5"), QString("finished"));
    QCOMPARE(statusOf("b-running.h5"), QString("running"));
    QVERIFY(statusOf("c-broken.h5").startsWith("unreadable: "));
    QVERIFY(statusOf("c-broken.h5").contains("c-broken.h5"));
    const int broken_row = model.rowOf(folder.filePath("c-broken.h5"));
    QCOMPARE(model.data(model.index(broken_row, ExperimentListModel::StatusColumn)).toString(),
             QString("unreadable"));
    QVERIFY(model.data(model.index(broken_row, 0), Qt::ToolTipRole)
                .toString()
                .contains("unreadable: "));
    QVERIFY(model.anyRunning());
    model.setRecentFiles({file("plain.h5"), folder.filePath("a-finished.h5")});
    QCOMPARE(model.rowCount(), 4);  // a recent file in the folder is listed once
    writer.reset();                 // the run is killed
    model.refresh();
    QCOMPARE(statusOf("b-running.h5"), QString("interrupted"));
    QVERIFY(
        model.data(model.index(model.rowOf(folder.filePath("b-running.h5")), 0), Qt::ToolTipRole)
            .toString()
            .contains("Resume"));
    QVERIFY(!model.anyRunning());
    {
        ExperimentFile f =
            ExperimentFile::open(folder.filePath("b-running.h5").toStdString(), true);
        f.setStatus("stopped");
    }
    model.refresh();
    QCOMPARE(statusOf("b-running.h5"), QString("stopped"));
}

QTEST_MAIN(TestExperimentListModel)
#include "tst_experiment_list_model.moc"
