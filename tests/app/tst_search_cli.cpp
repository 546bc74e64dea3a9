// invx search and invx apply as a user runs them: a recorded run, SIGKILL and --resume, the applied
// checkpoint's perplexity, and refusals that name the setting or file.
#include <signal.h>

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>

#include "invx/experiment-file.h"
#include "model/opt-model.h"
#include "test-support.h"

using namespace invx;
namespace fs = std::filesystem;

namespace {

using test::invxRun;
using Run = test::CliRun;

QJsonObject lastJsonLine(const QString& out) {
    const auto lines = out.trimmed().split('\n');
    return QJsonDocument::fromJson(lines.last().toUtf8()).object();
}

}  // namespace

class TestSearchCli : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void initTestCase();
    void recordsARunAndAppliesIt();
    void searchesOverAwqAndGptq();
    void quantizeStoresWhatASearchReuses();
    void killedRunResumesToTheSameEnd();
    void aFullDiskStopsTheRunAtItsLastCheckpoint();
    void signalsStopWithACheckpoint_data();
    void signalsStopWithACheckpoint();
    void presetThenGivenOptions();
    void inspectSummarizesAndChecksTheInvariance();
    void tableFromRecordedResults();
    void calibrationFromGivenTokenIds();
    void invariancesThroughThePublishedFormat();
    void refusesBadInput_data();
    void refusesBadInput();

  private:
    QStringList searchArgs(const QString& out, int steps) const;
    QTemporaryDir dir_;
    QString model_, otherModel_, corpus_, text_;
};

void TestSearchCli::initTestCase() {
    const test::SearchFixture f = test::writeSearchFixture(dir_.path().toStdString());
    model_ = QString::fromStdString(f.model);
    otherModel_ = QString::fromStdString(f.otherModel);
    corpus_ = QString::fromStdString(f.corpus);
    text_ = QString::fromStdString(f.text);
}

QStringList TestSearchCli::searchArgs(const QString& out, int steps) const {
    return {"search",
            "--model",
            model_,
            "--out",
            out,
            "--steps",
            QString::number(steps),
            "--group",
            "32",
            "--calibration",
            corpus_,
            "--calibration-samples",
            "4",
            "--calibration-length",
            "32",
            "--eval-data",
            text_,
            "--eval-window",
            "64",
            "--eval-windows",
            "3",
            "--checkpoint-steps",
            "10",
            "--device",
            "cpu",
            "--json",
            "--quiet"};
}

