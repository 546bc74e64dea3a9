// The search form, built from the core's declaration table, and the table's keys as the
// experiment file stores them.
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>
#include <QWheelEvent>

#include "experiment-folder.h"
#include "invx/error.h"
#include "invx/setting-table.h"
#include "search-settings-form.h"
#include "search-setup-panel.h"

using namespace invx;
using namespace invx::gui;

class TestSearchSettingsForm : public QObject {
    Q_OBJECT

    test::ExperimentFolder folder_;
    QString file(const QString& name) const { return folder_.file(name); }
    QString synthetic(const QString& name, const test::SyntheticRun& run = {}) {
        return folder_.synthetic(name, run);
    }

  private Q_SLOTS:
    void settingTableKeysAreTheFilesKeys();
    void formIsBuiltFromTheTable();
    void formRefusesInvalidValuesWithTheCoresSentence();
    void formRefusesAGroupSizeTheDemoModelsWidthsDoNotTake();
    void outOfRangeNumbersStayAndAreRefusedVisibly();
    void theWheelScrollsTheFormInsteadOfChangingAField();
    void aMethodsOwnSettingsAreEnabledOnlyForIt();
};

void TestSearchSettingsForm::settingTableKeysAreTheFilesKeys() {
    // Every declared setting, set to a non-default value, survives the experiment file's JSON.
    for (const SettingDeclaration& d : searchSettingDeclarations()) {
        SearchSettings s;
        const std::string value = d.kind == SettingKind::Integer       ? "3"
                                  : d.kind == SettingKind::Real        ? "0.25"
                                  : d.kind == SettingKind::Invariances ? "SR"
                                  : d.kind == SettingKind::OpenChoice
                                      ? "other/file.txt"  // a path: never a default
                                      : d.choices.back();
        d.set(s, value);
        const SearchSettings back = SearchSettings::fromJson(s.toJson(), "test");
        QCOMPARE(QString::fromStdString(d.get(back)), QString::fromStdString(value));
        QVERIFY2(d.get(back) != d.get(SearchSettings{}), d.key.c_str());
        QVERIFY2(QString::fromStdString(s.toJson())
                     .contains(QString::fromStdString("\"" + d.key + "\"")),
                 d.key.c_str());
    }
    QVERIFY_THROWS_EXCEPTION(Error,
                             findSettingDeclaration("--bits")->set(*new SearchSettings, "two"));
    // Problems name the setting by its key, not in a sentence to parse.
    SearchSettings zeroSwap;
    zeroSwap.swapFraction = 0;
    QCOMPARE(QString::fromStdString(zeroSwap.problems().at(0).key), QString("swap_frac"));
    QuantConfig nineBits;
    nineBits.bits = 9;
    try {
        nineBits.validate();
        QFAIL("9 bits were accepted");
    } catch (const SettingError& e) {
        QCOMPARE(QString::fromStdString(e.key()), QString("bits"));
    }
}

void TestSearchSettingsForm::formIsBuiltFromTheTable() {
    SearchSettingsForm form;
    for (const SettingDeclaration& d : searchSettingDeclarations())
        QVERIFY2(form.editor(QString::fromStdString(d.key)), d.key.c_str());
    form.applyPreset("paper");
    QString error;
    QCOMPARE(QString::fromStdString(form.settings(&error).toJson()),
             QString::fromStdString(SearchSettings{}.toJson()));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    form.applyPreset("demo");
    const SearchSettings demo = form.settings();
    QCOMPARE(demo.calibrationSamples,
             SearchSettingsForm::presetSettings("demo").calibrationSamples);
    QCOMPARE(demo.calibrationLength, 128);
    SearchSettings custom;
    custom.alpha = 0.5;
    custom.invariances = "PR";
    custom.calibrationCorpus = "/data/my-corpus.txt";
    form.setSettings(custom);
    QCOMPARE(QString::fromStdString(form.settings().toJson()),
             QString::fromStdString(custom.toJson()));
}

void TestSearchSettingsForm::formRefusesInvalidValuesWithTheCoresSentence() {
    SearchSettingsForm form;
    form.setOutputPath(file("new-run.h5"));
    QVERIFY2(form.errorText().isEmpty(), qPrintable(form.errorText()));
    auto* alpha = qobject_cast<QLineEdit*>(form.editor("alpha"));
    QVERIFY(alpha);
    alpha->setText("abc");
    QCOMPARE(form.errorText(), QString("Alpha must be a number, but is 'abc'"));
    QVERIFY(!alpha->styleSheet().isEmpty());  // the field at fault is marked
    alpha->setText("0.1");
    QVERIFY(form.errorText().isEmpty());
    QVERIFY(alpha->styleSheet().isEmpty());
    auto* swap = qobject_cast<QLineEdit*>(form.editor("swap_frac"));
    swap->setText("0");
    QCOMPARE(form.errorText(), QString("The swap fraction must be in (0, 1], but is 0"));
    swap->setText("0.1");
    for (auto* check : form.editor("invariances")->findChildren<QCheckBox*>())
        check->setChecked(false);
    QVERIFY(form.errorText().startsWith("The invariances must be a non-empty combination"));
    form.editor("invariances")->findChild<QCheckBox*>("S")->setChecked(true);
    QVERIFY(form.errorText().isEmpty());
    QCOMPARE(form.settings().invariances, std::string("S"));
    const QString existing = synthetic("exists.h5");
    form.setOutputPath(existing);
    QVERIFY(form.errorText().contains("already exists"));
}

