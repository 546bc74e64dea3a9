// The export actions without their dialogs: the figures and tables of the shown runs, the
// ablation's summary beside its queue, and failures that reach the message sink.
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

#include "ablation-plan.h"
#include "ablation-view.h"
#include "experiment-folder.h"
#include "experiment-list-model.h"
#include "export-actions.h"
#include "recording-message-sink.h"
#include "results-view.h"
#include "run-loader.h"
#include "run-view.h"
#include "runs-table-model.h"
#include "study-table-view.h"
#include "synthetic-experiment.h"

using namespace invx;
using namespace invx::gui;

class TestExportActions : public QObject {
    Q_OBJECT

    test::ExperimentFolder folder_;
    std::unique_ptr<QWidget> window_;
    RunsTableModel* runs_ = nullptr;
    RunView* curves_ = nullptr;
    AblationView* ablation_ = nullptr;
    ExperimentListModel* experiments_ = nullptr;
    std::unique_ptr<test::RecordingMessageSink> messages_;
    ExportActions* exports_ = nullptr;

  private Q_SLOTS:
    void init();
    void cleanup();
    void figuresAndTablesOfTheShownRuns();
    void anAblationTableIsWrittenBesideItsQueue();
    void aStudysTableIsWrittenInThreeFormats();
    void aFailedWriteReachesTheSink();
    void noAblationNothingToWrite();
};

// Every test gets its own views and sink, torn down after it whatever happened.
void TestExportActions::init() {
    window_ = std::make_unique<QWidget>();
    runs_ = new RunsTableModel(window_.get());
    curves_ = new RunView(window_.get());
    ablation_ = new AblationView(window_.get());
    experiments_ = new ExperimentListModel(window_.get());
    auto* results = new ResultsView(window_.get());
    messages_ = std::make_unique<test::RecordingMessageSink>();
    exports_ = new ExportActions({runs_, curves_, results, ablation_, nullptr, experiments_},
                                 messages_.get(), window_.get());
}

void TestExportActions::cleanup() {
    window_.reset();
    messages_.reset();
}

void TestExportActions::figuresAndTablesOfTheShownRuns() {
    test::SyntheticRun other;
    other.settings.invariances = "P";
    const RunData a = loadRun(folder_.synthetic("psr.h5")),
                  b = loadRun(folder_.synthetic("p.h5", other));
    runs_->setRuns({&a, &b});
    runs_->setShown(&b, false);
    const QString out = folder_.file("figures");
    const QStringList written = exports_->exportFigures(out, {"csv"}, "icml-column");
    QCOMPARE(written.size(), 6 + 2);  // a CSV per figure, runs.md and runs.tex
    QFile loss(QDir(out).filePath("loss.csv"));
    QVERIFY(loss.open(QIODevice::ReadOnly));
    QCOMPARE(loss.readAll().trimmed().split('\n').size(), 1 + 100);  // the shown run alone
    QVERIFY(messages_->errors.empty());
}

void TestExportActions::anAblationTableIsWrittenBesideItsQueue() {
    const QString folder = folder_.file("ablation");
    QDir().mkpath(folder);
    const AblationPlan plan = AblationPlan::create(
        SearchSettings{}, {{"invariances", {"P", "PSR"}}}, folder, "opt-demo", "cpu", "auto");
    ablation_->display(&plan, {nullptr, nullptr});
    exports_->exportAblationTable(&plan);
    QVERIFY(QFile::exists(QDir(folder).filePath("ablation.md")));
    QVERIFY(QFile::exists(QDir(folder).filePath("ablation.tex")));
    QCOMPARE(messages_->notes,
             QStringList{QString("Wrote ablation.md, ablation.tex to %1").arg(folder)});
    QVERIFY(messages_->errors.empty());
}

// Once a variant has finished, the study's table goes beside the queue too, as the core formats it.
void TestExportActions::aStudysTableIsWrittenInThreeFormats() {
    const QString folder = folder_.file("study");
    QDir().mkpath(folder);
    AblationPlan plan = AblationPlan::create(SearchSettings{}, {{"invariances", {"P", "PSR"}}},
                                             folder, "opt-demo", "cpu", "auto");
    test::SyntheticRun spec;
    spec.settings = plan.variants()[0].settings;
    spec.lastCheckpoint = true;
    test::writeSyntheticExperiment(plan.variants()[0].path, spec);
    plan.variants()[0].state = "finished";
    ablation_->display(&plan, {nullptr, nullptr});
    QVERIFY(ablation_->studyTable()->table());
    exports_->exportAblationTable(&plan);
    QCOMPARE(messages_->notes,
             QStringList{QString("Wrote ablation.md, ablation.tex, study.md, study.tex, study.csv "
                                 "to %1")
                             .arg(folder)});
    for (const auto& [name, format] : {std::pair{"study.md", ResultsFormat::Markdown},
                                       std::pair{"study.tex", ResultsFormat::Latex},
                                       std::pair{"study.csv", ResultsFormat::Csv}}) {
        QFile f(QDir(folder).filePath(name));
        QVERIFY2(f.open(QIODevice::ReadOnly), name);
        QCOMPARE(QString::fromUtf8(f.readAll()), ablation_->studyTable()->text(format));
    }
    // The baseline row and the one variant's, without values: nothing is recorded yet.
    QVERIFY(ablation_->studyTable()
                ->text(ResultsFormat::Markdown)
                .contains("| 2 | RTN (before the search) | 1 | – |"));
    QVERIFY(messages_->errors.empty());
}

void TestExportActions::aFailedWriteReachesTheSink() {
    // A "folder" that is a file: nothing can be written into it, whoever runs the test.
    const QString notAFolder = folder_.file("not-a-folder");
    QFile file(notAFolder);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    const AblationPlan plan = AblationPlan::create(SearchSettings{}, {{"seed", {"0", "1"}}},
                                                   notAFolder, "opt-demo", "cpu", "auto");
    ablation_->display(&plan, {nullptr, nullptr});
    exports_->exportAblationTable(&plan);
    QCOMPARE(messages_->errors.size(), std::size_t(1));
    QCOMPARE(messages_->errors.front().title, QString("Export failed"));
    QVERIFY2(messages_->errors.front().sentence.startsWith(
                 QString("could not write '%1/ablation.md'").arg(notAFolder)),
             qPrintable(messages_->errors.front().sentence));
    QVERIFY(messages_->notes.isEmpty());
}

void TestExportActions::noAblationNothingToWrite() {
    exports_->exportAblationTable(nullptr);
    QVERIFY(messages_->errors.empty() && messages_->notes.isEmpty());
}

QTEST_MAIN(TestExportActions)
#include "tst_export_actions.moc"
