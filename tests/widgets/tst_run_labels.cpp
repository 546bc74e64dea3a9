// Runs named by what distinguishes them among those shown, in the paper's words, from the settings
// that matter to the result alone; the model's name; the full settings in a tooltip.
#include <QCoreApplication>
#include <QTest>

#include "invx/setting-table.h"
#include "run-labels.h"

using namespace invx;
using namespace invx::gui;

Q_DECLARE_METATYPE(std::vector<invx::SearchSettings>)
Q_DECLARE_METATYPE(std::vector<invx::ModelIdentity>)

namespace {

SearchSettings with(void (*change)(SearchSettings&)) {
    SearchSettings s;
    change(s);
    return s;
}

ModelIdentity model(const char* path, std::int64_t parameters = 0) {
    ModelIdentity m;
    m.path = path;
    m.fingerprint = path;
    m.parameters = parameters;
    return m;
}

}  // namespace

class TestRunLabels : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void labelsNameWhatDistinguishes_data();
    void labelsNameWhatDistinguishes();
    void modelNames_data();
    void modelNames();
    void whatMattersToTheResult();
    void baselinesAreNamedByTheirMethod();
    void theToolTipHoldsEverySetting();
};

void TestRunLabels::labelsNameWhatDistinguishes_data() {
    QTest::addColumn<std::vector<SearchSettings>>("runs");
    QTest::addColumn<std::vector<ModelIdentity>>("models");
    QTest::addColumn<QStringList>("labels");
    const SearchSettings psr;
    const SearchSettings p = with([](SearchSettings& s) { s.invariances = "P"; });
    const SearchSettings seed1 = with([](SearchSettings& s) { s.seed = 1; });
    const SearchSettings pSeed1 = with([](SearchSettings& s) { s.invariances = "P", s.seed = 1; });
    QTest::newRow("invariances") << std::vector{p, psr} << std::vector<ModelIdentity>{}
                                 << QStringList{"P only", "P+S+R"};
    QTest::newRow("seeds") << std::vector{psr, seed1} << std::vector<ModelIdentity>{}
                           << QStringList{"seed 0", "seed 1"};
    QTest::newRow("invariances and seeds")
        << std::vector{psr, pSeed1} << std::vector<ModelIdentity>{}
        << QStringList{"P+S+R, seed 0", "P only, seed 1"};
    QTest::newRow("bits") << std::vector{psr, with([](SearchSettings& s) { s.quant.bits = 3; })}
                          << std::vector<ModelIdentity>{} << QStringList{"2-bit", "3-bit"};
    QTest::newRow("group") << std::vector{psr,
                                          with([](SearchSettings& s) { s.quant.groupSize = -1; })}
                           << std::vector<ModelIdentity>{} << QStringList{"g128", "per-channel"};
    // A bare "AWQ" would read as the base method itself: the method names its invariances.
    QTest::newRow("base method") << std::vector{psr,
                                                with([](SearchSettings& s) { s.base = "awq"; })}
                                 << std::vector<ModelIdentity>{}
                                 << QStringList{"RTN + P+S+R", "AWQ + P+S+R"};
    QTest::newRow("base method and invariances")
        << std::vector{p, with([](SearchSettings& s) { s.base = "awq"; })}
        << std::vector<ModelIdentity>{} << QStringList{"RTN + P", "AWQ + P+S+R"};
    // Evaluation timing and checkpoints never name a run; nor does AWQ's precision over RTN: runs
    // alike in the rest share their method's name and a number.
    QTest::newRow("only irrelevant settings differ")
        << std::vector{psr, with([](SearchSettings& s) {
                           s.evalBudget = 0.1, s.checkpointEverySeconds = 30;
                           s.awqPrecision = "float32", s.gptqCandidates = "rtn",
                           s.mode = "reference";
                       })}
        << std::vector<ModelIdentity>{} << QStringList{"RTN + P+S+R (1)", "RTN + P+S+R (2)"};
    // A perplexity measured on other windows is another measurement: named.
    QTest::newRow("measured otherwise")
        << std::vector{psr, with([](SearchSettings& s) { s.evalWindows = 4; })}
        << std::vector<ModelIdentity>{} << QStringList{"all eval windows", "4 eval windows"};
    QTest::newRow("the same run twice") << std::vector{psr, psr} << std::vector<ModelIdentity>{}
                                        << QStringList{"RTN + P+S+R (1)", "RTN + P+S+R (2)"};
    // Over AWQ its precision matters, and so do its targets.
    QTest::newRow("AWQ's precision")
        << std::vector{with([](SearchSettings& s) { s.base = "awq"; }),
                       with([](SearchSettings& s) { s.base = "awq", s.awqPrecision = "float32"; })}
        << std::vector<ModelIdentity>{} << QStringList{"AWQ fp16", "AWQ fp32"};
    QTest::newRow("GPTQ's candidates")
        << std::vector{with([](SearchSettings& s) { s.base = "gptq"; }),
                       with([](SearchSettings& s) { s.base = "gptq", s.gptqCandidates = "rtn"; })}
        << std::vector<ModelIdentity>{} << QStringList{"GPTQ candidates", "RTN candidates"};
    // invx quantize's file (no steps) beside searches over it: the base method alone.
    QTest::newRow("the base method alone")
        << std::vector{with([](SearchSettings& s) {
                           s.base = "omniquant", s.steps = 0, s.calibrationSamples = 8;
                       }),
                       with([](SearchSettings& s) { s.base = "omniquant"; }),
                       with([](SearchSettings& s) { s.base = "omniquant", s.invariances = "P"; })}
        << std::vector<ModelIdentity>{}
        << QStringList{"OmniQuant alone", "OmniQuant + P+S+R", "OmniQuant + P"};
    // OmniQuant's own ablation: LWC or LET alone; its epochs.
    QTest::newRow("OmniQuant's LWC and LET")
        << std::vector{with([](SearchSettings& s) { s.base = "omniquant"; }),
                       with(
                           [](SearchSettings& s) { s.base = "omniquant", s.omniquantLet = "off"; }),
                       with(
                           [](SearchSettings& s) { s.base = "omniquant", s.omniquantLwc = "off"; })}
        << std::vector<ModelIdentity>{} << QStringList{"LWC, LET", "LWC, no LET", "no LWC, LET"};
    QTest::newRow("OmniQuant's epochs")
        << std::vector{with([](SearchSettings& s) { s.base = "omniquant"; }),
                       with(
                           [](SearchSettings& s) { s.base = "omniquant", s.omniquantEpochs = 40; })}
        << std::vector<ModelIdentity>{} << QStringList{"20 epochs", "40 epochs"};
    // The issue's legend: "steps 5000, awq_precision float32, targets original,
    // calibration_samples 16, ... checkpoint_seconds 60" over RTN. Too long in words: compact.
    QTest::newRow("the issue's legend")
        << std::vector{psr, with([](SearchSettings& s) {
                           s.steps = 5000, s.awqPrecision = "float32", s.targets = "original";
                           s.calibrationSamples = 16, s.evalBudget = 0.1;
                           s.checkpointEverySeconds = 30, s.checkpointEverySteps = 100;
                       })}
        << std::vector<ModelIdentity>{} << QStringList{"10k steps, 32 cal.", "5k steps, 16 cal."};
    QTest::newRow("models") << std::vector{psr, psr}
                            << std::vector{model("/models/opt-125m"),
                                           model(
                                               "/hf/hub/models--facebook--opt-13b/snapshots/ab12")}
                            << QStringList{"OPT-125M", "OPT-13B"};
    QTest::newRow("models and methods")
        << std::vector{p, psr} << std::vector{model("/models/opt-125m"), model("/models/opt-1.3b")}
        << QStringList{"P only, OPT-125M", "P+S+R, OPT-1.3B"};
    // Everything at once: compact words, then cut at 30 characters with "…".
    QTest::newRow("too much for 30 characters")
        << std::vector{psr, with([](SearchSettings& s) {
                           s.invariances = "PS", s.quant.bits = 3, s.quant.groupSize = 64;
                           s.alpha = 0.5, s.swapFraction = 0.2, s.seed = 7, s.steps = 2000;
                       })}
        << std::vector<ModelIdentity>{}
        << QStringList{"P+S+R, W2, g128, 10k steps, α…", "P+S, W3, g64, 2k steps, α0.5,…"};
}

