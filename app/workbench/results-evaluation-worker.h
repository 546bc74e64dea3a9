#pragma once
// Measures what the Results tab lacks on a background thread: the core's measureMissingResults for
// each model in turn, its progress turned into queued signals. One run at a time.
#include <QThread>
#include <atomic>

#include "results-evaluator.h"

namespace invx::gui {

class ResultsEvaluationWorker : public ResultsEvaluator {
    Q_OBJECT
  public:
    explicit ResultsEvaluationWorker(QObject* parent = nullptr);
    ~ResultsEvaluationWorker() override;  // stops a run and waits for it

    bool running() const override;
    void start(const std::vector<ResultsMeasurement>& needs,
               const CommandSettings& settings) override;
    void stop() override;

  private:
    class Observer;
    void run(const std::vector<ResultsMeasurement>& needs, const CommandSettings& settings);

    QThread* thread_ = nullptr;
    std::atomic<bool> stopping_{false};
};

}  // namespace invx::gui
