// A study's table in the paper's layout, from what its experiment files record: the baseline row,
// a row per variant with the mean and sample standard deviation over its runs, one run's value
// alone, partial values marked, the best in bold.
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "invx/reasoning-tasks.h"
#include "invx/study-table.h"
#include "test-support.h"

using namespace invx;

class TestStudyTable : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void initTestCase();
    void markdownOfATwoByTwoStudy();
    void latexOfATwoByTwoStudy();
    void csvKeepsMeansDeviationsAndCounts();
    void refusesFilesOfAnotherModel();

  private:
    // A finished search of 100 steps over AWQ with `invariances` and `seed`, recording `results`.
    std::string writeRun(const char* name, const std::string& invariances, std::uint64_t seed,
                         const std::vector<ResultRecord>& results);
    StudyTable table_;
    QTemporaryDir dir_;
};

namespace {

ResultRecord result(const char* model, std::int64_t step, const std::string& metric, double value,
                    bool complete = true) {
    ResultRecord r;
    r.model = model, r.step = step, r.metric = metric, r.value = value, r.complete = complete;
    r.unixTime = 1000;
    return r;
}

// The six tasks' accuracies from `first` up in steps of 0.1: first, first + 0.1, ...
std::vector<ResultRecord> tasks(const char* model, std::int64_t step, double first) {
    std::vector<ResultRecord> out;
    for (const std::string& task : reasoningTaskNames())
        out.push_back(result(model, step, task, first)), first += 0.1;
    return out;
}

std::vector<ResultRecord> operator+(std::vector<ResultRecord> a,
                                    const std::vector<ResultRecord>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

}  // namespace

std::string TestStudyTable::writeRun(const char* name, const std::string& invariances,
                                     std::uint64_t seed, const std::vector<ResultRecord>& results) {
    const std::string path = dir_.filePath(name).toStdString();
    SearchSettings s;
    s.base = "awq";
    s.invariances = invariances;
    s.seed = seed;
    {
        ExperimentFile f = ExperimentFile::create(path, s, test::identity(), test::calibration());
        f.appendCheckpoint(test::checkpointAt(0));
        f.publish();
        f.appendCheckpoint(test::checkpointAt(100));
        f.setStatus("finished");
    }
    ExperimentFile f = ExperimentFile::open(path, true);
    for (const ResultRecord& r : results) f.appendResult(r);
    return path;
}

void TestStudyTable::initTestCase() {
    // Invariances {P, P+S+R} x seeds {0, 1}, and S alone with one seed. The base model's values
    // are recorded in one file; P+S+R's second run measured C4 on part of it; P+S+R has no tasks.
    const std::string p0 = writeRun(
        "p-0.h5", "P", 0,
        std::vector<ResultRecord>{result("base", 0, "wikitext2", 35), result("base", 0, "c4", 30)} +
            tasks("base", 0, 0.30) +
            std::vector<ResultRecord>{result("searched", 100, "wikitext2", 30),
                                      result("searched", 100, "c4", 27)} +
            tasks("searched", 100, 0.32));
    const std::string p1 =
        writeRun("p-1.h5", "P", 1,
                 std::vector<ResultRecord>{result("searched", 100, "wikitext2", 31),
                                           result("searched", 100, "c4", 28)} +
                     tasks("searched", 100, 0.34));
    const std::string psr0 =
        writeRun("psr-0.h5", "PSR", 0,
                 {result("searched", 100, "wikitext2", 28), result("searched", 100, "c4", 26)});
    const std::string psr1 = writeRun(
        "psr-1.h5", "PSR", 1,
        {result("searched", 100, "wikitext2", 29), result("searched", 100, "c4", 26.5, false)});
    const std::string s0 =
        writeRun("s-0.h5", "S", 0,
                 {result("searched", 100, "wikitext2", 33), result("searched", 100, "c4", 29)});
    table_ = buildStudyTable({{"P only", {p0, p1}}, {"P+S+R", {psr0, psr1}}, {"S only", {s0}}},
                             readResultsSources({p0, p1, psr0, psr1, s0}));
}

void TestStudyTable::markdownOfATwoByTwoStudy() {
    const std::string expected =
        "| Bits | Method | Runs | Wiki2 ↓ | C4 ↓ | ARC-C ↑ | ARC-E ↑ | BoolQ ↑ | HellaSwag ↑ | "
        "PIQA ↑ | WinoGrande ↑ | Avg ↑ |\n"
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        "| 2 | AWQ (before the search) | 1 | 35.00 | 30.00 | 30.00 | 40.00 | 50.00 | 60.00 | 70.00 "
        "| 80.00 | 55.00 |\n"
        "| 2 | P only | 2 | 30.50 ± 0.71 | 27.50 ± 0.71 | **33.00 ± 1.41** | **43.00 ± 1.41** | "
        "**53.00 ± 1.41** | "
        "**63.00 ± 1.41** | **73.00 ± 1.41** | **83.00 ± 1.41** | **58.00 ± 1.41** |\n"
        "| 2 | P+S+R | 2 | **28.50 ± 0.71** | **26.25 ± 0.35\\*** | – | – | – | – | – | – | – |\n"
        "| 2 | S only | 1 | 33.00 | 29.00 | – | – | – | – | – | – | – |\n"
        "\n"
        "Mean ± sample standard deviation over the runs (seeds); a value without ± is of one run.\n"
        "\\* measured on part of the data (the first windows or items only).\n";
    QCOMPARE(QString::fromStdString(formatStudyTable(table_, ResultsFormat::Markdown)),
             QString::fromStdString(expected));
    QCOMPARE(table_.missing.size(),
             std::size_t(3 * 6));  // the tasks of P+S+R's two runs and of S's one
}

void TestStudyTable::latexOfATwoByTwoStudy() {
    const std::string expected =
        "\\begin{tabular}{rlrrrrrrrrrr}\n"
        "\\toprule\n"
        "Bits & Method & Runs & Wiki2 $\\downarrow$ & C4 $\\downarrow$ & ARC-C $\\uparrow$ & ARC-E "
        "$\\uparrow$ & BoolQ $\\uparrow$ & "
        "HellaSwag $\\uparrow$ & PIQA $\\uparrow$ & WinoGrande $\\uparrow$ & Avg $\\uparrow$ \\\\\n"
        "\\midrule\n"
        "2 & AWQ (before the search) & 1 & 35.00 & 30.00 & 30.00 & 40.00 & 50.00 & 60.00 & 70.00 & "
        "80.00 & 55.00 \\\\\n"
        "2 & P only & 2 & 30.50 $\\pm$ 0.71 & 27.50 $\\pm$ 0.71 & \\textbf{33.00 $\\pm$ 1.41} & "
        "\\textbf{43.00 $\\pm$ 1.41} & "
        "\\textbf{53.00 $\\pm$ 1.41} & \\textbf{63.00 $\\pm$ 1.41} & \\textbf{73.00 $\\pm$ 1.41} & "
        "\\textbf{83.00 $\\pm$ 1.41} & "
        "\\textbf{58.00 $\\pm$ 1.41} \\\\\n"
        "2 & P+S+R & 2 & \\textbf{28.50 $\\pm$ 0.71} & \\textbf{26.25 $\\pm$ 0.35}$^{*}$ & -- & -- "
        "& -- & -- & -- & -- & -- \\\\\n"
        "2 & S only & 1 & 33.00 & 29.00 & -- & -- & -- & -- & -- & -- & -- \\\\\n"
        "\\bottomrule\n"
        "\\end{tabular}\n"
        "% mean $\\pm$ sample standard deviation over the runs (seeds)\n"
        "% * measured on part of the data (the first windows or items only)\n";
    QCOMPARE(QString::fromStdString(formatStudyTable(table_, ResultsFormat::Latex)),
             QString::fromStdString(expected));
}

void TestStudyTable::csvKeepsMeansDeviationsAndCounts() {
    const QStringList lines =
        QString::fromStdString(formatStudyTable(table_, ResultsFormat::Csv)).split('\n');
    QVERIFY(lines[0].startsWith(
        "bits,method,baseline,runs,wikitext2,wikitext2_sd,wikitext2_n,c4,c4_sd,c4_n,"));
    QVERIFY2(lines[2].startsWith("2,P only,0,2,30.5,0.707107,2,27.5,0.707107,2,33,1.41421,2,"),
             qPrintable(lines[2]));
    QVERIFY2(lines[4].startsWith("2,S only,0,1,33,0,1,29,0,1,,,0,"), qPrintable(lines[4]));
}

void TestStudyTable::refusesFilesOfAnotherModel() {
    std::vector<ResultsSource> sources =
        readResultsSources({dir_.filePath("p-0.h5").toStdString()});
    ResultsSource other = sources.front();
    other.path = "other.h5";
    other.model.fingerprint = "another model";
    other.model.path = "/models/other";
    sources.push_back(other);
    INVX_VERIFY_MESSAGE(test::errorOf([&] {
                            buildStudyTable({{"P", {sources[0].path, "other.h5"}}}, sources);
                        }),
                        "other.h5", "/models/other", "one model");
}

QTEST_APPLESS_MAIN(TestStudyTable)
#include "tst_study_table.moc"
