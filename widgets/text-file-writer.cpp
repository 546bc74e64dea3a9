#include "text-file-writer.h"

#include <QSaveFile>
#include <QTextStream>

namespace invx::gui {

QString writeTextFile(const QString& path, const std::function<void(QTextStream&)>& write) {
    QSaveFile file(path);
    if (file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        QTextStream out(&file);
        write(out);
        out.flush();
        if (out.status() == QTextStream::Ok && file.commit()) return {};
    }
    return QStringLiteral("could not write '%1': %2").arg(path, file.errorString());
}

QString writeTextFile(const QString& path, const QString& text) {
    return writeTextFile(path, [&](QTextStream& out) { out << text; });
}

}  // namespace invx::gui