void TestRunLabels::labelsNameWhatDistinguishes() {
    QFETCH(std::vector<SearchSettings>, runs);
    QFETCH(std::vector<ModelIdentity>, models);
    QFETCH(QStringList, labels);
    const QStringList got = differenceLabels(runs, models);
    QCOMPARE(got, labels);
    for (const QString& label : got) QVERIFY(label.size() <= kMaxLabelLength + 4);  // " (12)"
}

void TestRunLabels::modelNames_data() {
    QTest::addColumn<QString>("path");
    QTest::addColumn<qint64>("parameters");
    QTest::addColumn<QString>("name");
    QTest::newRow("a directory") << "/data/models/opt-125m" << qint64(0) << "OPT-125M";
    QTest::newRow("a trailing slash") << "/data/models/opt-1.3b/" << qint64(0) << "OPT-1.3B";
    QTest::newRow("the Hugging Face cache")
        << "/home/me/.cache/huggingface/hub/models--facebook--opt-13b/snapshots/0123abcd"
        << qint64(0) << "OPT-13B";
    QTest::newRow("the demo model")
        << "/work/invx/resources/models/opt-demo" << qint64(0) << "OPT-demo";
    QTest::newRow("no path") << "" << qint64(1300000000) << "1.3B-parameter model";
    QTest::newRow("another family") << "/m/llama-7b" << qint64(0) << "llama-7B";
}