void TestSearchSettingsForm::formRefusesAGroupSizeTheDemoModelsWidthsDoNotTake() {
    SearchSettingsForm form;
    form.setDefaultModelDirectory(INVX_DEMO_MODEL_DIR);
    form.setModelPath("opt-demo");
    form.setOutputPath(file("group-seven.h5"));
    QVERIFY(form.modelShape().has_value());
    QCOMPARE(form.modelShape()->hiddenSize, 384);
    QVERIFY2(form.errorText().isEmpty(), qPrintable(form.errorText()));
    QSignalSpy validity(&form, &SearchSettingsForm::validityChanged);
    auto* group = qobject_cast<QSpinBox*>(form.editor("group"));
    QVERIFY(group);
    // Typed, before any Start: 7 divides neither 384 nor 1536.
    group->selectAll();
    QTest::keyClicks(group, "7");
    QCOMPARE(group->value(), 7);
    QCOMPARE(form.errorText(),
             QString("The group size 7 does not divide the input width 384 of the attention and "
                     "fc1 layers (hidden size); choose a group size that divides it, or -1 for "
                     "one group per row"));
    QVERIFY(!validity.isEmpty() && !validity.last().front().toBool());
    QVERIFY(group->styleSheet().contains("#b00020"));  // the field has a red frame
    QCOMPARE(group->toolTip(), form.errorText());      // and says why
    SettingProblem problem;
    form.request(&problem);
    QCOMPARE(QString::fromStdString(problem.key), QString("group"));
    QVERIFY(!form.errorText().contains("--"));  // the setting's words, not a flag
    group->setValue(64);
    QVERIFY2(form.errorText().isEmpty(), qPrintable(form.errorText()));
    QVERIFY(validity.last().front().toBool());
    QVERIFY(group->styleSheet().isEmpty());
    QVERIFY(group->toolTip().contains("weights per quantization group"));  // its own tip again
}

void TestSearchSettingsForm::outOfRangeNumbersStayAndAreRefusedVisibly() {
    SearchSettingsForm form;
    form.setOutputPath(file("nine-bits.h5"));
    auto* bits = qobject_cast<QSpinBox*>(form.editor("bits"));
    QVERIFY(bits);
    bits->selectAll();
    QTest::keyClicks(bits, "9");
    QCOMPARE(bits->value(), 9);  // kept as typed, not clamped to 8 or dropped
    QVERIFY2(form.errorText().startsWith("Bits must be between 1 and 8"),
             qPrintable(form.errorText()));
    QVERIFY(bits->styleSheet().contains("#b00020"));
    // The arrows stay within the range: one step down from 9 is 8.
    bits->stepBy(-1);
    QCOMPARE(bits->value(), 8);
    QVERIFY(form.errorText().isEmpty());
    bits->stepBy(5);
    QCOMPARE(bits->value(), 8);
}

QTEST_MAIN(TestSearchSettingsForm)

namespace {
// A wheel notch down over `w`; whether `w` took it. QApplication passes a window system's wheel
// event that the widget under the pointer ignores on to its parents (the scroll area); one sent
// from here goes to `w` alone, so the test checks that `w` leaves it.
bool wheelDownOver(QWidget* w) {
    const QPointF local(w->width() / 2.0, w->height() / 2.0);
    QWheelEvent wheel(local, w->mapToGlobal(local), QPoint(), QPoint(0, -120), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(w, &wheel);
    return wheel.isAccepted();
}
}  // namespace

void TestSearchSettingsForm::theWheelScrollsTheFormInsteadOfChangingAField() {
    SearchSetupPanel panel(QString{});
    panel.resize(360, 300);  // shorter than the form: it scrolls
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    auto* layers = qobject_cast<QSpinBox*>(panel.form()->editor("num_layers"));
    QVERIFY(layers);
    auto* base = qobject_cast<QComboBox*>(panel.form()->editor("base"));
    QVERIFY(base);
    const int value = layers->value(), method = base->currentIndex();
    QVERIFY(!layers->hasFocus() && !base->hasFocus());
    QVERIFY2(!wheelDownOver(layers), "left to the scroll area");
    QVERIFY2(!wheelDownOver(base), "left to the scroll area");
    QCOMPARE(layers->value(), value);  // not edited on the way
    QCOMPARE(base->currentIndex(), method);
    // The wheel alone never focuses them; a click or Tab does, and then the wheel edits.
    QCOMPARE(layers->focusPolicy(), Qt::StrongFocus);
    QCOMPARE(base->focusPolicy(), Qt::StrongFocus);
}

void TestSearchSettingsForm::aMethodsOwnSettingsAreEnabledOnlyForIt() {
    // The table's `bases`: AWQ's precision with AWQ, OmniQuant's settings with OmniQuant, GPTQ's
    // candidates with GPTQ; the shared ones always.
    SearchSettingsForm form;
    auto* base = qobject_cast<QComboBox*>(form.editor("base"));
    QVERIFY(base);
    const QStringList omniquant = {"omniquant_epochs",   "omniquant_let_lr", "omniquant_lwc_lr",
                                   "omniquant_lwc",      "omniquant_let",    "omniquant_alpha",
                                   "omniquant_precision"};
    for (const QString& method : {"rtn", "awq", "gptq", "omniquant"}) {
        base->setCurrentText(method);
        QCOMPARE(form.editor("awq_precision")->isEnabled(), method == "awq");
        QCOMPARE(form.editor("gptq_candidates")->isEnabled(), method == "gptq");
        for (const QString& key : omniquant)
            QVERIFY2(form.editor(key)->isEnabled() == (method == "omniquant"),
                     qPrintable(key + " with " + method));
        QVERIFY(form.editor("bits")->isEnabled() &&
                form.editor("base_calibration_samples")->isEnabled());
    }
}

#include "tst_search_settings_form.moc"
