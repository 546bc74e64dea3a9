#pragma once
// How models load, for every command and the workbench alike.
namespace invx {

// Whether a checkpoint whose weights hold NaN or infinite values loads. Off (the default), such a
// model is refused naming the tensor; on, it loads as it is (to study a damaged or diverged model).
void setAllowNonFiniteWeights(bool allow);
bool nonFiniteWeightsAllowed();

}  // namespace invx
