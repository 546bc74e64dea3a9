// A study's plan and its life on Slurm without a cluster: the plan's file round-trips (with its
// submission), the shared bases and their files, the script's stages (checked by bash -n and run
// for its dispatch), sbatch's arguments, and what squeue and sacct print, read into states.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <fstream>

#include "invx/error.h"
#include "invx/slurm-study.h"
#include "invx/study-plan.h"

using namespace invx;

class TestSlurmStudy : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void planRoundTripsWithItsSubmission();
    void sharedBasesGetOneFileEach();
    void damagedPlanIsNamed();
    void scriptHasAStagePerVariantAndIsValidBash();
    void scriptDispatchesTasksToTheirFiles();
    void sbatchArgumentsChainTheStages();
    void arrayListsAreCompact();
    void jobIdsAreReadFromSbatch();
    void schedulerStatesOfSqueueAndSacct();
};

namespace {

// A 2 x 2 grid over GPTQ, 2 and 3 bits x seeds 0 and 1, in `folder`.
StudyPlan gptqGrid(const QString& folder) {
    SearchSettings base;
    base.base = "gptq";
    base.steps = 20;
    return StudyPlan::create(base, {{"bits", {"2", "3"}}, {"seed", {"0", "1"}}},
                             folder.toStdString(), "/models/opt-demo", "cpu", "float32");
}

}  // namespace

void TestSlurmStudy::planRoundTripsWithItsSubmission() {
    QTemporaryDir dir;
    StudyPlan plan = gptqGrid(dir.path());
    plan.setEvaluation(StudyEvaluation::Quick);
    plan.setQuickScope(3, 7);
    plan.variants()[1].state = "finished";
    SlurmSubmission s;
    s.options.partition = "gpu";
    s.options.timeLimit = "4:00:00";
    s.options.gpusPerTask = 1;
    s.options.extraLines = {"--qos=high"};
    s.checkJob = "10", s.baseJob = "11";
    s.searchJobs = {"12_0", "12_1", "12_2", "12_3"};
    s.evaluationJobs = {"13_0", "", "13_2", "13_3"};
    plan.setSlurm(s);
    plan.save();

    const StudyPlan again = StudyPlan::load(plan.file());
    QCOMPARE(again.variants().size(), std::size_t(4));
    QCOMPARE(again.variants()[1].state, std::string("finished"));
    QCOMPARE(again.variants()[0].state, std::string("pending"));
    QCOMPARE(again.variants()[2].settings.quant.bits, 3);
    QCOMPARE(again.variants()[3].settings.seed, std::uint64_t(1));
    QCOMPARE(again.variants()[3].path, plan.variants()[3].path);
    QCOMPARE(again.evaluation(), StudyEvaluation::Quick);
    QCOMPARE(again.quickWindows(), 3);
    QCOMPARE(again.quickItems(), 7);
    QVERIFY(again.slurm().has_value());
    QCOMPARE(again.slurm()->options.partition, std::string("gpu"));
    QCOMPARE(again.slurm()->options.gpusPerTask, 1);
    QCOMPARE(again.slurm()->options.extraLines, std::vector<std::string>{"--qos=high"});
    QCOMPARE(again.slurm()->searchJobs, s.searchJobs);
    QCOMPARE(again.slurm()->evaluationJobs, s.evaluationJobs);
    QCOMPARE(submissionJobIds(*again.slurm()), (std::vector<std::string>{"10", "11", "12", "13"}));
    QCOMPARE(again.nextVariant(), 0);
}

void TestSlurmStudy::sharedBasesGetOneFileEach() {
    QTemporaryDir dir;
    const StudyPlan plan = gptqGrid(dir.path());
    // Two bit widths: two base quantizations, each shared by its two seeds.
    QCOMPARE(plan.distinctBases(), (std::vector<int>{0, 2}));
    const QString first = dir.filePath("base-1.h5"), second = dir.filePath("base-2.h5");
    QCOMPARE(QString::fromStdString(plan.baseFile(0)), first);
    QCOMPARE(QString::fromStdString(plan.baseFile(1)), first);
    QCOMPARE(QString::fromStdString(plan.baseFile(2)), second);
    QCOMPARE(QString::fromStdString(plan.baseFile(3)), second);

    SearchSettings rtn;
    const StudyPlan plain = StudyPlan::create(rtn, {{"seed", {"0", "1"}}},
                                              dir.filePath("rtn").toStdString(), "m", "", "");
    QVERIFY(plain.distinctBases().empty());
    QVERIFY(plain.baseFile(0).empty());
}

