// The table of settings is the one place a setting is declared: the experiment file's JSON, the
// command lines' options and their defaults, and the checks all follow it.
#include <QtTest/QtTest>
#include <nlohmann/json.hpp>
#include <set>

#include "invx/setting-table.h"
#include "test-support.h"

using namespace invx;

class TestSettingTable : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void everyRecordedSettingIsInTheFilesJsonAndBack();
    void theFilesJsonHoldsNothingTheTableLacks();
    void namesAreUniqueAndAliasesDoNotShadow();
    void valuesAreCheckedBeforeTheyAreNarrowed();
    void rangesAndChoicesComeFromTheTable();
    void commandsTakeTheirRowsWithTheirDefaults();
};

namespace {

std::set<std::string> jsonKeys(const std::string& json) {
    std::set<std::string> keys;
    const nlohmann::json object = nlohmann::json::parse(json);
    for (auto it = object.begin(); it != object.end(); ++it) keys.insert(it.key());
    return keys;
}

// A valid value of the row other than the default.
std::string otherValue(const SettingDeclaration& d, const SearchSettings& defaults) {
    switch (d.kind) {
        case SettingKind::Integer:
            return d.get(defaults) == std::to_string(std::int64_t(d.minimum) + 1)
                       ? std::to_string(std::int64_t(d.minimum) + 2)
                       : std::to_string(std::int64_t(d.minimum) + 1);
        case SettingKind::Real:
            return d.get(defaults) == "0.25" ? "0.5" : "0.25";
        case SettingKind::Invariances:
            return "SR";
        case SettingKind::OpenChoice:
            return "other/file.txt";
        default:
            return d.choices.back() == d.get(defaults) ? d.choices.front() : d.choices.back();
    }
}

}  // namespace

void TestSettingTable::everyRecordedSettingIsInTheFilesJsonAndBack() {
    const SearchSettings defaults;
    const std::set<std::string> keys = jsonKeys(defaults.toJson());
    for (const SettingDeclaration& d : searchSettingDeclarations()) {
        QVERIFY2(keys.count(d.key), ("the file's JSON lacks the table's '" + d.key + "'").c_str());
        SearchSettings s;
        const std::string value = otherValue(d, defaults);
        d.set(s, value);
        QVERIFY2(d.get(s) != d.get(defaults), d.key.c_str());
        const SearchSettings back = SearchSettings::fromJson(s.toJson(), "test");
        QCOMPARE(QString::fromStdString(d.get(back)), QString::fromStdString(value));
    }
}

void TestSettingTable::theFilesJsonHoldsNothingTheTableLacks() {
    for (const std::string& key : jsonKeys(SearchSettings{}.toJson())) {
        const SettingDeclaration* d = findSettingDeclaration(key);
        QVERIFY2(d && d->key == key && d->recorded(),
                 ("the file's JSON has '" + key + "', which the table lacks").c_str());
    }
    // invx eval's own settings are never written to a file.
    for (const SettingDeclaration& d : settingDeclarations())
        if (!d.recorded())
            QVERIFY2(!jsonKeys(SearchSettings{}.toJson()).count(d.key), d.key.c_str());
    INVX_VERIFY_MESSAGE(
        test::errorOf([] { SearchSettings::fromJson(R"({"shots": 5})", "x.json"); }),
        "unknown key 'shots'");
}

void TestSettingTable::namesAreUniqueAndAliasesDoNotShadow() {
    std::set<std::string> keys, options;
    for (const SettingDeclaration& d : settingDeclarations()) {
        QVERIFY2(keys.insert(d.key).second, d.key.c_str());
        QVERIFY2(options.insert(d.option).second, d.option.c_str());
        QVERIFY2(std::string(d.label).size() > 0 && std::string(d.name).size() > 0 &&
                     std::string(d.help).size() > 0,
                 d.key.c_str());
        QVERIFY2(d.recorded() != bool(d.readEvaluation),
                 d.key.c_str());  // bound to exactly one kind of settings
    }
    // "--calibration-samples" is the search's own sample count; elsewhere it is the base method's.
    QCOMPARE(findSettingDeclaration("--calibration-samples")->key,
             std::string("calibration_samples"));
    QCOMPARE(findSettingDeclaration("--base")->key, std::string("base"));
    QCOMPARE(findSettingDeclaration("--method")->key, std::string("base"));
}

void TestSettingTable::valuesAreCheckedBeforeTheyAreNarrowed() {
    SearchSettings s;
    const SettingDeclaration& bits = *findSettingDeclaration("bits");
    INVX_VERIFY_MESSAGE(test::settingErrorOf([&] { bits.set(s, "4294967298"); }),
                        "bits: ", "4294967298");
    QCOMPARE(s.quant.bits, 2);  // a refused value changes nothing
    INVX_VERIFY_MESSAGE(test::settingErrorOf([&] { bits.set(s, "99999999999999999999"); }),
                        "bits: ", "whole number");
    INVX_VERIFY_MESSAGE(
        test::settingErrorOf([&] { findSettingDeclaration("group")->set(s, "4294967424"); }),
        "group: ", "4294967424");
    INVX_VERIFY_MESSAGE(
        test::settingErrorOf([&] { findSettingDeclaration("alpha")->set(s, "abc"); }),
        "alpha: Alpha must be a number, but is 'abc'");
    INVX_VERIFY_MESSAGE(
        test::errorOf([] { SearchSettings::fromJson(R"({"seed": -1})", "x.json"); }), "'seed'",
        "x.json", "at least 0");
}

void TestSettingTable::rangesAndChoicesComeFromTheTable() {
    SearchSettings s;
    s.swapFraction = 0;
    s.evalBudget = 1;
    s.mode = "slow";
    std::map<std::string, std::string> found;
    for (const SettingProblem& p : s.problems()) found[p.key] = p.sentence;
    QCOMPARE(QString::fromStdString(found["swap_frac"]),
             QString("The swap fraction must be in (0, 1], but is 0"));
    QCOMPARE(QString::fromStdString(found["eval_budget"]),
             QString("The evaluation time budget must be in (0, 1), but is 1"));
    QCOMPARE(QString::fromStdString(found["mode"]),
             QString("The mode must be fast or reference, but is 'slow'"));
    // eval alone measures full precision.
    const SettingDeclaration& method = *findSettingDeclaration("base");
    QVERIFY(method.check(std::string("fp"), SettingCommand::Search).has_value());
    QVERIFY(!method.check(std::string("fp"), SettingCommand::Evaluate).has_value());
}

void TestSettingTable::commandsTakeTheirRowsWithTheirDefaults() {
    QCOMPARE(defaultSettings(SettingCommand::Search).search.toJson(), SearchSettings{}.toJson());
    QCOMPARE(defaultSettings(SettingCommand::Quantize).search.base, std::string("awq"));
    QCOMPARE(defaultSettings(SettingCommand::Evaluate).search.base, std::string("fp"));
    std::set<std::string> eval;
    for (const SettingDeclaration* d : settingDeclarations(SettingCommand::Evaluate))
        eval.insert(d->key);
    for (const char* key : {"base", "bits", "group", "calibration", "base_calibration_samples",
                            "eval_data", "tasks", "shots"})
        QVERIFY2(eval.count(key), key);
    QVERIFY(!eval.count("alpha"));
    // Every setting the search takes is one the file records, and the other way round.
    for (const SettingDeclaration& d : settingDeclarations())
        QCOMPARE(d.takenBy(SettingCommand::Search), d.recorded());
}

QTEST_APPLESS_MAIN(TestSettingTable)
#include "tst_setting_table.moc"
