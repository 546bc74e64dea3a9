#pragma once
// What the Results tab needs from whoever measures models: measure what a results table lacks and
// record it in the experiment files, off the window's thread, reporting through queued signals. The
// workbench's worker (app/workbench) implements it over the core's measureMissingResults, the
// function `invx table --evaluate` calls; the widgets never see libtorch.
#include <QObject>
#include <QString>
#include <vector>

#include "invx/results-table.h"
#include "invx/setting-table.h"

namespace invx::gui {

class ResultsEvaluator : public QObject {
    Q_OBJECT
  public:
    using QObject::QObject;
    ~ResultsEvaluator() override = default;

    virtual bool running() const = 0;
    // Measures each model's missing values in turn (`settings` gives the windows and the tasks'
    // settings) and records each in its file as it is taken.
    virtual void start(const std::vector<ResultsMeasurement>& needs,
                       const CommandSettings& settings) = 0;
    // Stops after the window or the task being measured; what was recorded stays.
    virtual void stop() = 0;

  Q_SIGNALS:
    void progress(const QString& text);
    void recorded();  // a model's values are in its file
    void finished(bool stopped);
    void failed(const QString& error);
};

}  // namespace invx::gui
