#include "records/experiment/experiment-rows.h"

namespace invx::experiment {

using hdf5::Handle;

Handle stepType() {
    Handle t = hdf5::compoundType(sizeof(StepRow));
    H5Tinsert(t, "step", HOFFSET(StepRow, step), H5T_NATIVE_INT64);
    H5Tinsert(t, "layer", HOFFSET(StepRow, layer), H5T_NATIVE_INT32);
    H5Tinsert(t, "loss", HOFFSET(StepRow, loss), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "ce", HOFFSET(StepRow, ce), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "mse", HOFFSET(StepRow, mse), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "accepted", HOFFSET(StepRow, accepted), H5T_NATIVE_UINT8);
    H5Tinsert(t, "acceptance_rate", HOFFSET(StepRow, acceptanceRate), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "recent_acceptance_rate", HOFFSET(StepRow, recentAcceptanceRate),
              H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "elapsed_s", HOFFSET(StepRow, elapsedSeconds), H5T_NATIVE_DOUBLE);
    return t;
}

Handle evaluationType() {
    Handle t = hdf5::compoundType(sizeof(EvaluationRow));
    H5Tinsert(t, "step", HOFFSET(EvaluationRow, step), H5T_NATIVE_INT64);
    H5Tinsert(t, "accepted_steps", HOFFSET(EvaluationRow, acceptedSteps), H5T_NATIVE_INT64);
    H5Tinsert(t, "perplexity", HOFFSET(EvaluationRow, perplexity), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "windows", HOFFSET(EvaluationRow, windows), H5T_NATIVE_INT64);
    H5Tinsert(t, "windows_available", HOFFSET(EvaluationRow, windowsAvailable), H5T_NATIVE_INT64);
    H5Tinsert(t, "elapsed_s", HOFFSET(EvaluationRow, elapsedSeconds), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "eval_s", HOFFSET(EvaluationRow, seconds), H5T_NATIVE_DOUBLE);
    return t;
}

Handle runLogType() {
    Handle t = hdf5::compoundType(sizeof(RunLogRow));
    H5Tinsert(t, "status", HOFFSET(RunLogRow, status), hdf5::fixedText(sizeof(RunLogRow::status)));
    H5Tinsert(t, "target_steps", HOFFSET(RunLogRow, targetSteps), H5T_NATIVE_INT64);
    H5Tinsert(t, "unix_time", HOFFSET(RunLogRow, unixTime), H5T_NATIVE_DOUBLE);
    return t;
}

Handle resultType() {
    Handle t = hdf5::compoundType(sizeof(ResultRow));
    H5Tinsert(t, "model", HOFFSET(ResultRow, model), hdf5::fixedText(sizeof(ResultRow::model)));
    H5Tinsert(t, "step", HOFFSET(ResultRow, step), H5T_NATIVE_INT64);
    H5Tinsert(t, "metric", HOFFSET(ResultRow, metric), hdf5::fixedText(sizeof(ResultRow::metric)));
    H5Tinsert(t, "value", HOFFSET(ResultRow, value), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "value_norm", HOFFSET(ResultRow, valueNorm), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "items", HOFFSET(ResultRow, items), H5T_NATIVE_INT64);
    H5Tinsert(t, "complete", HOFFSET(ResultRow, complete), H5T_NATIVE_UINT8);
    H5Tinsert(t, "protocol", HOFFSET(ResultRow, protocol),
              hdf5::fixedText(sizeof(ResultRow::protocol)));
    H5Tinsert(t, "seconds", HOFFSET(ResultRow, seconds), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "unix_time", HOFFSET(ResultRow, unixTime), H5T_NATIVE_DOUBLE);
    return t;
}

Handle stepFieldType() {
    Handle t = hdf5::compoundType(sizeof(std::int64_t));
    H5Tinsert(t, "step", 0, H5T_NATIVE_INT64);
    return t;
}

}  // namespace invx::experiment