void TestSlurmStudy::damagedPlanIsNamed() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("ablation.json").toStdString();
    std::ofstream(path) << R"({"format": "invx-ablation", "axes": 3})";
    try {
        StudyPlan::load(path);
        QFAIL("a damaged study loaded");
    } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains(QString::fromStdString(path)), e.what());
    }
    std::ofstream(path) << R"({"format": "something else"})";
    QVERIFY_THROWS_EXCEPTION(Error, StudyPlan::load(path));
}

void TestSlurmStudy::scriptHasAStagePerVariantAndIsValidBash() {
    QTemporaryDir dir;
    StudyPlan plan = gptqGrid(dir.path());
    plan.setEvaluation(StudyEvaluation::Quick);
    SlurmOptions o;
    o.partition = "gpu";
    o.gpusPerTask = 1;
    o.extraLines = {"--qos=high", "#SBATCH --mail-type=END"};
    const std::string script = studyScript(plan, o, "/opt/invx/bin/invx");
    const QString text = QString::fromStdString(script);
    QVERIFY(text.startsWith("#!/bin/bash\n"));
    for (const char* line :
         {"#SBATCH --partition=gpu\n", "#SBATCH --gpus-per-task=1\n", "#SBATCH --qos=high\n",
          "#SBATCH --mail-type=END\n", "INVX=${INVX:-/opt/invx/bin/invx}\n"})
        QVERIFY2(text.contains(QString::fromLatin1(line)), line);
    // Each variant's own settings (bits and seed) in its task, the shared ones once.
    QVERIFY(
        text.contains("0) file=bits-2_seed-0.h5; own=(--base-from base-1.h5 --bits 2 --seed 0)"));
    QVERIFY(
        text.contains("3) file=bits-3_seed-1.h5; own=(--base-from base-2.h5 --bits 3 --seed 1)"));
    QCOMPARE(text.count("--steps 20"), 1);
    // Each base once, skipped when its file is there.
    QCOMPARE(text.count("quantize --model"), 2);
    QVERIFY(text.contains("--eval-windows 40 --limit 100"));
    const QString path = QString::fromStdString(studyScriptPath(plan));
    std::ofstream(path.toStdString()) << script;
    QProcess bash;
    bash.start("bash", {"-n", path});
    QVERIFY(bash.waitForFinished());
    QVERIFY2(bash.exitCode() == 0, bash.readAllStandardError().constData());
}

void TestSlurmStudy::scriptDispatchesTasksToTheirFiles() {
    // The search stage of task 2 runs the invx it is given with variant 2's file and settings.
    QTemporaryDir dir;
    const StudyPlan plan = gptqGrid(dir.path());
    const QString fake = dir.filePath("fake-invx");
    std::ofstream(fake.toStdString()) << "#!/bin/bash\necho \"$@\"\n";
    QFile::setPermissions(fake, QFileDevice::ReadOwner | QFileDevice::ExeOwner);
    std::ofstream(studyScriptPath(plan)) << studyScript(plan, {}, fake.toStdString());
    QProcess run;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("INVX_TASK", "2");
    env.insert("INVX_THREADS", "3");
    run.setProcessEnvironment(env);
    run.start("bash", {QString::fromStdString(studyScriptPath(plan)), "search"});
    QVERIFY(run.waitForFinished());
    const QString out = QString::fromUtf8(run.readAllStandardOutput());
    QCOMPARE(run.exitCode(), 0);
    QVERIFY2(out.startsWith("search --model /models/opt-demo --out bits-3_seed-0.h5 --device cpu "
                            "--dtype float32 --threads 3 "),
             qPrintable(out));
    QVERIFY2(out.contains("--base-from base-2.h5 --bits 3 --seed 0 --quiet"), qPrintable(out));
    // A task the study does not have is refused with its number.
    env.insert("INVX_TASK", "9");
    run.setProcessEnvironment(env);
    run.start("bash", {QString::fromStdString(studyScriptPath(plan)), "search"});
    QVERIFY(run.waitForFinished());
    QCOMPARE(run.exitCode(), 2);
    QVERIFY(QString::fromUtf8(run.readAllStandardError()).contains("no variant 9"));
}

