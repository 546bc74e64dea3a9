// The workbench's responsiveness (timed; not a test): the largest gap of the GUI event loop while a
// demo-model search runs on the worker thread (goal: under 50 ms), the redraw time of a plot
// holding 1,000,000 points per curve after a pan (goal: under 16 ms), and the cost of a refresh
// while a run of 200,000 synthetic steps is followed live (goal: the same at 200,000 steps as at
// 10,000), and the time a tab switch takes while a synthetic run is followed live and while a
// demo-model search runs (goal: under 100 ms), with the largest event-loop gap meanwhile.
//   scripts/bench-workbench.sh [--seconds 30] [--points 1000000] [--curves 3] [--redraws 40]
//                              [--live-steps 200000] [--live-batch 100] [--live-smoothing
//                              ema|ma|none] [--tab-steps 50000] [--tab-switches 40]
//                              [--only all|redraw|search|live|tabs]
#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "curve-plot.h"
#include "inspector-view.h"
#include "inspector-worker.h"
#include "layer-inspector-source.h"
#include "main-window.h"
#include "message-sink.h"
#include "run-data.h"
#include "run-view.h"
#include "runs-table-model.h"
#include "search-launcher.h"
#include "search-settings-form.h"
#include "search-worker.h"

using namespace invx::gui;

namespace {

// A benchmark has no one to click a dialog away: its messages go to stderr.
class StderrMessages : public MessageSink {
  public:
    void showError(const QString& title, const QString& sentence) override {
        std::fprintf(stderr, "bench_workbench: %s: %s\n", qPrintable(title), qPrintable(sentence));
    }
    void showNote(const QString&) override {}
};

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p * double(v.size())))];
}

// Largest gaps between ticks of a 5 ms timer while a search runs.
void eventLoopGap(double seconds) {
    QTemporaryDir dir;
    SearchWorker worker;
    StderrMessages messages;
    MainWindow window(&worker, QStringLiteral(INVX_DEMO_MODEL_DIR), nullptr, &messages);
    window.setExperimentFolder(dir.path());
    window.resize(1600, 1000);
    window.show();
    window.form()->applyPreset(QStringLiteral("demo"));
    window.form()->setOutputPath(dir.filePath(QStringLiteral("bench.h5")));
    QElapsedTimer loadClock;
    loadClock.start();
    std::vector<double> gaps;
    QElapsedTimer tick;
    QTimer timer;
    timer.setInterval(5);
    QObject::connect(&timer, &QTimer::timeout, [&] {
        gaps.push_back(double(tick.nsecsElapsed()) / 1e6);
        tick.restart();
    });
    if (!window.startSearch()) {
        std::fprintf(stderr, "bench_workbench: the search did not start\n");
        return;
    }
    tick.start();
    timer.start();
    // From the start: loading the model and calibrating happen on the worker too.
    while (double(loadClock.elapsed()) < seconds * 1000.0) QTest::qWait(50);
    timer.stop();
    const std::size_t steps = window.liveRun() ? window.liveRun()->stepCount() : 0;
    window.stopSearch();
    while (worker.running()) QTest::qWait(50);
    std::printf(
        "event loop while searching (%.0f s, %zu steps, platform %s): largest gap %.1f ms, 99th "
        "percentile %.1f ms, "
        "median %.1f ms (timer interval 5 ms)\n",
        seconds, steps, qPrintable(QApplication::platformName()), percentile(gaps, 1.0),
        percentile(gaps, 0.99), percentile(gaps, 0.5));
}

