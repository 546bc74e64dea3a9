#include "table-export.h"

#include <QAbstractItemModel>
#include <QStringList>

namespace invx::gui {
namespace {

QString latexEscaped(QString s) {
    s.replace(QLatin1Char('\\'), QStringLiteral("\\textbackslash{}"));
    for (const char* c : {"&", "%", "$", "#", "_", "{", "}"})
        s.replace(QLatin1String(c), QStringLiteral("\\") + QLatin1String(c));
    s.replace(QStringLiteral("–"), QStringLiteral("--"));
    s.replace(QStringLiteral("±"), QStringLiteral("$\\pm$"));
    return s;
}

QString cell(const QAbstractItemModel& model, int row, int column) {
    return model.data(model.index(row, column)).toString();
}

QString header(const QAbstractItemModel& model, int column) {
    return model.headerData(column, Qt::Horizontal).toString();
}

bool numeric(int column, int first, int end) {
    return column >= first && (end < 0 || column < end);
}

}  // namespace

QString tableToMarkdown(const QAbstractItemModel& model, int firstNumericColumn,
                        int endNumericColumn) {
    QStringList head, rule;
    for (int c = 0; c < model.columnCount(); ++c) {
        head << header(model, c);
        rule << (numeric(c, firstNumericColumn, endNumericColumn) ? QStringLiteral("---:")
                                                                  : QStringLiteral("---"));
    }
    QStringList lines{QStringLiteral("| %1 |").arg(head.join(QStringLiteral(" | "))),
                      QStringLiteral("| %1 |").arg(rule.join(QStringLiteral(" | ")))};
    for (int r = 0; r < model.rowCount(); ++r) {
        QStringList cells;
        for (int c = 0; c < model.columnCount(); ++c)
            cells << cell(model, r, c).replace(QLatin1Char('|'), QStringLiteral("\\|"));
        lines << QStringLiteral("| %1 |").arg(cells.join(QStringLiteral(" | ")));
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

QString tableToLatex(const QAbstractItemModel& model, int firstNumericColumn,
                     int endNumericColumn) {
    QString spec;
    for (int c = 0; c < model.columnCount(); ++c)
        spec +=
            numeric(c, firstNumericColumn, endNumericColumn) ? QLatin1Char('r') : QLatin1Char('l');
    QStringList lines{QStringLiteral("\\begin{tabular}{%1}").arg(spec),
                      QStringLiteral("\\toprule")};
    QStringList head;
    for (int c = 0; c < model.columnCount(); ++c) head << latexEscaped(header(model, c));
    lines << head.join(QStringLiteral(" & ")) + QStringLiteral(" \\\\")
          << QStringLiteral("\\midrule");
    for (int r = 0; r < model.rowCount(); ++r) {
        QStringList cells;
        for (int c = 0; c < model.columnCount(); ++c) cells << latexEscaped(cell(model, r, c));
        lines << cells.join(QStringLiteral(" & ")) + QStringLiteral(" \\\\");
    }
    lines << QStringLiteral("\\bottomrule") << QStringLiteral("\\end{tabular}");
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

}  // namespace invx::gui
