#pragma once
// spdlog-backed core::Logger writing Redis's log line format:
// "pid:X 22 Nov 2026 12:00:00.123 # message" (X = sentinel role; . - * # = debug..warning).

#include <memory>
#include <string>

#include "sentinel/core/logger.hpp"

namespace spdlog {
class logger;
}

namespace sentinel::io {

/// Logs to a file (appending) or, when `path` is empty, to stdout.
class RedisLogger final : public core::Logger {
  public:
    RedisLogger(const std::string& path, config::LogLevel level);
    ~RedisLogger() override;

    void log(config::LogLevel level, std::string_view message) override;
    bool enabled(config::LogLevel level) const override;
    void set_level(config::LogLevel level) { level_ = level; }

  private:
    std::shared_ptr<spdlog::logger> logger_;
    config::LogLevel level_;
};

}  // namespace sentinel::io
