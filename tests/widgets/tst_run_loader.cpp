// Runs read from synthetic experiment files whose contents are known: whole, followed as they
// grow, and refused by name when truncated or foreign.
#include <QFile>
#include <QTest>

#include "experiment-folder.h"
#include "invx/error.h"
#include "invx/experiment-file.h"
#include "invx/random-generator.h"
#include "run-loader.h"

using namespace invx;
using namespace invx::gui;

class TestRunLoader : public QObject {
    Q_OBJECT

    test::ExperimentFolder folder_;
    QString file(const QString& name) const { return folder_.file(name); }
    QString synthetic(const QString& name, const test::SyntheticRun& run = {}) {
        return folder_.synthetic(name, run);
    }

  private Q_SLOTS:
    void loadedRunMatchesTheFile();
    void followingAGrowingFile();
    void truncatedAndForeignFilesAreRefusedByName();
    void aDamagedLastCheckpointIsReadAsNotWritten();
};

void TestRunLoader::loadedRunMatchesTheFile() {
    const RunData run = loadRun(synthetic("plain.h5"));
    QCOMPARE(run.stepCount(), std::size_t(100));
    QCOMPARE(run.status, QString("finished"));
    QCOMPARE(run.stateLoss.front(), 1.1);     // step 1 rejected: the base's 1 + alpha
    QCOMPARE(run.stateCe.front(), 8.1);       // the base's CE
    QCOMPARE(run.stateLoss[2], 1.1 - 0.003);  // step 3 accepted
    QCOMPARE(run.stateLoss[3], 1.1 - 0.003);  // step 4 rejected: unchanged
    QCOMPARE(run.bestLoss(), 1.1 - 0.099);
    QCOMPARE(run.bestPerplexity(), 280.0);
    QCOMPARE(run.finalPerplexity(), 280.0);
    QCOMPARE(run.acceptanceRate(), 33.0 / 100.0);
    QCOMPARE(run.acceptancePerLayer(),
             (std::vector<double>{0, 0, 1}));  // steps 3, 6, ... are layer 2's
    RunData resumed = run;
    resumed.truncateFrom(51);
    QCOMPARE(resumed.stepCount(), std::size_t(50));
    QCOMPARE(resumed.evaluations.size(), std::size_t(2));  // steps 0 and 50 stay
}

void TestRunLoader::followingAGrowingFile() {
    test::SyntheticRun spec;
    spec.steps = 50;
    spec.status = "running";
    const QString path = synthetic("growing.h5", spec);
    RunData run = loadRun(path);
    QCOMPARE(run.stepCount(), std::size_t(50));
    QVERIFY(!refreshRun(run));  // nothing new
    {
        ExperimentFile f = ExperimentFile::open(path.toStdString(), true);
        StepRecord r;
        r.step = 51;
        r.accepted = true;
        r.loss = 0.5;
        f.appendSteps({r});
        f.setStatus("finished");
    }
    QVERIFY(refreshRun(run));
    QCOMPARE(run.stepCount(), std::size_t(51));
    QCOMPARE(run.stateLoss.back(), 0.5);
    QCOMPARE(run.status, QString("finished"));
}

void TestRunLoader::truncatedAndForeignFilesAreRefusedByName() {
    const QString good = synthetic("good.h5");
    QFile in(good);
    QVERIFY(in.open(QIODevice::ReadOnly));
    const QByteArray bytes = in.readAll();
    const QString truncated = file("truncated.h5");
    QFile out(truncated);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(bytes.left(bytes.size() / 3));
    out.close();
    const QString foreign = file("notes.h5");
    QFile text(foreign);
    QVERIFY(text.open(QIODevice::WriteOnly));
    text.write("these are notes, not HDF5\n");
    text.close();
    for (const QString& path : {truncated, foreign}) {
        try {
            loadRun(path);
            QFAIL("a broken file was read");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains(path), e.what());
        }
    }
}

QTEST_MAIN(TestRunLoader)
void TestRunLoader::aDamagedLastCheckpointIsReadAsNotWritten() {
    // A last checkpoint whose scale no search reaches: the run opens at the one before and says
    // why, once.
    ModelIdentity model;
    model.path = "/models/tiny", model.configJson = R"({"hidden_size": 8})";
    model.fingerprint = "0123456789abcdef", model.parameters = 1234;
    model.layers = 1, model.hidden = 8, model.ffn = 6, model.device = "cpu",
    model.dtype = "float32";
    CalibrationBatch calibration;
    calibration.corpus = "wikipedia", calibration.samples = 1, calibration.length = 3;
    calibration.ids = {2, 10, 11};
    auto checkpointAt = [](std::int64_t step, float scale) {
        SearchCheckpoint c;
        c.step = step, c.acceptedSteps = 1, c.bestLoss = 1.0, c.elapsedSeconds = 1.0;
        c.rng = RandomGenerator(std::uint64_t(step)).state();
        c.layers.push_back(LayerInvariance::identity(6));
        c.layers[0].scales[2] = scale;
        return c;
    };
    const QString path = file("damaged-tail.h5");
    {
        ExperimentFile f =
            ExperimentFile::create(path.toStdString(), SearchSettings{}, model, calibration);
        f.appendCheckpoint(checkpointAt(5, 1.5f));
        f.appendCheckpoint(checkpointAt(10, 1e38f));
        f.publish();
    }
    const RunData run = loadRun(path);
    QCOMPARE(run.checkpointSteps, (std::vector<std::int64_t>{5}));
    QVERIFY2(run.damageNote.contains("its last checkpoint is damaged") &&
                 run.damageNote.contains("a scale is 1e+38") &&
                 run.damageNote.contains("ended at checkpoint 0"),
             qPrintable(run.damageNote));
    QVERIFY(loadRun(synthetic("intact.h5")).damageNote.isEmpty());
}

#include "tst_run_loader.moc"