void TestSearchCli::recordsARunAndAppliesIt() {
    const QString file = dir_.filePath("run.h5");
    Run r = invxRun(searchArgs(file, 60));
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject summary = lastJsonLine(r.out);
    QCOMPARE(summary["type"].toString(), QStringLiteral("summary"));
    QCOMPARE(summary["steps"].toInt(), 60);
    QCOMPARE(r.out.count("\"type\":\"step\""), 60);
    QVERIFY(summary["best_loss"].toDouble() < 1.1);  // the search improved on 1 + alpha
    const double finalPpl = summary["last_evaluation"].toObject()["perplexity"].toDouble();

    const ExperimentFile f = ExperimentFile::open(file.toStdString(), false);
    QCOMPARE(f.status(), std::string("finished"));
    QCOMPARE(f.stepCount(), std::int64_t(60));
    QCOMPARE(f.checkpoint(-1).step, std::int64_t(60));
    QCOMPARE(f.checkpoint(-1).acceptedSteps, std::int64_t(summary["accepted_steps"].toInt()));
    QVERIFY(f.evaluations().size() >= 2);
    QCOMPARE(f.evaluations().front().step, std::int64_t(0));
    QCOMPARE(f.evaluations().back().perplexity, finalPpl);
    QCOMPARE(f.settings().quant.groupSize, 32);

    // The applied checkpoint, quantized by RTN, is the model the search ended with.
    const QString applied = dir_.filePath("applied");
    r = invxRun({"apply", "--experiment", file, "--out", applied});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(fs::exists(fs::path(applied.toStdString()) / "model.safetensors"));
    QVERIFY(fs::exists(fs::path(applied.toStdString()) / "vocab.json"));
    r = invxRun({"eval", "--model", applied, "--data", text_, "--window", "64", "--max-windows",
                 "3", "--bits", "2", "--group", "32", "--device", "cpu", "--json", "--quiet"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(lastJsonLine(r.out)["ppl"].toDouble(), finalPpl);
    // The original model quantized the same way is a different model.
    r = invxRun({"eval", "--model", model_, "--data", text_, "--window", "64", "--max-windows", "3",
                 "--bits", "2", "--group", "32", "--device", "cpu", "--json", "--quiet"});
    QCOMPARE(lastJsonLine(r.out)["ppl"].toDouble(), f.evaluations().front().perplexity);
    QVERIFY(lastJsonLine(r.out)["ppl"].toDouble() != finalPpl);

    r = invxRun({"apply", "--experiment", file, "--out", applied});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("already exists and is not empty"), qPrintable(r.err));
}

void TestSearchCli::searchesOverAwqAndGptq() {
    // AWQ: the search starts from the AWQ-quantized model, and the applied checkpoint (AWQ scales
    // and clips and the invariances folded in) quantizes by RTN to the searched model.
    const QString file = dir_.filePath("awq.h5");
    QStringList args = searchArgs(file, 40);
    args << "--base"
         << "awq"
         << "--base-calibration-samples"
         << "8";
    Run r = invxRun(args);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject summary = lastJsonLine(r.out);
    const double finalPpl = summary["last_evaluation"].toObject()["perplexity"].toDouble();
    {
        const ExperimentFile f = ExperimentFile::open(file.toStdString(), false);
        QCOMPARE(f.base()->method, std::string("awq"));
        QCOMPARE(f.awq().size(), std::size_t(3));
        QCOMPARE(f.awq()[0].fc2Scales.size(), std::size_t(128));
        QCOMPARE(f.calibration().baseSamples, std::int64_t(8));
    }
    r = invxRun({"eval",   "--model",
                 model_,   "--data",
                 text_,    "--window",
                 "64",     "--max-windows",
                 "3",      "--method",
                 "awq",    "--bits",
                 "2",      "--group",
                 "32",     "--calibration",
                 corpus_,  "--calibration-samples",
                 "8",      "--calibration-length",
                 "32",     "--device",
                 "cpu",    "--json",
                 "--quiet"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const double awqAlone = lastJsonLine(r.out)["ppl"].toDouble();
    const QString applied = dir_.filePath("awq-applied");
    r = invxRun({"apply", "--experiment", file, "--out", applied, "--json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    // AWQ in float16 (the default) ends with RTN in float16 arithmetic; apply names it.
    QVERIFY2(lastJsonLine(r.out)["quantize"].toString().endsWith(
                 "--bits 2 --group 32 --rtn-precision float16"),
             qPrintable(r.out));
    r = invxRun({"eval", "--model", applied, "--data", text_, "--window", "64", "--max-windows",
                 "3", "--bits", "2", "--group", "32", "--rtn-precision", "float16", "--device",
                 "cpu", "--json", "--quiet"});
    QCOMPARE(lastJsonLine(r.out)["ppl"].toDouble(), finalPpl);
    QCOMPARE(lastJsonLine(r.out)["rtn_precision"].toString(), QString("float16"));
    QCOMPARE(summary["first_evaluation"].toObject()["perplexity"].toDouble(),
             awqAlone);  // the search starts at AWQ
    // A search reusing these AWQ results takes their arithmetic, and refuses another.
    args = searchArgs(dir_.filePath("awq-reused.h5"), 2);
    args << "--base-from" << file;
    r = invxRun(args);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(ExperimentFile::open(dir_.filePath("awq-reused.h5").toStdString(), false)
                 .settings()
                 .awqPrecision,
             std::string("float16"));
    QCOMPARE(lastJsonLine(r.out)["first_evaluation"].toObject()["perplexity"].toDouble(), awqAlone);
    args = searchArgs(dir_.filePath("awq-bad.h5"), 2);
    args << "--base-from" << file << "--awq-precision"
         << "float32";
    r = invxRun(args);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("awq.h5") && r.err.contains("float16") &&
                 r.err.contains("--awq-precision float32"),
             qPrintable(r.err));

    // GPTQ: the search starts exactly at GPTQ and improves its calibration loss.
    const QString gptqFile = dir_.filePath("gptq.h5");
    args = searchArgs(gptqFile, 30);
    args << "--base"
         << "gptq"
         << "--base-calibration-samples"
         << "8";
    r = invxRun(args);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject gptqSummary = lastJsonLine(r.out);
    QVERIFY(gptqSummary["best_loss"].toDouble() < 1.1);
    r = invxRun({"eval",   "--model",
                 model_,   "--data",
                 text_,    "--window",
                 "64",     "--max-windows",
                 "3",      "--method",
                 "gptq",   "--bits",
                 "2",      "--group",
                 "32",     "--calibration",
                 corpus_,  "--calibration-samples",
                 "8",      "--calibration-length",
                 "32",     "--device",
                 "cpu",    "--json",
                 "--quiet"});
    QCOMPARE(gptqSummary["first_evaluation"].toObject()["perplexity"].toDouble(),
             lastJsonLine(r.out)["ppl"].toDouble());
    r = invxRun({"apply", "--experiment", gptqFile, "--out", dir_.filePath("gptq-applied")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("GPTQ"), qPrintable(r.err));
    // No checkpoint to apply, but invx eval --experiment rebuilds the searched model from the file:
    // the recorded last evaluation exactly, and at checkpoint 0 GPTQ alone.
    QStringList evalArgs = {"eval", "--experiment",  gptqFile, "--data", text_,    "--window",
                            "64",   "--max-windows", "3",      "--json", "--quiet"};
    r = invxRun(evalArgs);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(lastJsonLine(r.out)["ppl"].toDouble(),
             gptqSummary["last_evaluation"].toObject()["perplexity"].toDouble());
    QCOMPARE(lastJsonLine(r.out)["step"].toInt(), 30);
    QCOMPARE(lastJsonLine(r.out)["method"].toString(), QStringLiteral("gptq+invarexplore"));
    r = invxRun(evalArgs + QStringList{"--checkpoint", "0"});
    QCOMPARE(lastJsonLine(r.out)["ppl"].toDouble(),
             gptqSummary["first_evaluation"].toObject()["perplexity"].toDouble());
    r = invxRun(evalArgs + QStringList{"--checkpoint", "9"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("gptq.h5") && r.err.contains("checkpoint 9"), qPrintable(r.err));
    r = invxRun(evalArgs + QStringList{"--bits", "3"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("--experiment") && r.err.contains("--bits"), qPrintable(r.err));

    // --gptq-candidates rtn: candidates rounded by RTN from GPTQ's weights (tst_search_engine
    // checks the starting grid); recorded, and refused over another base.
    args = searchArgs(dir_.filePath("gptq-rtn.h5"), 30);
    args << "--base"
         << "gptq"
         << "--base-calibration-samples"
         << "8"
         << "--gptq-candidates"
         << "rtn";
    r = invxRun(args);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject rtnSummary = lastJsonLine(r.out);
    QVERIFY(rtnSummary["best_loss"].toDouble() < 1.1);
    QCOMPARE(ExperimentFile::open(dir_.filePath("gptq-rtn.h5").toStdString(), false)
                 .settings()
                 .gptqCandidates,
             std::string("rtn"));
    args = searchArgs(dir_.filePath("bad-candidates.h5"), 5);
    args << "--gptq-candidates"
         << "rtn";  // base rtn
    r = invxRun(args);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("--gptq-candidates") && r.err.contains("method gptq"),
             qPrintable(r.err));
}

void TestSearchCli::quantizeStoresWhatASearchReuses() {
    // invx quantize measures GPTQ alone and stores its integer weights; a search with --base-from
    // starts from exactly that model without running GPTQ again, and records where its base came
    // from.
    const QString quantized = dir_.filePath("gptq-base.h5");
    Run r = invxRun({"quantize", "--model",
                     model_,     "--out",
                     quantized,  "--method",
                     "gptq",     "--group",
                     "32",       "--calibration",
                     corpus_,    "--calibration-samples",
                     "8",        "--calibration-length",
                     "32",       "--eval-data",
                     text_,      "--eval-window",
                     "64",       "--eval-windows",
                     "3",        "--device",
                     "cpu",      "--json",
                     "--quiet"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject q = lastJsonLine(r.out);
    QCOMPARE(q["steps"].toInt(), 0);
    const double gptqPpl = q["last_evaluation"].toObject()["perplexity"].toDouble();
    r = invxRun({"eval",   "--model",
                 model_,   "--data",
                 text_,    "--window",
                 "64",     "--max-windows",
                 "3",      "--method",
                 "gptq",   "--bits",
                 "2",      "--group",
                 "32",     "--calibration",
                 corpus_,  "--calibration-samples",
                 "8",      "--calibration-length",
                 "32",     "--device",
                 "cpu",    "--json",
                 "--quiet"});
    QCOMPARE(lastJsonLine(r.out)["ppl"].toDouble(), gptqPpl);

    const QString searched = dir_.filePath("gptq-reused.h5");
    QStringList args = searchArgs(searched, 20);
    args << "--base-from" << quantized;  // base, bits and group come from the file
    r = invxRun(args);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(lastJsonLine(r.out)["first_evaluation"].toObject()["perplexity"].toDouble(), gptqPpl);
    {
        const ExperimentFile source = ExperimentFile::open(quantized.toStdString(), false);
        const ExperimentFile reused = ExperimentFile::open(searched.toStdString(), false);
        QCOMPARE(reused.settings().base, std::string("gptq"));
        QCOMPARE(reused.base()->reusedFrom,
                 fs::absolute(quantized.toStdString()).lexically_normal().string());
        QCOMPARE(reused.calibration().baseIds, source.calibration().baseIds);
        QCOMPARE(reused.gptq().size(), std::size_t(3));
        QVERIFY(reused.gptq()[2].linears[5].codes == source.gptq()[2].linears[5].codes);
        QCOMPARE(reused.calibration().samples, std::int64_t(4));
    }
    // Resuming reads the stored weights too, and continues the same trajectory.
    r = invxRun({"search", "--resume", searched, "--steps", "25", "--json", "--quiet"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(lastJsonLine(r.out)["steps"].toInt(), 25);

    args = searchArgs(dir_.filePath("bad.h5"), 5);
    args << "--base-from" << quantized << "--bits"
         << "3";
    r = invxRun(args);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("gptq-base.h5") && r.err.contains("2-bit") && r.err.contains("3-bit"),
             qPrintable(r.err));
    args = searchArgs(dir_.filePath("bad.h5"), 5);
    args << "--base-from" << dir_.filePath("run.h5");  // an RTN search
    r = invxRun(args);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("run.h5") && r.err.contains("--base awq"), qPrintable(r.err));
    QVERIFY(!fs::exists(dir_.filePath("bad.h5").toStdString()));
}

void TestSearchCli::aFullDiskStopsTheRunAtItsLastCheckpoint() {
    // The file may not grow past two thirds of its size (ulimit -f: writes beyond fail with EFBIG,
    // as a full disk fails them with ENOSPC): the run stops with a sentence and exit status 1, its
    // file opens at its last good checkpoint, and with room again it resumes to the end an
    // uninterrupted run reaches. No root is needed, so CI runs it too.
    const int steps = 600;
    const QString whole = dir_.filePath("roomy.h5"), cramped = dir_.filePath("cramped.h5");
    Run r = invxRun(searchArgs(whole, steps));
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject expected = lastJsonLine(r.out);

    QStringList args = searchArgs(cramped, steps);
    args.removeAll("--quiet");
    // Two thirds of what the whole run writes: room for its first checkpoints, not for its end.
    const qint64 limitKiB = QFileInfo(whole).size() * 2 / 3 / 1024;
    QString command = "ulimit -f " + QString::number(limitKiB) + "; trap '' XFSZ; exec '" +
                      QString(INVX_CLI_PATH) + "'";
    for (const QString& a : args) command += " '" + a + "'";
    QProcess limited;
    limited.start("bash", {"-c", command});
    QVERIFY(limited.waitForFinished(300000));
    const QString err = QString::fromUtf8(limited.readAllStandardError());
    QCOMPARE(limited.exitCode(), 1);
    QVERIFY2(err.contains("cramped.h5") && err.contains("File too large") &&
                 err.contains("from which it resumes (invx search --resume"),
             qPrintable(err));
    QVERIFY2(!QString::fromUtf8(limited.readAllStandardOutput()).contains("\"type\":\"summary\""),
             "a run that could not write its file reported a summary");
    std::int64_t stoppedAt = 0;
    {
        const ExperimentFile f = ExperimentFile::open(cramped.toStdString(), false);
        QCOMPARE(f.status(), std::string("interrupted"));
        stoppedAt = f.checkpoint(-1).step;
        QVERIFY2(stoppedAt > 0 && stoppedAt < steps, qPrintable(QString::number(stoppedAt)));
    }
    r = invxRun({"search", "--resume", cramped, "--json", "--quiet"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject resumed = lastJsonLine(r.out);
    QCOMPARE(resumed["resumed_from_step"].toInt(), int(stoppedAt));
    for (const char* key : {"steps", "accepted_steps", "best_loss", "final_ce", "final_mse"})
        QVERIFY2(resumed[key] == expected[key], key);
    const ExperimentFile a = ExperimentFile::open(whole.toStdString(), false);
    const ExperimentFile b = ExperimentFile::open(cramped.toStdString(), false);
    QVERIFY(a.checkpoint(-1).layers == b.checkpoint(-1).layers);
    QCOMPARE(a.checkpoint(-1).rng, b.checkpoint(-1).rng);
}

void TestSearchCli::killedRunResumesToTheSameEnd() {
    const int steps = 1500;
    const QString whole = dir_.filePath("whole.h5"), killed = dir_.filePath("killed.h5");
    Run r = invxRun(searchArgs(whole, steps));
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject expected = lastJsonLine(r.out);

    QProcess p;
    p.start(QStringLiteral(INVX_CLI_PATH), searchArgs(killed, steps));
    QByteArray seen;
    while (!seen.contains("\"step\":300,") && p.state() != QProcess::NotRunning) {
        p.waitForReadyRead(1000);
        seen += p.readAllStandardOutput();
    }
    p.kill();  // SIGKILL: no chance to write anything more
    p.waitForFinished();
    QVERIFY2(p.exitStatus() == QProcess::CrashExit, "the run ended before it could be killed");
    {
        const ExperimentFile f = ExperimentFile::open(killed.toStdString(), false);
        QCOMPARE(f.status(), std::string("interrupted"));  // recorded as running, written by no one
        QVERIFY(f.checkpoint(-1).step < steps);
    }
    r = invxRun({"search", "--resume", killed, "--json", "--quiet"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject resumed = lastJsonLine(r.out);
    QVERIFY(resumed["resumed_from_step"].toInt() >= 290);
    for (const char* key : {"steps", "accepted_steps", "best_loss", "final_ce", "final_mse"})
        QVERIFY2(resumed[key] == expected[key], key);

    {
        const ExperimentFile a = ExperimentFile::open(whole.toStdString(), false);
        const ExperimentFile b = ExperimentFile::open(killed.toStdString(), false);
        QVERIFY(a.checkpoint(-1).layers == b.checkpoint(-1).layers);
        QCOMPARE(a.checkpoint(-1).rng, b.checkpoint(-1).rng);
        QCOMPARE(b.stepCount(), std::int64_t(steps));
        const auto sa = a.steps(), sb = b.steps();
        for (int i = 0; i < steps; ++i) {
            QCOMPARE(sb[std::size_t(i)].step, std::int64_t(i + 1));
            QCOMPARE(sb[std::size_t(i)].loss, sa[std::size_t(i)].loss);
            QCOMPARE(sb[std::size_t(i)].accepted, sa[std::size_t(i)].accepted);
        }
        QCOMPARE(a.evaluations().back().perplexity, b.evaluations().back().perplexity);
    }  // closed: a file open here cannot be resumed (HDF5 locks it)

    // A finished run continues only when given more steps.
    r = invxRun({"search", "--resume", killed, "--steps", QString::number(steps + 20), "--json",
                 "--quiet"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(lastJsonLine(r.out)["steps"].toInt(), steps + 20);
}

void TestSearchCli::inspectSummarizesAndChecksTheInvariance() {
    // Permutation and scaling only: the transformed model computes what the original does.
    const QString file = dir_.filePath("ps.h5");
    Run r = invxRun(searchArgs(file, 30) << "--invariances"
                                         << "PS");
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    r = invxRun({"inspect", "--experiment", file, "--json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject j = lastJsonLine(r.out);
    const ExperimentFile f = ExperimentFile::open(file.toStdString(), false);
    QCOMPARE(j["steps"].toInt(), 30);
    QCOMPARE(j["status"].toString(), QStringLiteral("finished"));
    QCOMPARE(j["invariances"].toString(), QStringLiteral("PS"));
    QCOMPARE(j["accepted_steps"].toInt(), int(f.checkpoint(-1).acceptedSteps));
    QVERIFY(j["accepted_steps"].toInt() > 0);  // something to check
    QCOMPARE(j["perplexity_last"].toDouble(), f.evaluations().back().perplexity);
    const QJsonArray checkpoints = j["checkpoints"].toArray();
    QCOMPARE(std::size_t(checkpoints.size()), f.checkpointSteps().size());
    for (int i = 0; i < checkpoints.size(); ++i)
        QCOMPARE(std::int64_t(checkpoints[i].toInt()), f.checkpointSteps()[std::size_t(i)]);
    const QJsonObject check = j["invariance_check"].toObject();
    QCOMPARE(check["step"].toInt(), 30);
    const QJsonArray largest = check["max_abs_difference"].toArray();
    QCOMPARE(largest.size(), 3);
    for (const QJsonValue v : largest)
        QVERIFY2(v.toDouble() >= 0 && v.toDouble() < 1e-4,
                 qPrintable(QString::number(v.toDouble())));

    // The text form names each layer; an earlier checkpoint; a summary without the model.
    r = invxRun({"inspect", "--experiment", file, "--checkpoint", "1"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("at step 10") && r.out.contains("layer 2:"), qPrintable(r.out));
    r = invxRun({"inspect", "--experiment", file, "--no-check", "--json"});
    QVERIFY(!lastJsonLine(r.out).contains("invariance_check"));
    r = invxRun({"inspect", "--experiment", file, "--checkpoint", "99"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("ps.h5") && r.err.contains("checkpoints 0 to"), qPrintable(r.err));
    r = invxRun({"inspect", "--experiment", dir_.filePath("none.h5")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("none.h5") && r.err.contains("does not exist"), qPrintable(r.err));
}

// invx eval --record and invx table: every row's value is the one `invx eval` measures on that
// model (full precision, the search's start at checkpoint 0, the searched model), read back from
// the file; recorded perplexities appear with two decimals; partial values are marked.
void TestSearchCli::tableFromRecordedResults() {
    const QString file = dir_.filePath("table.h5");
    Run r = invxRun(searchArgs(file, 30));
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const std::int64_t lastStep =
        ExperimentFile::open(file.toStdString(), false).checkpointSteps().back();
    QCOMPARE(lastStep, std::int64_t(30));

    // --record keeps a perplexity on any text; the table shows only WikiText-2 and C4.
    r = invxRun({"eval", "--experiment", file, "--data", text_, "--window", "64", "--record",
                 "--json", "--quiet"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject ppl = lastJsonLine(r.out);
    QCOMPARE(ppl["measured"].toString(), QStringLiteral("searched"));
    {
        const std::vector<ResultRecord> results =
            ExperimentFile::open(file.toStdString(), false).results();
        QCOMPARE(results.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(results[0].model), QStringLiteral("searched"));
        QCOMPARE(results[0].step, lastStep);
        QCOMPARE(QString::fromStdString(results[0].metric), QFileInfo(text_).fileName());
        QCOMPARE(results[0].value, ppl["ppl"].toDouble());
        QCOMPARE(results[0].items, std::int64_t(ppl["windows"].toInt()));
        QVERIFY(results[0].complete);
    }

    // A task on each of the three models, from `invx eval`, and then through invx table --evaluate.
    QTemporaryDir data;
    QVERIFY(QDir().mkpath(data.filePath("tasks")));
    QVERIFY(QFile::copy(QStringLiteral(INVX_SOURCE_DIR "/tests/fixtures/tasks/arc_easy.jsonl"),
                        data.filePath("tasks/arc_easy.jsonl")));
    const QByteArray saved = qgetenv("INVX_DATA");
    qputenv("INVX_DATA", data.path().toUtf8());
    std::map<std::string, double> accNorm;  // by the model kind eval reports
    auto accuracy = [&](const QStringList& which) {
        const Run e = invxRun(QStringList{"eval", "--experiment", file, "--tasks", "arc_easy",
                                          "--shots", "0", "--json", "--quiet"} +
                              which);
        if (e.exitCode != 0) qWarning("%s", qPrintable(e.err));
        const QJsonObject task = lastJsonLine(e.out)["tasks"].toArray()[0].toObject();
        accNorm[lastJsonLine(e.out)["measured"].toString().toStdString()] =
            task["acc_norm"].toDouble();
        return task["acc"].toDouble();
    };
    const double fp = accuracy({"--full-precision"}), base = accuracy({"--checkpoint", "0"}),
                 searched = accuracy({});
    QCOMPARE(accNorm.size(), std::size_t(3));  // full-precision, base, searched
    r = invxRun({"table", file, "--evaluate", "--measure", "arc_easy", "--shots", "0", "--format",
                 "csv", "--quiet"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QStringList lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 4);  // heading, FP, RTN, RTN + InvarExplore
    QCOMPARE(lines[0], QStringLiteral("bits,method,wikitext2,c4,arc_challenge,arc_easy,boolq,"
                                      "hellaswag,piqa,winogrande,average,partial,file,step"));
    auto cell = [&](int line, int column) { return lines[line].split(',')[column]; };
    QCOMPARE(cell(1, 1), QStringLiteral("FP32"));
    QCOMPARE(cell(2, 1), QStringLiteral("RTN"));
    QCOMPARE(cell(3, 1), QStringLiteral("RTN + InvarExplore"));
    QCOMPARE(cell(1, 5).toDouble(), 100 * fp);
    QCOMPARE(cell(2, 5).toDouble(), 100 * base);
    QCOMPARE(cell(3, 5).toDouble(), 100 * searched);
    QCOMPARE(cell(3, 13), QStringLiteral("30"));
    QVERIFY(cell(3, 2).isEmpty() && cell(3, 10).isEmpty());  // not measured; no average of one task
    const std::size_t recorded = ExperimentFile::open(file.toStdString(), false).results().size();
    QCOMPARE(recorded, std::size_t(4));  // the perplexity and three accuracies
    for (const ResultRecord& x : ExperimentFile::open(file.toStdString(), false).results()) {
        if (x.metric != "arc_easy") continue;
        QCOMPARE(x.valueNorm, accNorm.at(x.model));
        QCOMPARE(x.step, x.model == "searched" ? lastStep : std::int64_t(0));
        QVERIFY(x.complete && x.items == 5);
    }

    // Read back without measuring: the same table, nothing new recorded, the gaps named.
    const Run again = invxRun({"table", file, "--format", "csv"});
    QCOMPARE(again.out, r.out);
    QVERIFY2(
        again.err.contains("value(s) are not recorded yet") && again.err.contains("--evaluate"),
        qPrintable(again.err));
    QCOMPARE(ExperimentFile::open(file.toStdString(), false).results().size(), recorded);
    qputenv("INVX_DATA", saved);

    // Recorded perplexities, one of them partial: two decimals, a mark and its note.
    {
        ExperimentFile f = ExperimentFile::open(file.toStdString(), true);
        ResultRecord x;
        x.model = "base", x.step = 0, x.metric = "wikitext2", x.value = 12.345678,
        x.valueNorm = std::nan(""), x.items = 3;
        f.appendResult(x);
        x.metric = "c4", x.value = 20.001, x.complete = false;
        f.appendResult(x);
        x.model = "searched", x.step = 30, x.metric = "wikitext2", x.value = 11.5,
        x.complete = true;
        f.appendResult(x);
        x.value = 11.25, x.unixTime = 1;  // older than the one before: not shown
        f.appendResult(x);
    }
    r = invxRun({"table", file, "--format", "markdown", "--quiet"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    // Bold: the best of each column among the 2-bit rows.
    QVERIFY2(r.out.contains("| 2 (g32) | RTN | 12.35 | **20.00\\*** | – |"), qPrintable(r.out));
    QVERIFY2(r.out.contains("| 2 (g32) | RTN + InvarExplore | **11.50** | – |"), qPrintable(r.out));
    QVERIFY2(r.out.contains("\\* measured on part of the data"), qPrintable(r.out));
    const QString tex = dir_.filePath("table.tex");
    r = invxRun({"table", file, "--format", "latex", "--output", tex, "--quiet"});
    QVERIFY2(r.exitCode == 0 && r.out.isEmpty(), qPrintable(r.err));
    QFile texFile(tex);
    QVERIFY(texFile.open(QIODevice::ReadOnly));
    const QString latex = QString::fromUtf8(texFile.readAll());
    QVERIFY2(latex.startsWith(
                 "\\begin{tabular}{rlrrrrrrrrr}\n\\toprule\nBits & Method & Wiki2 $\\downarrow$"),
             qPrintable(latex));
    QVERIFY2(latex.contains("2 (g32) & RTN & 12.35 & \\textbf{20.00}$^{*}$ & --"),
             qPrintable(latex));
    QVERIFY(latex.contains("\\bottomrule\n\\end{tabular}\n"));

    // Two runs over the same base method share its row and are told apart by file name.
    const QString second = dir_.filePath("second.h5");
    QVERIFY2(invxRun(searchArgs(second, 5)).exitCode == 0, "a second search");
    r = invxRun({"table", file, second, "--format", "csv", "--quiet"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(r.out.count('\n'), 5);
    QVERIFY2(r.out.contains(",RTN,12.3457,20.001,") &&
                 r.out.contains(",RTN + InvarExplore (table),11.5,") &&
                 r.out.contains(",RTN + InvarExplore (second),,"),
             qPrintable(r.out));

    // Refusals name what is wrong.
    const QString other = dir_.filePath("other-model.h5");
    QStringList otherArgs = searchArgs(other, 5);
    otherArgs[otherArgs.indexOf("--model") + 1] = otherModel_;
    QVERIFY2(invxRun(otherArgs).exitCode == 0, "a search on the other model");
    r = invxRun({"table", file, other});
    QVERIFY2(r.exitCode == 1 && r.err.contains("compares methods on one model") &&
                 r.err.contains("other-model.h5"),
             qPrintable(r.err));
    r = invxRun({"table", file, "--format", "html"});
    QVERIFY2(r.exitCode == 1 &&
                 r.err.contains("--format expects markdown, latex or csv, but got 'html'"),
             qPrintable(r.err));
    r = invxRun({"table", file, "--limit", "5"});
    QVERIFY2(r.exitCode == 1 && r.err.contains("--limit belongs to --evaluate"), qPrintable(r.err));
    r = invxRun({"table"});
    QVERIFY2(r.exitCode == 1 && r.err.contains("needs experiment files"), qPrintable(r.err));
    r = invxRun({"table", file, "--evaluate", "--models", "quantized"});
    QVERIFY2(r.exitCode == 1 && r.err.contains("--models expects full-precision, base or searched"),
             qPrintable(r.err));
    r = invxRun({"eval", "--model", model_, "--record"});
    QVERIFY2(r.exitCode == 1 && r.err.contains("--record belongs to --experiment FILE"),
             qPrintable(r.err));

    // The search names the text its perplexity is measured on.
    QStringList plain = searchArgs(dir_.filePath("named.h5"), 3);
    plain.removeAll("--json");
    r = invxRun(plain);
    const QString named = QFileInfo(text_).fileName() + " perplexity: ";
    QVERIFY2(r.exitCode == 0 && r.out.contains(named) && !r.out.contains("WikiText-2"),
             qPrintable(r.out));
}

namespace {
// A NumPy .npy file of a 2-D array: version 1.0, little-endian integers of `descr` ("<i4", "<i8").
void writeNpy(const QString& path, const std::vector<std::int64_t>& values, std::int64_t rows,
              std::int64_t cols, const std::string& descr) {
    std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" +
                         std::to_string(rows) + ", " + std::to_string(cols) + "), }";
    while ((10 + header.size() + 1) % 64) header += ' ';
    header += '\n';
    std::ofstream out(path.toStdString(), std::ios::binary);
    out.write("\x93NUMPY\x01\x00", 8);
    const std::uint16_t length = std::uint16_t(header.size());
    out.write(reinterpret_cast<const char*>(&length), 2);
    out << header;
    const int size = descr.back() - '0';
    for (std::int64_t v : values)
        out.write(reinterpret_cast<const char*>(&v), size);  // little-endian low bytes
}

void writeIdsSafetensors(const QString& path, const std::vector<std::int64_t>& values,
                         std::int64_t rows, std::int64_t cols) {
    const std::string header = R"({"input_ids":{"dtype":"I64","shape":[)" + std::to_string(rows) +
                               "," + std::to_string(cols) + R"(],"data_offsets":[0,)" +
                               std::to_string(values.size() * 8) + "]}}";
    std::ofstream out(path.toStdString(), std::ios::binary);
    const std::uint64_t length = header.size();
    out.write(reinterpret_cast<const char*>(&length), 8);
    out << header;
    out.write(reinterpret_cast<const char*>(values.data()), std::streamsize(values.size() * 8));
}
}  // namespace

// --calibration-ids: the same token ids given as a file make the same run, step for step, and are
// recorded as the calibration; files that do not fit are refused with the reason.
void TestSearchCli::calibrationFromGivenTokenIds() {
    const QString drawn = dir_.filePath("drawn.h5");
    Run r = invxRun(searchArgs(drawn, 20));
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const CalibrationBatch batch = ExperimentFile::open(drawn.toStdString(), false).calibration();
    std::vector<std::int64_t> ids(batch.ids.begin(), batch.ids.end());
    // Two more rows than the search takes: it takes the first ones.
    for (int extra = 0; extra < 2 * batch.length; ++extra) ids.push_back(extra % 7);
    const std::int64_t rows = batch.samples + 2, cols = batch.length;
    const QString npy = dir_.filePath("ids.npy"), safetensors = dir_.filePath("ids.safetensors");
    writeNpy(npy, ids, rows, cols, "<i4");
    writeIdsSafetensors(safetensors, ids, rows, cols);
    const auto steps = [](const QString& file) {
        std::vector<std::pair<double, bool>> out;
        for (const StepRecord& s : ExperimentFile::open(file.toStdString(), false).steps())
            out.push_back({s.loss, s.accepted});
        return out;
    };
    for (const QString& given : {npy, safetensors}) {
        const QString file = dir_.filePath(QFileInfo(given).suffix() + "-ids.h5");
        r = invxRun(searchArgs(file, 20) << "--calibration-ids" << given);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const ExperimentFile f = ExperimentFile::open(file.toStdString(), false);
        QCOMPARE(f.calibration().ids, batch.ids);
        QCOMPARE(QString::fromStdString(f.calibration().corpus),
                 "ids:" + QFileInfo(given).absoluteFilePath());
        QCOMPARE(QString::fromStdString(f.settings().calibrationIds),
                 QFileInfo(given).absoluteFilePath());
        QVERIFY(steps(file) == steps(drawn));
    }

    // Other ids are other calibration: the rows in reverse order.
    std::vector<std::int64_t> reversed;
    for (std::int64_t row = rows - 1; row >= 0; --row)
        reversed.insert(reversed.end(), ids.begin() + row * cols, ids.begin() + (row + 1) * cols);
    writeNpy(dir_.filePath("reversed.npy"), reversed, rows, cols, "<i8");
    r = invxRun(searchArgs(dir_.filePath("reversed.h5"), 5)
                << "--calibration-ids" << dir_.filePath("reversed.npy"));
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const std::vector<std::int32_t> taken =
        ExperimentFile::open(dir_.filePath("reversed.h5").toStdString(), false).calibration().ids;
    QVERIFY(std::equal(taken.begin(), taken.end(), reversed.begin()));

    // What does not fit is refused, naming the file and the way out.
    writeNpy(dir_.filePath("short.npy"), ids, rows * 2, cols / 2, "<i4");
    r = invxRun(searchArgs(dir_.filePath("bad.h5"), 5)
                << "--calibration-ids" << dir_.filePath("short.npy"));
    QVERIFY2(r.exitCode == 1 && r.err.contains("short.npy") &&
                 r.err.contains("pass --calibration-length 16"),
             qPrintable(r.err));
    writeNpy(dir_.filePath("few.npy"), ids, 2, cols, "<i8");
    r = invxRun(searchArgs(dir_.filePath("bad.h5"), 5)
                << "--calibration-ids" << dir_.filePath("few.npy"));
    QVERIFY2(r.exitCode == 1 && r.err.contains("hold 2 sequences, but 4 are needed"),
             qPrintable(r.err));
    std::vector<std::int64_t> outside = ids;
    outside[5] = 1 << 20;
    writeNpy(dir_.filePath("outside.npy"), outside, rows, cols, "<i8");
    r = invxRun(searchArgs(dir_.filePath("bad.h5"), 5)
                << "--calibration-ids" << dir_.filePath("outside.npy"));
    QVERIFY2(
        r.exitCode == 1 && r.err.contains("id 1048576 at [0, 5]") && r.err.contains("vocabulary"),
        qPrintable(r.err));
    writeNpy(dir_.filePath("floats.npy"), ids, rows, cols, "<f4");
    r = invxRun(searchArgs(dir_.filePath("bad.h5"), 5)
                << "--calibration-ids" << dir_.filePath("floats.npy"));
    QVERIFY2(r.exitCode == 1 && r.err.contains("floats.npy") && r.err.contains("not integers"),
             qPrintable(r.err));
    r = invxRun(searchArgs(dir_.filePath("bad.h5"), 5) << "--calibration-ids" << corpus_);
    QVERIFY2(r.exitCode == 1 && r.err.contains("neither a NumPy .npy file nor a .safetensors file"),
             qPrintable(r.err));
    QVERIFY(!fs::exists(dir_.filePath("bad.h5").toStdString()));
}

// export-invariances then import-invariances: the imported experiment's last checkpoint is the
// exported state (float16 scales and angles), exporting it again gives the same bytes, and the
// step comes from the published code's METADATA file beside the pickle.
void TestSearchCli::invariancesThroughThePublishedFormat() {
    const QString file = dir_.filePath("to-export.h5");
    Run r = invxRun(searchArgs(file, 30));
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QDir().mkpath(dir_.filePath("best"));
    const QString pickle = dir_.filePath("best/ckpt.pkl");
    r = invxRun({"export-invariances", "--experiment", file, "--out", pickle});
    QVERIFY2(r.exitCode == 0 && r.out.contains("(PSR)") && r.out.contains("step 30"),
             qPrintable(r.err + r.out));
    std::ofstream(dir_.filePath("best/METADATA").toStdString())
        << "step: 812, loss: 1.084 test_pll: 301.335";
    const QString imported = dir_.filePath("imported.h5");
    r = invxRun({"import-invariances",
                 pickle,
                 "--out",
                 imported,
                 "--model",
                 model_,
                 "--method",
                 "rtn",
                 "--group",
                 "32",
                 "--calibration",
                 corpus_,
                 "--calibration-samples",
                 "4",
                 "--calibration-length",
                 "32",
                 "--eval-data",
                 "none",
                 "--device",
                 "cpu",
                 "--quiet"});
    QVERIFY2(r.exitCode == 0 && r.out.contains("step 812"), qPrintable(r.err + r.out));
    const ExperimentFile original = ExperimentFile::open(file.toStdString(), false),
                         back = ExperimentFile::open(imported.toStdString(), false);
    QCOMPARE(back.checkpointSteps(), (std::vector<std::int64_t>{0, 812}));
    QCOMPARE(QString::fromStdString(back.settings().invariances), QString("PSR"));
    const SearchCheckpoint a = original.checkpoint(-1), b = back.checkpoint(-1);
    for (std::size_t l = 0; l < a.layers.size(); ++l) {
        QCOMPARE(b.layers[l].permutation, a.layers[l].permutation);
        for (std::size_t i = 0; i < a.layers[l].scales.size(); ++i)
            QVERIFY(std::abs(b.layers[l].scales[i] - a.layers[l].scales[i]) <=
                    1e-3f * a.layers[l].scales[i]);  // float16
        for (std::size_t i = 0; i < a.layers[l].angles.size(); ++i)
            QVERIFY(std::abs(b.layers[l].angles[i] - a.layers[l].angles[i]) <=
                    1e-3f * std::abs(a.layers[l].angles[i]) + 1e-7f);
    }
    QVERIFY(b.bestLoss > 0 && b.bestLoss < 1.5);  // measured, not copied
    const QString again = dir_.filePath("again.pkl");
    QCOMPARE(invxRun({"export-invariances", "--experiment", imported, "--out", again}).exitCode, 0);
    QFile first(pickle), second(again);
    QVERIFY(first.open(QIODevice::ReadOnly) && second.open(QIODevice::ReadOnly));
    QCOMPARE(second.readAll(), first.readAll());
    // The searched model of the imported file evaluates like any other.
    r = invxRun(
        {"eval", "--experiment", imported, "--data", text_, "--window", "64", "--json", "--quiet"});
    QVERIFY2(r.exitCode == 0 && lastJsonLine(r.out)["step"].toInt() == 812, qPrintable(r.err));

    // Refusals.
    r = invxRun({"export-invariances", "--experiment", file, "--out", pickle});
    QVERIFY2(r.exitCode == 1 && r.err.contains("already exists"), qPrintable(r.err));
    r = invxRun({"import-invariances",
                 QStringLiteral(INVX_SOURCE_DIR "/tests/fixtures/published/ckpt.pkl"),
                 "--out",
                 dir_.filePath("bad.h5"),
                 "--model",
                 model_,
                 "--method",
                 "rtn",
                 "--group",
                 "32",
                 "--calibration",
                 corpus_,
                 "--calibration-samples",
                 "4",
                 "--calibration-length",
                 "32",
                 "--eval-data",
                 "none",
                 "--device",
                 "cpu",
                 "--quiet"});
    QVERIFY2(r.exitCode == 1 && r.err.contains("ckpt.pkl") &&
                 r.err.contains("layers, but the model has"),
             qPrintable(r.err));
    QVERIFY(!fs::exists(
        dir_.filePath("bad.h5").toStdString()));  // the file made before the refusal is gone
    r = invxRun({"import-invariances", corpus_, "--out", dir_.filePath("bad.h5")});
    QVERIFY2(r.exitCode == 1 && r.err.contains("corpus.txt"), qPrintable(r.err));
}

void TestSearchCli::signalsStopWithACheckpoint_data() {
    QTest::addColumn<int>("signal");
    QTest::newRow("SIGINT (Ctrl-C)") << int(SIGINT);
    QTest::newRow("SIGTERM") << int(SIGTERM);
}

void TestSearchCli::signalsStopWithACheckpoint() {
    // The step in flight ends, a checkpoint is written, the file says "stopped", the process exits
    // normally, and --resume carries on from that step.
    QFETCH(int, signal);
    const QString file = dir_.filePath(QStringLiteral("signal-%1.h5").arg(signal));
    QProcess p;
    p.start(QStringLiteral(INVX_CLI_PATH), searchArgs(file, 100000));
    QByteArray seen;
    while (!seen.contains("\"step\":40,") && p.state() != QProcess::NotRunning) {
        p.waitForReadyRead(1000);
        seen += p.readAllStandardOutput();
    }
    QVERIFY(p.state() == QProcess::Running);
    QCOMPARE(::kill(pid_t(p.processId()), signal), 0);
    QVERIFY(p.waitForFinished(60000));
    seen += p.readAllStandardOutput();
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 0);
    const QJsonObject summary = lastJsonLine(QString::fromUtf8(seen));
    QCOMPARE(summary["type"].toString(), QStringLiteral("summary"));
    QVERIFY(summary["stopped"].toBool());
    const int stoppedAt = summary["steps"].toInt();
    QVERIFY(stoppedAt >= 40 && stoppedAt < 100000);
    {
        const ExperimentFile f = ExperimentFile::open(file.toStdString(), false);
        QCOMPARE(f.status(), std::string("stopped"));
        QCOMPARE(f.checkpoint(-1).step,
                 std::int64_t(stoppedAt));  // nothing after the last checkpoint is lost
        QCOMPARE(f.stepCount(), std::int64_t(stoppedAt));
    }
    Run r = invxRun({"search", "--resume", file, "--steps", QString::number(stoppedAt + 5),
                     "--json", "--quiet"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(lastJsonLine(r.out)["resumed_from_step"].toInt(), stoppedAt);
    QCOMPARE(ExperimentFile::open(file.toStdString(), false).stepCount(),
             std::int64_t(stoppedAt + 5));
}

void TestSearchCli::presetThenGivenOptions() {
    // --preset demo sets what the options do not: here the evaluation interval and the checkpoint
    // interval; the options given (steps, calibration, windows) win.
    const QString file = dir_.filePath("preset.h5");
    QStringList args = searchArgs(file, 0);
    args << "--preset"
         << "demo";
    const Run r = invxRun(args);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const SearchSettings s = ExperimentFile::open(file.toStdString(), false).settings();
    QCOMPARE(s.steps, std::int64_t(0));
    QCOMPARE(s.calibrationSamples, 4);
    QCOMPARE(s.evalWindows, std::int64_t(3));
    QCOMPARE(s.evalEverySeconds, 30.0);
    QCOMPARE(s.checkpointEverySeconds, 30.0);
    QCOMPARE(s.checkpointEverySteps, std::int64_t(10));
}

void TestSearchCli::refusesBadInput_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QStringList>("fragments");
    const QString file = dir_.filePath("bad.h5");
    auto with = [&](QStringList extra) {
        QStringList a = searchArgs(file, 5);
        for (int i = 0; i + 1 < extra.size(); i += 2) {
            const int at = a.indexOf(extra[i]);
            if (at >= 0)
                a[at + 1] = extra[i + 1];
            else
                a << extra[i] << extra[i + 1];
        }
        return a;
    };
    QTest::newRow("bits") << with({"--bits", "9"}) << QStringList{"--bits", "9"};
    QTest::newRow("group") << with({"--group", "48"}) << QStringList{"group size 48", "divide"};
    QTest::newRow("swap fraction")
        << with({"--swap-frac", "0.005"}) << QStringList{"--swap-frac", "too small to pick a pair"};
    QTest::newRow("preset") << with({"--preset", "fast"})
                            << QStringList{"unknown search preset 'fast'", "demo or paper"};
    QTest::newRow("not an integer")
        << with({"--steps", "ten"})
        << QStringList{"--steps: ", "must be a whole number, but is 'ten'"};
    QTest::newRow("invariances") << with({"--invariances", "PQ"})
                                 << QStringList{"invariances", "PQ"};
    QTest::newRow("calibration") << with({"--calibration-samples", "500"})
                                 << QStringList{"corpus.txt", "only", "tokens"};
    QTest::newRow("not hdf5") << QStringList{"search", "--resume", corpus_}
                              << QStringList{"corpus.txt", "not an HDF5 file"};
    const QString run = dir_.filePath("run.h5");  // written by recordsARunAndAppliesIt
    QTest::newRow("existing file")
        << searchArgs(run, 5) << QStringList{"run.h5", "already exists", "--resume"};
    QTest::newRow("other model") << QStringList{"search", "--resume", run, "--model", otherModel_}
                                 << QStringList{"run.h5", "different model", "fingerprint"};
    QTest::newRow("changed setting") << QStringList{"search", "--resume", run, "--bits", "3"}
                                     << QStringList{"--bits", "cannot be changed when resuming"};
    QTest::newRow("missing") << QStringList{"search", "--resume", dir_.filePath("nowhere.h5")}
                             << QStringList{"nowhere.h5", "does not exist"};
}

void TestSearchCli::refusesBadInput() {
    QFETCH(QStringList, args);
    QFETCH(QStringList, fragments);
    const Run r = invxRun(args);
    QCOMPARE(r.exitCode, 1);
    for (const auto& f : fragments) QVERIFY2(r.err.contains(f), qPrintable(r.err));
    QVERIFY2(r.err.trimmed().split(QLatin1Char('\n')).last().startsWith("invx: error: "),
             qPrintable(r.err));
    QVERIFY(
        !fs::exists(dir_.filePath("bad.h5").toStdString()));  // nothing half-made is left behind
}

QTEST_GUILESS_MAIN(TestSearchCli)
#include "tst_search_cli.moc"