// Redraws after pans of a plot with `curves` curves of `points` points each.
void redraw(std::size_t points, int curves, int redraws, bool smoothed) {
    CurvePlot plot;
    plot.resize(1200, 700);
    plot.show();
    std::vector<Curve> data;
    for (int c = 0; c < curves; ++c) {
        Curve curve{QStringLiteral("curve %1").arg(c), std::vector<double>(points),
                    std::vector<double>(points), QColor(0, 114, 178)};
        std::uint64_t state = 88172645463325252ull + std::uint64_t(c);
        for (std::size_t i = 0; i < points; ++i) {
            state ^= state << 13, state ^= state >> 7, state ^= state << 17;  // xorshift noise
            curve.x[i] = double(i + 1);
            curve.y[i] = 1.0 / std::sqrt(double(i + 1)) + 1e-3 * double(state % 1000) + c;
        }
        data.push_back(std::move(curve));
    }
    QElapsedTimer clock;
    clock.start();
    plot.setCurves(data);
    if (smoothed) plot.setSmoothing(Smoothing::Ema, 0.99);
    plot.replot(QCustomPlot::rpImmediateRefresh);
    const double load = double(clock.nsecsElapsed()) / 1e6;
    std::vector<double> times;
    for (int r = 0; r < redraws; ++r) {
        const double shift = double(points) * 0.001 * double(r % 10);
        clock.restart();
        plot.xAxis->setRange(
            1 + shift, double(points) - double(points) * 0.01 + shift);  // a pan: new display data
        plot.replot(QCustomPlot::rpImmediateRefresh);
        times.push_back(double(clock.nsecsElapsed()) / 1e6);
    }
    std::printf(
        "redraw after a pan, %d curves x %zu points%s: median %.1f ms, largest %.1f ms (%d "
        "redraws; "
        "%d points drawn); setting the data %.0f ms\n",
        curves, points, smoothed ? " (EMA smoothing, raw curve underneath)" : "",
        percentile(times, 0.5), percentile(times, 1.0), redraws, plot.displayedPointCount(), load);
}

// A search that only hands over synthetic steps, in the batches the bench queues: the window takes
// them as it takes the worker's (stepsReady, then takeSteps when its redraw timer fires).
class SyntheticLauncher : public SearchLauncher {
  public:
    QStringList devices() const override { return {QStringLiteral("cpu")}; }
    bool running() const override { return running_; }
    bool paused() const override { return false; }
    void start(const invx::SearchRunRequest& request) override {
        path_ = request.experimentPath;
        running_ = true;
    }
    void pause() override {}
    void resume() override {}
    void stop() override { end(); }
    bool waitForFinished(int) override { return !running_; }
    std::vector<invx::StepRecord> takeSteps() override {
        takenAt = clock.nsecsElapsed();
        return std::move(queued_);
    }
    // Queues steps next+1 .. next+count and says so.
    void queue(std::int64_t next, std::int64_t count) {
        std::uint64_t state = 88172645463325252ull + std::uint64_t(next);
        for (std::int64_t i = next + 1; i <= next + count; ++i) {
            state ^= state << 13, state ^= state >> 7, state ^= state << 17;  // xorshift noise
            invx::StepRecord r;
            r.step = i;
            r.layer = int(i % 12);
            r.accepted = state % 5 == 0;
            r.loss = 1.1 - 0.05 * std::log1p(double(i)) + 1e-3 * double(state % 997);
            r.ce = 3.5 - 0.01 * std::log1p(double(i)) + 1e-4 * double(state % 991);
            r.mse = 0.02 + 1e-5 * double(state % 983);
            accepted_ += r.accepted;
            r.acceptanceRate = double(accepted_) / double(i);
            r.recentAcceptanceRate = 0.2 + 1e-3 * double(state % 100);
            r.elapsedSeconds = 0.01 * double(i);
            queued_.push_back(r);
        }
        Q_EMIT stepsReady();
    }
    void end() {
        running_ = false;
        invx::SearchSummary summary;
        summary.experimentPath = path_;
        summary.stopped = true;
        Q_EMIT finished(summary);
    }

    QElapsedTimer clock;
    qint64 takenAt = -1;

  private:
    bool running_ = false;
    std::string path_;
    std::vector<invx::StepRecord> queued_;
    std::int64_t accepted_ = 0;
};

struct RefreshTime {
    std::int64_t steps;  // the run's steps after the batch
    double data, drawn;  // ms from taking the steps to the refreshed table, and to the last replot
};

