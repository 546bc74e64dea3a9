#pragma once
// The one exception type the core throws. Its message is a full sentence that names the file,
// tensor or key at fault and, where there is one, what the user can do about it.
#include <stdexcept>
#include <string>

namespace invx {

class Error : public std::runtime_error {
  public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace invx
