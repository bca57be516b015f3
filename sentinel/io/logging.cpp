#include "sentinel/io/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace sentinel::io {
namespace {

// Our four Redis levels ride on spdlog levels; this maps them back to Redis's marker chars.
spdlog::level::level_enum to_spdlog(config::LogLevel l) {
    switch (l) {
        case config::LogLevel::debug:
            return spdlog::level::trace;
        case config::LogLevel::verbose:
            return spdlog::level::debug;
        case config::LogLevel::notice:
            return spdlog::level::info;
        case config::LogLevel::warning:
        case config::LogLevel::nothing:
            return spdlog::level::warn;
    }
    return spdlog::level::info;
}

class LevelMarker final : public spdlog::custom_flag_formatter {
  public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        char c = '*';
        switch (msg.level) {
            case spdlog::level::trace:
                c = '.';
                break;
            case spdlog::level::debug:
                c = '-';
                break;
            case spdlog::level::info:
                c = '*';
                break;
            default:
                c = '#';
                break;
        }
        dest.push_back(c);
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<LevelMarker>();
    }
};

}  // namespace

RedisLogger::RedisLogger(const std::string& path, config::LogLevel level) : level_(level) {
    spdlog::sink_ptr sink;
    if (path.empty()) {
        sink = std::make_shared<spdlog::sinks::stdout_sink_st>();
    } else {
        sink = std::make_shared<spdlog::sinks::basic_file_sink_st>(path, /*truncate=*/false);
    }
    logger_ = std::make_shared<spdlog::logger>("sentinel", sink);
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<LevelMarker>('*');
    formatter->set_pattern(std::to_string(::getpid()) + ":X %d %b %Y %H:%M:%S.%e %* %v");
    logger_->set_formatter(std::move(formatter));
    logger_->set_level(spdlog::level::trace);
    logger_->flush_on(spdlog::level::trace);
}

RedisLogger::~RedisLogger() = default;

bool RedisLogger::enabled(config::LogLevel level) const {
    return level_ != config::LogLevel::nothing && level >= level_;
}

void RedisLogger::log(config::LogLevel level, std::string_view message) {
    if (enabled(level)) {
        logger_->log(to_spdlog(level), "{}", message);
    }
}

}  // namespace sentinel::io
