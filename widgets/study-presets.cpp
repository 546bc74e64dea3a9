#include "study-presets.h"

#include <QCoreApplication>

#include "invx/error.h"
#include "invx/setting-table.h"

namespace invx::gui {

const std::vector<StudyPreset>& studyPresets() {
    // The paper runs every analysis over AWQ ("which our implementation is based on"), 2-bit,
    // group 128, unless the analysis varies them; the other settings are the form's.
    static const std::vector<StudyPreset> presets{
        {QStringLiteral("invariances"),
         QT_TRANSLATE_NOOP("invx::gui::StudyPresets", "Invariances: P, S, R and P+S+R over AWQ"),
         QT_TRANSLATE_NOOP("invx::gui::StudyPresets", "Table 2"),
         {{QStringLiteral("base"), QStringLiteral("awq")}},
         {{QStringLiteral("invariances"), {"P", "S", "R", "PSR"}}}},
        {QStringLiteral("bits-group"),
         QT_TRANSLATE_NOOP("invx::gui::StudyPresets", "Bits x group size: 1, 2, 3 bits x 64, 128"),
         QT_TRANSLATE_NOOP("invx::gui::StudyPresets", "Table 3"),
         {{QStringLiteral("base"), QStringLiteral("awq")}},
         {{QStringLiteral("bits"), {"1", "2", "3"}}, {QStringLiteral("group"), {"64", "128"}}}},
        {QStringLiteral("matched-layers"),
         QT_TRANSLATE_NOOP("invx::gui::StudyPresets", "Matched layers: 0, 1, 5, 10"),
         QT_TRANSLATE_NOOP("invx::gui::StudyPresets", "Table 4"),
         {{QStringLiteral("base"), QStringLiteral("awq")}},
         {{QStringLiteral("num_layers"), {"0", "1", "5", "10"}}}},
        {QStringLiteral("calibration"),
         QT_TRANSLATE_NOOP("invx::gui::StudyPresets", "Calibration sequences: 1, 8, 16, 24, 32"),
         QT_TRANSLATE_NOOP("invx::gui::StudyPresets", "Figure 1"),
         {{QStringLiteral("base"), QStringLiteral("awq")}},
         {{QStringLiteral("calibration_samples"), {"1", "8", "16", "24", "32"}}}},
    };
    return presets;
}

const StudyPreset* findStudyPreset(const QString& id) {
    for (const StudyPreset& p : studyPresets())
        if (p.id == id) return &p;
    return nullptr;
}

std::vector<AblationAxis> seedAxis(int seeds) {
    if (seeds <= 1) return {};
    QStringList values;
    for (int s = 0; s < seeds; ++s) values << QString::number(s);
    return {{QStringLiteral("seed"), values}};
}

void applyFixedSettings(SearchSettings& settings, const std::vector<FixedSetting>& fixed) {
    for (const auto& [key, value] : fixed) {
        const SettingDeclaration* d = findSettingDeclaration(key.toStdString());
        if (!d) throw Error("the study fixes '" + key.toStdString() + "', which is no setting");
        try {
            d->set(settings, value.toStdString());
        } catch (const Error& e) {
            throw Error("the study's " + key.toStdString() + ": " + e.what());
        }
    }
}

}  // namespace invx::gui