void reportRefreshes(const std::vector<RefreshTime>& times, std::int64_t at, int count) {
    // The last `count` refreshes up to `at` steps.
    std::vector<double> data, drawn;
    std::int64_t first = -1;
    for (auto it = times.rbegin(); it != times.rend(); ++it)
        if (it->steps <= at && int(data.size()) < count)
            data.push_back(it->data), drawn.push_back(it->drawn), first = it->steps;
    std::printf(
        "  at %7lld steps (%zu refreshes from %lld): refresh median %6.2f ms, p95 %6.2f ms; with "
        "the replots "
        "median %6.2f ms, p95 %6.2f ms\n",
        (long long)at, data.size(), (long long)first, percentile(data, 0.5), percentile(data, 0.95),
        percentile(drawn, 0.5), percentile(drawn, 0.95));
}

// A run of `total` synthetic steps followed live: batches of `batch` steps as the worker hands them
// over, the window refreshing after each (its 40 ms redraw timer, then the plots' queued replots).
// Reports the time per refresh near 10,000, 50,000 and 100,000 steps and near the end.
void liveFollowing(std::int64_t total, std::int64_t batch, const QString& smoothing) {
    QTemporaryDir dir;
    SyntheticLauncher launcher;
    StderrMessages messages;
    MainWindow window(&launcher, QStringLiteral(INVX_DEMO_MODEL_DIR), nullptr, &messages);
    window.setExperimentFolder(dir.path());
    window.resize(1600, 1000);
    window.show();
    window.form()->applyPreset(QStringLiteral("demo"));
    window.form()->setOutputPath(dir.filePath(QStringLiteral("live.h5")));
    if (auto* combo = window.findChild<QComboBox*>(QStringLiteral("smoothing")))
        combo->setCurrentIndex(smoothing == QLatin1String("ema")  ? 1
                               : smoothing == QLatin1String("ma") ? 2
                                                                  : 0);
    if (!window.startSearch()) {
        std::fprintf(stderr, "bench_workbench: the live run did not start\n");
        return;
    }
    invx::BaseResult base;
    base.ce0 = 3.5;
    base.mse0 = 0.02;
    Q_EMIT launcher.baseReady(base);
    qint64 refreshedAt = -1, replottedAt = -1;
    QObject::connect(window.runsModel(), &QAbstractItemModel::dataChanged,
                     [&] { refreshedAt = launcher.clock.nsecsElapsed(); });
    std::vector<CurvePlot*> plots;
    for (FigureKind kind : allFigureKinds()) plots.push_back(window.runView()->plot(kind));
    int replots = 0;
    for (CurvePlot* plot : plots)
        QObject::connect(plot, &QCustomPlot::afterReplot, [&] {
            ++replots;
            replottedAt = launcher.clock.nsecsElapsed();
        });
    launcher.clock.start();
    std::vector<RefreshTime> times;
    QElapsedTimer wall;
    wall.start();
    for (std::int64_t done = 0; done < total; done += batch) {
        const std::int64_t count = std::min(batch, total - done);
        launcher.takenAt = refreshedAt = -1;
        launcher.queue(done, count);
        QElapsedTimer wait;
        wait.start();
        while ((launcher.takenAt < 0 || refreshedAt < launcher.takenAt) && wait.elapsed() < 10000)
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
        // The plots' queued replots run in the next passes of the event loop: until a few passes
        // bring none, so that the next batch starts on a quiet window.
        for (int quiet = 0; quiet < 3 && wait.elapsed() < 10000;) {
            const int before = replots;
            QCoreApplication::processEvents();
            quiet = replots == before ? quiet + 1 : 0;
        }
        if (launcher.takenAt < 0 || refreshedAt < 0) {
            std::fprintf(stderr, "bench_workbench: the window did not take the steps after %lld\n",
                         (long long)done);
            return;
        }
        times.push_back({done + count, double(refreshedAt - launcher.takenAt) / 1e6,
                         double(replottedAt - launcher.takenAt) / 1e6});
    }
    const std::size_t shown = window.liveRun() ? window.liveRun()->stepCount() : 0;
    const std::size_t drawn = window.runView()->plot(FigureKind::Loss)->curves().front().x.size();
    launcher.end();
    std::printf(
        "following a live run of %lld synthetic steps in batches of %lld (smoothing %s, platform "
        "%s; %zu steps "
        "in the run, %zu in the loss curve, %.0f s in all):\n",
        (long long)total, (long long)batch, qPrintable(smoothing),
        qPrintable(QApplication::platformName()), shown, drawn, double(wall.elapsed()) / 1000.0);
    for (std::int64_t at : {std::int64_t(10000), std::int64_t(50000), std::int64_t(100000)})
        if (at < total) reportRefreshes(times, at, 30);
    reportRefreshes(times, total, 30);
}