void TestSlurmStudy::sbatchArgumentsChainTheStages() {
    QTemporaryDir dir;
    const StudyPlan plan = gptqGrid(dir.filePath("bits-study"));
    const std::vector<std::string> args = sbatchArguments(plan, "search", {0, 1, 3}, "afterok:11");
    const std::vector<std::string> expected{
        "--parsable",
        "--job-name=invx-bits-study-search",
        "--array=0-1,3",
        "--output=" + dir.filePath("bits-study/slurm").toStdString() + "/%x-%A_%a.out",
        "--dependency=afterok:11",
        "--kill-on-invalid-dep=yes",
        studyScriptPath(plan),
        "search"};
    QCOMPARE(args, expected);
    const std::vector<std::string> check = sbatchArguments(plan, "check", {}, "");
    QCOMPARE(check.size(), std::size_t(5));
    QVERIFY(QString::fromStdString(check[2]).endsWith("/%x-%j.out"));
}

void TestSlurmStudy::arrayListsAreCompact() {
    QCOMPARE(slurmArrayList({0, 1, 2, 5}), std::string("0-2,5"));
    QCOMPARE(slurmArrayList({3}), std::string("3"));
    QCOMPARE(slurmArrayList({1, 3, 4, 5, 7, 8}), std::string("1,3-5,7-8"));
    QCOMPARE(slurmArrayList({}), std::string(""));
}

void TestSlurmStudy::jobIdsAreReadFromSbatch() {
    QCOMPARE(parseSbatchJobId("1234\n"), std::string("1234"));
    QCOMPARE(parseSbatchJobId("77;cluster-a\n"), std::string("77"));
    try {
        parseSbatchJobId("sbatch: error: Batch job submission failed: Invalid account");
        QFAIL("an error was read as a job id");
    } catch (const Error& e) {
        QVERIFY(QString(e.what()).contains("Invalid account"));
    }
}

void TestSlurmStudy::schedulerStatesOfSqueueAndSacct() {
    const auto states = parseSchedulerStates(
        "12_[0-2,5%2]|PENDING\n"
        "12_3|RUNNING\n"
        "11|COMPLETED\n"
        "13_0|CANCELLED by 0\n"
        "13_1|TIMEOUT\n"
        "13_2|OUT_OF_MEMORY\n"
        "garbage line\n"
        "14|SOMETHING_NEW\n");
    QCOMPARE(states.size(), std::size_t(9));
    for (const char* pending : {"12_0", "12_1", "12_2", "12_5"})
        QCOMPARE(states.at(pending), SchedulerState::Pending);
    QCOMPARE(states.at("12_3"), SchedulerState::Running);
    QCOMPARE(states.at("11"), SchedulerState::Completed);
    QCOMPARE(states.at("13_0"), SchedulerState::Cancelled);
    QCOMPARE(states.at("13_1"), SchedulerState::TimedOut);
    QCOMPARE(states.at("13_2"), SchedulerState::Failed);
    QVERIFY(!states.count("14"));
    QCOMPARE(schedulerStateName(SchedulerState::TimedOut), std::string("timed out"));
    QVERIFY(schedulerStateEnded(SchedulerState::Cancelled));
    QVERIFY(!schedulerStateEnded(SchedulerState::Pending));
}

QTEST_GUILESS_MAIN(TestSlurmStudy)
#include "tst_slurm_study.moc"
