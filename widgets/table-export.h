#pragma once
// Any table model as Markdown or as a LaTeX tabular (booktabs rules, no vertical rules). Columns
// from `firstNumericColumn` on are right-aligned.
#include <QString>

class QAbstractItemModel;

namespace invx::gui {

QString tableToMarkdown(const QAbstractItemModel& model, int firstNumericColumn);
QString tableToLatex(const QAbstractItemModel& model, int firstNumericColumn);

}  // namespace invx::gui
