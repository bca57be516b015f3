// sentinel: a Redis Sentinel 7.0 compatible high-availability monitor.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "sentinel/config/config.hpp"
#include "sentinel/io/logging.hpp"
#include "sentinel/io/runtime.hpp"

namespace {

using sentinel::config::kRedisCompatVersion;

constexpr std::string_view kVersion = "0.1.0";

void print_usage() {
    std::cout << "Usage: sentinel /path/to/sentinel.conf [options] [--sentinel]\n"
                 "       sentinel --version\n"
                 "       sentinel --help\n"
                 "\n"
                 "Options are sentinel.conf directives written as command-line flags; they are\n"
                 "applied after the file, as redis-sentinel does:\n"
                 "       sentinel /etc/sentinel.conf --port 26380\n"
                 "       sentinel /etc/sentinel.conf --sentinel announce-ip 1.2.3.4\n"
                 "A bare --sentinel is accepted and ignored, so scripts written for\n"
                 "'redis-server sentinel.conf --sentinel' work unchanged.\n";
}

// A Redis-style message for startup failures that happen before logging is configured.
void startup_log(std::string_view message) {
    std::cout << ::getpid() << ":X # " << message << std::endl;
}

bool daemonize() {
    const pid_t pid = ::fork();
    if (pid < 0) {
        return false;
    }
    if (pid > 0) {
        std::_Exit(0);  // the parent leaves; the child carries on detached
    }
    ::setsid();
    const int fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        ::dup2(fd, STDIN_FILENO);
        ::dup2(fd, STDOUT_FILENO);
        ::dup2(fd, STDERR_FILENO);
        if (fd > STDERR_FILENO) {
            ::close(fd);
        }
    }
    return true;
}

std::uint64_t random_seed() {
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^ static_cast<std::uint64_t>(::getpid());
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    auto cmdline = sentinel::config::parse_command_line(args);
    if (!cmdline) {
        std::cerr << cmdline.error() << "\n";
        return 1;
    }
    if (cmdline->version) {
        std::cout << "sentinel v=" << kVersion << " (redis-sentinel " << kRedisCompatVersion
                  << " compatible)\n";
        return 0;
    }
    if (cmdline->help) {
        print_usage();
        return 0;
    }
    if (cmdline->config_file.empty()) {
        startup_log("Sentinel needs config file on disk to save state. Exiting...");
        return 1;
    }

    // The path is made absolute before `dir` changes the working directory, as Redis does.
    std::error_code fs_ec;
    std::string config_path = std::filesystem::absolute(cmdline->config_file, fs_ec).string();
    if (fs_ec) {
        config_path = cmdline->config_file;
    }
    std::ifstream in(config_path, std::ios::binary);
    if (!in) {
        std::cerr << "Fatal error, can't open config file '" << config_path
                  << "': " << std::strerror(errno) << "\n";
        return 1;
    }
    std::stringstream text;
    text << in.rdbuf();
    sentinel::config::ParseOptions parse_options;
    parse_options.resolve = sentinel::config::resolve_hostname;
    // Redis logs these while loading, through serverLog(): to the log file already configured
    // by then (opened for each line), else to stdout, ahead of any FATAL CONFIG FILE ERROR.
    parse_options.warn = [](const sentinel::config::ServerConfig& server,
                            const std::string& message) {
        try {
            sentinel::io::RedisLogger(server.logfile, server.loglevel)
                .log(sentinel::config::LogLevel::warning, message);
        } catch (const std::exception&) {
            // An unopenable log file loses the line, as serverLog() does.
        }
    };
    auto cfg = sentinel::config::parse_config(text.str(), cmdline->extra, parse_options);
    if (!cfg) {
        std::cerr << sentinel::config::format_fatal(cfg.error());
        return 1;
    }
    if (::access(config_path.c_str(), W_OK) != 0) {
        startup_log("Sentinel config file " + config_path +
                    " is not writable: " + std::strerror(errno) + ". Exiting...");
        return 1;
    }
    const auto& server_cfg = cfg->server;
    if (!server_cfg.dir.empty() && ::chdir(server_cfg.dir.c_str()) != 0) {
        std::cerr << "\n*** FATAL CONFIG FILE ERROR (Redis " << kRedisCompatVersion << ") ***\n"
                  << "Can't chdir to '" << server_cfg.dir << "': " << std::strerror(errno) << "\n";
        return 1;
    }
    std::string executable = std::filesystem::absolute(argv[0], fs_ec).string();
    std::filesystem::path exe_link("/proc/self/exe");
    if (auto real = std::filesystem::read_symlink(exe_link, fs_ec); !fs_ec) {
        executable = real.string();
    }

    if (server_cfg.daemonize && !daemonize()) {
        startup_log("Can't fork to daemonize: " + std::string(std::strerror(errno)));
        return 1;
    }
    ::signal(SIGPIPE, SIG_IGN);

    sentinel::io::RedisLogger log(server_cfg.logfile, server_cfg.loglevel);
    log.log(sentinel::config::LogLevel::warning,
            "oO0OoO0OoO0Oo sentinel is starting oO0OoO0OoO0Oo");
    log.log(sentinel::config::LogLevel::warning,
            "sentinel version=" + std::string(kVersion) + " (redis-sentinel " +
                std::string(kRedisCompatVersion) +
                " compatible), pid=" + std::to_string(::getpid()) + ", just started");
    log.log(sentinel::config::LogLevel::warning, "Configuration loaded");

    sentinel::io::StartupOptions opts{*cfg, config_path, executable, random_seed()};
    sentinel::io::Runtime runtime(std::move(opts), log);
    if (!runtime.listen()) {
        return 1;
    }

    // When daemonized, Redis writes a pid file even if none is configured.
    std::string pidfile = server_cfg.pidfile;
    if (pidfile.empty() && server_cfg.daemonize) {
        pidfile = "/var/run/redis.pid";
    }
    if (!pidfile.empty()) {
        std::ofstream pf(pidfile, std::ios::trunc);
        if (pf) {
            pf << ::getpid() << "\n";
        } else {
            log.log(sentinel::config::LogLevel::warning,
                    "Failed to write PID file: " + std::string(std::strerror(errno)));
        }
    }
    const int code = runtime.run();
    if (!pidfile.empty()) {
        ::unlink(pidfile.c_str());
    }
    return code;
}