// An inspector source that answers nothing: the Inspect tab is there, as in the window.
class IdleInspectorSource : public LayerInspectorSource {
  public:
    void request(const QString&, std::int64_t, int) override {}
};

struct TabSwitchTimes {
    std::vector<double> all, gaps;
    std::map<QString, std::vector<double>> byTab;
};

// Moves to the next tab of `window` every 250 ms, `switches` times, timing each switch from
// setCurrentIndex to the new tab painted with its queued replots done; a 5 ms timer measures the
// event loop's gaps meanwhile.
TabSwitchTimes switchTabs(MainWindow& window, int switches) {
    TabSwitchTimes out;
    auto* tabs = qobject_cast<QTabWidget*>(window.centralWidget());
    QElapsedTimer tick;
    QTimer ticker;
    ticker.setInterval(5);
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        out.gaps.push_back(double(tick.nsecsElapsed()) / 1e6);
        tick.restart();
    });
    QTimer switcher;
    switcher.setInterval(250);
    QObject::connect(&switcher, &QTimer::timeout, [&] {
        const int to = (tabs->currentIndex() + 1) % tabs->count();
        QElapsedTimer clock;
        clock.start();
        tabs->setCurrentIndex(to);
        QCoreApplication::processEvents();  // layouts, resizes and the plots' queued replots
        tabs->currentWidget()->repaint();   // the paint the user waits for
        QCoreApplication::processEvents();
        const double ms = double(clock.nsecsElapsed()) / 1e6;
        out.all.push_back(ms);
        out.byTab[tabs->tabText(to)].push_back(ms);
    });
    tick.start();
    ticker.start();
    switcher.start();
    while (int(out.all.size()) < switches) QTest::qWait(20);
    return out;
}

void reportTabSwitches(const TabSwitchTimes& t, const QString& what) {
    std::printf(
        "tab switches while %s (%zu switches, platform %s): median %.1f ms, largest %.1f ms; event "
        "loop meanwhile: largest gap %.1f ms, 99th percentile %.1f ms\n",
        qPrintable(what), t.all.size(), qPrintable(QApplication::platformName()),
        percentile(t.all, 0.5), percentile(t.all, 1.0), percentile(t.gaps, 1.0),
        percentile(t.gaps, 0.99));
    for (const auto& [tab, times] : t.byTab)
        std::printf(
            "  to %-12s median %6.1f ms, largest %6.1f ms, first visit %6.1f ms (%zu "
            "switches)\n",
            qPrintable(tab), percentile(times, 0.5), percentile(times, 1.0), times.front(),
            times.size());
}

// Tab switches while a demo-model search runs on the worker thread, once the Inspect tab shows a
// layer of the live run (rebuilt again by the inspector's own thread at each new checkpoint).
void tabSwitchesDuringDemo(int switches) {
    QTemporaryDir dir;
    SearchWorker worker;
    InspectorWorker inspector;
    StderrMessages messages;
    MainWindow window(&worker, QStringLiteral(INVX_DEMO_MODEL_DIR), &inspector, &messages);
    window.setExperimentFolder(dir.path());
    window.resize(1600, 1000);
    window.show();
    window.form()->applyPreset(QStringLiteral("demo"));
    window.form()->setOutputPath(dir.filePath(QStringLiteral("tabs.h5")));
    if (!window.startSearch()) {
        std::fprintf(stderr, "bench_workbench: the search did not start\n");
        return;
    }
    QElapsedTimer wait;
    wait.start();
    while ((!window.liveRun() || window.liveRun()->checkpointSteps.empty()) &&
           wait.elapsed() < 300000)
        QTest::qWait(50);
    if (window.liveRun()) window.inspectRun(window.liveRun());
    while (window.inspectorView()->shown().now.fc1.rows == 0 && wait.elapsed() < 300000)
        QTest::qWait(50);
    const TabSwitchTimes t = switchTabs(window, switches);
    const std::size_t steps = window.liveRun() ? window.liveRun()->stepCount() : 0;
    window.stopSearch();
    while (worker.running()) QTest::qWait(50);
    reportTabSwitches(
        t, QStringLiteral("a demo search runs, a layer of it inspected (%1 steps at the end)")
               .arg(qulonglong(steps)));
}

