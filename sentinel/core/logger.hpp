#pragma once
// The core's logging interface. The spdlog-backed implementation lives in sentinel/io; tests and
// the simulator provide their own, one per sentinel instance.

#include <string_view>

#include "sentinel/config/config.hpp"

namespace sentinel::core {

using config::LogLevel;

/// Receives log lines from one sentinel instance. Implementations must not block for long.
class Logger {
  public:
    virtual ~Logger() = default;
    virtual void log(LogLevel level, std::string_view message) = 0;
    virtual bool enabled(LogLevel level) const = 0;
};

/// Discards everything (for tests that do not look at logs).
class NullLogger final : public Logger {
  public:
    void log(LogLevel, std::string_view) override {}
    bool enabled(LogLevel) const override { return false; }
};

}  // namespace sentinel::core
