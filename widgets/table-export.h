#pragma once
// Any table model as Markdown or as a LaTeX tabular (booktabs rules, no vertical rules), its
// top-level rows. Columns from `firstNumericColumn` on (up to `endNumericColumn`, when given) are
// right-aligned.
#include <QString>

class QAbstractItemModel;

namespace invx::gui {

QString tableToMarkdown(const QAbstractItemModel& model, int firstNumericColumn,
                        int endNumericColumn = -1);
QString tableToLatex(const QAbstractItemModel& model, int firstNumericColumn,
                     int endNumericColumn = -1);

}  // namespace invx::gui