// Tab switches while a run of synthetic steps is followed live: `steps` steps are in the run
// first, then batches of 100 arrive every 100 ms (1,000 steps a second, far above the demo's few).
void tabSwitchesDuringSyntheticRun(std::int64_t steps, int switches) {
    QTemporaryDir dir;
    SyntheticLauncher launcher;
    IdleInspectorSource inspector;
    StderrMessages messages;
    MainWindow window(&launcher, QStringLiteral(INVX_DEMO_MODEL_DIR), &inspector, &messages);
    window.setExperimentFolder(dir.path());
    window.resize(1600, 1000);
    window.show();
    window.form()->applyPreset(QStringLiteral("demo"));
    window.form()->setOutputPath(dir.filePath(QStringLiteral("tabs.h5")));
    if (!window.startSearch()) {
        std::fprintf(stderr, "bench_workbench: the live run did not start\n");
        return;
    }
    launcher.clock.start();
    for (std::int64_t done = 0; done < steps; done += 1000) {
        launcher.takenAt = -1;
        launcher.queue(done, 1000);
        QElapsedTimer wait;
        wait.start();
        while (launcher.takenAt < 0 && wait.elapsed() < 10000)
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
    QTest::qWait(200);
    std::int64_t next = steps;
    QTimer feed;
    feed.setInterval(100);
    QObject::connect(&feed, &QTimer::timeout, [&] {
        launcher.queue(next, 100);
        next += 100;
    });
    feed.start();
    const TabSwitchTimes t = switchTabs(window, switches);
    feed.stop();
    const std::size_t shown = window.liveRun() ? window.liveRun()->stepCount() : 0;
    launcher.end();
    reportTabSwitches(t, QStringLiteral("a synthetic run is followed live (%1 steps at the end, "
                                        "1,000 steps/s arriving)")
                             .arg(qulonglong(shown)));
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF,
                 0);  // each result reaches a pipe or a file as it is printed
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    std::map<std::string, std::string> o{{"--seconds", "30"},         {"--points", "1000000"},
                                         {"--curves", "3"},           {"--redraws", "40"},
                                         {"--live-steps", "200000"},  {"--live-batch", "100"},
                                         {"--live-smoothing", "ema"}, {"--only", "all"},
                                         {"--tab-steps", "50000"},    {"--tab-switches", "40"}};
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!o.count(argv[i])) {
            std::fprintf(stderr, "bench_workbench: unknown option %s\n", argv[i]);
            return 2;
        }
        o[argv[i]] = argv[i + 1];
    }
    const std::string only = o["--only"];
    const std::size_t points = std::stoul(o["--points"]);
    if (only == "all" || only == "redraw") {
        redraw(points, std::stoi(o["--curves"]), std::stoi(o["--redraws"]), false);
        redraw(points, std::stoi(o["--curves"]), std::stoi(o["--redraws"]), true);
    }
    if (only == "all" || only == "live")
        liveFollowing(std::stoll(o["--live-steps"]), std::stoll(o["--live-batch"]),
                      QString::fromStdString(o["--live-smoothing"]));
    if (only == "all" || only == "tabs") {
        tabSwitchesDuringSyntheticRun(std::stoll(o["--tab-steps"]), std::stoi(o["--tab-switches"]));
        tabSwitchesDuringDemo(std::stoi(o["--tab-switches"]));
    }
    if (only == "all" || only == "search") eventLoopGap(std::stod(o["--seconds"]));
    return 0;
}
