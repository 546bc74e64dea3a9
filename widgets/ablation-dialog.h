#pragma once
// The dialog that sets up a new ablation: one of the paper's studies (study-presets.h) or a grid of
// one's own (a row per axis: a setting and its values), the seeds per variant, whether the end
// evaluates every variant on C4 and the six tasks, and the folder for the queue and the files. It
// says, as the axes change, how many runs and steps that is and how long it takes at the speed
// this machine measured (study-estimate.h), or why the grid is not valid.
#include <QDialog>
#include <optional>
#include <vector>

#include "ablation-plan.h"
#include "study-estimate.h"
#include "study-presets.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableWidget;

namespace invx::gui {

class AblationDialog : public QDialog {
    Q_OBJECT
  public:
    // `base`: the form's settings, around which the grid varies; `speed`: the measured speed of
    // this model on this device (none: the time is unknown until the first run).
    AblationDialog(const QString& defaultFolder, const SearchSettings& base,
                   const std::optional<MeasuredSpeed>& speed, QWidget* parent = nullptr);
    std::vector<AblationAxis> axes() const;
    QString folder() const;
    StudyOptions options() const;

    // Chooses a study preset by id ("" = a grid of one's own), as the Study list does.
    void choosePreset(const QString& id);
    void setSeeds(int seeds);
    void setEvaluation(AblationEvaluation evaluation);
    // The runs, steps and time, or the reason the grid cannot run, as shown.
    QString estimate() const;
    // Where the study runs (the "Run on" choice; kept in QSettings when the dialog is accepted).
    enum RunOn { InTheWindow = 0, SeveralAtOnce = 1, OnSlurm = 2 };
    void setRunOn(RunOn where);
    void setSlurmOptions(const SlurmOptions& options);
    void setParallel(int parallel, const QString& gpus);
    void done(int result) override;

  private:
    void addAxis(const QString& key, const QString& values);
    void presetChosen();
    void seedsChanged();
    void updateEstimate();
    void addRunOnRows(class QFormLayout* form);
    void runOnChanged();
    void restoreRunOn();

    SearchSettings base_;
    std::optional<MeasuredSpeed> speed_;
    QComboBox* preset_ = nullptr;
    QLabel* fixed_ = nullptr;
    QTableWidget* axes_ = nullptr;
    QSpinBox* seeds_ = nullptr;
    QCheckBox* evaluate_ = nullptr;
    QComboBox* evaluationScope_ = nullptr;
    QLabel* estimate_ = nullptr;
    QLineEdit* folder_ = nullptr;
    QComboBox* runOn_ = nullptr;
    class QPushButton* start_ = nullptr;
    class QFormLayout* form_ = nullptr;
    QSpinBox* parallel_ = nullptr;
    QLineEdit* gpus_ = nullptr;
    QLineEdit* partition_ = nullptr;
    QLineEdit* account_ = nullptr;
    QLineEdit* timeLimit_ = nullptr;
    QSpinBox* gpusPerTask_ = nullptr;
    QSpinBox* cpusPerTask_ = nullptr;
    QLineEdit* sbatchLines_ = nullptr;
};

}  // namespace invx::gui
