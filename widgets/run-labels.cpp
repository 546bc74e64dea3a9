#include "run-labels.h"

#include "invx/setting-table.h"

namespace invx::gui {

QStringList differingSettingKeys(const std::vector<SearchSettings>& runs) {
    QStringList keys;
    if (runs.size() < 2) return keys;
    for (const SettingDeclaration& d : searchSettingDeclarations()) {
        const std::string first = d.get(runs.front());
        for (const SearchSettings& s : runs)
            if (d.get(s) != first) {
                keys << QString::fromStdString(d.key);
                break;
            }
    }
    return keys;
}

QString settingValueLabel(const QString& key, const QString& value) {
    if (key == QLatin1String("invariances")) {
        QStringList parts;
        for (QChar c : QStringLiteral("PSR"))
            if (value.contains(c)) parts << QString(c);
        return parts.size() == 1 ? parts.front() + QStringLiteral(" only")
                                 : parts.join(QLatin1Char('+'));
    }
    if (key == QLatin1String("seed")) return QStringLiteral("seed ") + value;
    if (key == QLatin1String("bits")) return value + QStringLiteral("-bit");
    if (key == QLatin1String("base")) return value.toUpper();
    if (key == QLatin1String("group"))
        return value == QLatin1String("-1") ? QStringLiteral("per row")
                                            : QStringLiteral("group ") + value;
    return key + QLatin1Char(' ') + value;
}

QStringList differenceLabels(const std::vector<SearchSettings>& runs, const QStringList& fallback) {
    const QStringList keys = differingSettingKeys(runs);
    QStringList labels;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        QStringList parts;
        for (const QString& key : keys) {
            const SettingDeclaration* d = findSettingDeclaration(key.toStdString());
            parts << settingValueLabel(key, QString::fromStdString(d->get(runs[i])));
        }
        if (parts.isEmpty())
            labels << (int(i) < fallback.size() ? fallback[int(i)]
                                                : QStringLiteral("run %1").arg(i + 1));
        else
            labels << parts.join(QStringLiteral(", "));
    }
    return labels;
}

}  // namespace invx::gui