void TestRunLabels::modelNames() {
    QFETCH(QString, path);
    QFETCH(qint64, parameters);
    QFETCH(QString, name);
    QCOMPARE(modelName(model(path.toUtf8().constData(), parameters)), name);
}

void TestRunLabels::whatMattersToTheResult() {
    const SearchSettings rtn, awq = with([](SearchSettings&s) { s.base = "awq"; }),
                              gptq = with([](SearchSettings&s) { s.base = "gptq"; });
    for (const char* key : {"base", "bits", "group", "invariances", "steps", "calibration_samples",
                            "seed", "alpha", "swap_frac"})
        QVERIFY2(settingMatters(key, rtn), key);
    for (const char* key : {"eval_budget", "eval_every_seconds", "eval_windows", "eval_data",
                            "checkpoint_steps", "checkpoint_seconds", "mode"})
        QVERIFY2(!settingMatters(key, rtn) && !settingMatters(key, awq), key);
    QVERIFY(!settingMatters("awq_precision", rtn) && settingMatters("awq_precision", awq));
    const SearchSettings omniquant = with([](SearchSettings& s) { s.base = "omniquant"; });
    for (const char* key :
         {"omniquant_epochs", "omniquant_lwc", "omniquant_let", "omniquant_let_lr",
          "omniquant_lwc_lr", "omniquant_alpha", "omniquant_precision"})
        QVERIFY2(!settingMatters(key, awq) && settingMatters(key, omniquant), key);
    QVERIFY(!settingMatters("gptq_candidates", awq) && settingMatters("gptq_candidates", gptq));
    QVERIFY(!settingMatters("base_calibration_samples", rtn) &&
            settingMatters("base_calibration_samples", gptq));
    // The same experiment, whatever its evaluation: equal once what does not matter is reset.
    SearchSettings evaluatedOften = rtn;
    evaluatedOften.evalEverySeconds = 5, evaluatedOften.awqPrecision = "float32";
    QCOMPARE(resultSettings(evaluatedOften).toJson(), resultSettings(rtn).toJson());
    QVERIFY(resultSettings(awq).toJson() != resultSettings(with([](SearchSettings& s) {
                                                s.base = "awq", s.awqPrecision = "float32";
                                            })).toJson());
}

void TestRunLabels::baselinesAreNamedByTheirMethod() {
    const SearchSettings rtn, awq = with([](SearchSettings&s) { s.base = "awq"; }),
                              rtn3 = with([](SearchSettings&s) { s.quant.bits = 3; });
    QCOMPARE(baselineLabels({rtn, awq}), (QStringList{"RTN", "AWQ"}));
    QCOMPARE(baselineLabels({rtn, rtn3}), (QStringList{"RTN, 2-bit", "RTN, 3-bit"}));
    // The search's own settings leave the base method alone.
    SearchSettings p = rtn;
    p.invariances = "P", p.seed = 3, p.steps = 10;
    QCOMPARE(baselineKey(p, {}), baselineKey(rtn, {}));
    QVERIFY(baselineKey(rtn3, {}) != baselineKey(rtn, {}));
    // OmniQuant's training makes its step 0.
    const SearchSettings omniquant = with([](SearchSettings&s) { s.base = "omniquant"; }),
                         longer = with([](SearchSettings&s) {
                             s.base = "omniquant", s.omniquantEpochs = 40;
                         });
    QVERIFY(baselineKey(longer, {}) != baselineKey(omniquant, {}));
    QCOMPARE(baselineLabels({omniquant, longer}),
             (QStringList{"OmniQuant, 20 epochs", "OmniQuant, 40 epochs"}));
}

void TestRunLabels::theToolTipHoldsEverySetting() {
    SearchSettings s;
    s.seed = 11;
    const QString tip = settingsToolTip("P+S+R", s, model("/m/opt-125m", 125000000), "/x/run.h5");
    QVERIFY(tip.contains("P+S+R") && tip.contains("OPT-125M") && tip.contains("/x/run.h5"));
    for (const SettingDeclaration& d : searchSettingDeclarations())
        QVERIFY2(
            tip.contains(QCoreApplication::translate("invx::Settings", d.label).toHtmlEscaped()),
            d.label);
    QVERIFY(tip.contains("<td>11</td>"));
}

QTEST_MAIN(TestRunLabels)
#include "tst_run_labels.moc"
