// The script queue (limits, retries, errors, timeouts, PENDING-SCRIPTS) alone and through the
// Sentinel. Texts and formulas are redis-sentinel 7.0.15's (sentinel.c and the real binary).

#include "sentinel/core/script_queue.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "sentinel/core/sentinel.hpp"
#include "sentinel/server/server.hpp"

namespace {

using sentinel::Millis;
using sentinel::Now;
using sentinel::config::Config;
using sentinel::config::LogLevel;
using sentinel::config::MasterConfig;
using sentinel::core::Action;
using sentinel::core::EventAction;
using sentinel::core::KillScriptAction;
using sentinel::core::Outbox;
using sentinel::core::ScriptExitedEvent;
using sentinel::core::ScriptQueue;
using sentinel::core::ScriptStartedEvent;
using sentinel::core::Sentinel;
using sentinel::core::SpawnScriptAction;
using sentinel::resp::Type;
using sentinel::resp::Value;

using Argv = std::vector<std::string>;

class RecordingLogger final : public sentinel::core::Logger {
  public:
    void log(LogLevel level, std::string_view message) override {
        lines.emplace_back(level, std::string(message));
    }
    bool enabled(LogLevel) const override { return true; }
    std::vector<std::pair<LogLevel, std::string>> lines;
};

Millis at(std::int64_t ms) {
    return Millis(ms);
}

std::vector<SpawnScriptAction> spawns(const Outbox& out) {
    std::vector<SpawnScriptAction> v;
    for (const auto& a : out.actions) {
        if (const auto* s = std::get_if<SpawnScriptAction>(&a)) {
            v.push_back(*s);
        }
    }
    return v;
}

std::vector<int> kills(const Outbox& out) {
    std::vector<int> v;
    for (const auto& a : out.actions) {
        if (const auto* k = std::get_if<KillScriptAction>(&a)) {
            v.push_back(k->pid);
        }
    }
    return v;
}

// "<type> <text>" of every event, with the level, in order.
std::vector<std::pair<LogLevel, std::string>> events(const Outbox& out) {
    std::vector<std::pair<LogLevel, std::string>> v;
    for (const auto& a : out.actions) {
        if (const auto* e = std::get_if<EventAction>(&a)) {
            v.emplace_back(e->level, e->type + " " + e->text);
        }
    }
    return v;
}

// A queue plus the clock and bookkeeping most tests need.
struct QueueFixture {
    // Schedules one job and starts it at `now` as pid `pid`; returns its job id.
    std::uint64_t start_one(Argv argv, int pid) {
        q.schedule(std::move(argv));
        Outbox o;
        q.run_pending(now, o);
        const auto s = spawns(o);
        REQUIRE(s.size() == 1);
        Outbox o2;
        q.on_started(ScriptStartedEvent{s[0].job_id, pid, false, ""}, o2, log);
        return s[0].job_id;
    }
    void exit(int pid, int code, int signal = 0) {
        out.actions.clear();
        q.on_exited(now, ScriptExitedEvent{pid, code, signal}, retry_delay, out, log);
    }

    ScriptQueue q;
    Millis now{1000};
    std::int64_t retry_delay = 30000;
    RecordingLogger log;
    Outbox out;
};

// Field of a PENDING-SCRIPTS map entry.
const Value& entry_field(const Value& entry, std::string_view name) {
    for (std::size_t i = 0; i + 1 < entry.elements.size(); i += 2) {
        if (entry.elements[i].str == name) {
            return entry.elements[i + 1];
        }
    }
    FAIL("no field " << name);
    return entry;
}

}  // namespace

TEST_CASE("retry delay doubles from SCRIPT-RETRY-DELAY: base * 2^(retry_num - 1)") {
    CHECK(ScriptQueue::retry_delay(1, 30000) == 30000);
    CHECK(ScriptQueue::retry_delay(2, 30000) == 60000);
    CHECK(ScriptQueue::retry_delay(3, 30000) == 120000);
    CHECK(ScriptQueue::retry_delay(10, 30000) == 30000LL * 512);
    CHECK(ScriptQueue::retry_delay(0, 100) == 100);
    // SENTINEL DEBUG accepts any positive value: the doubling saturates.
    CHECK(ScriptQueue::retry_delay(10, std::numeric_limits<std::int64_t>::max() / 4) ==
          std::numeric_limits<std::int64_t>::max());
}

TEST_CASE("scheduled jobs start at the next run_pending, oldest first, with their argv") {
    QueueFixture f;
    f.q.schedule({"/s.sh", "+sdown", "a"});
    f.q.schedule({"/s.sh", "+sdown", "b"});
    CHECK(f.q.size() == 2);
    CHECK(f.q.running() == 0);
    f.q.run_pending(f.now, f.out);
    const auto s = spawns(f.out);
    REQUIRE(s.size() == 2);
    CHECK(s[0].argv == Argv{"/s.sh", "+sdown", "a"});
    CHECK(s[1].argv == Argv{"/s.sh", "+sdown", "b"});
    CHECK(s[0].job_id != s[1].job_id);
    CHECK(f.q.running() == 2);
    CHECK(f.q.jobs()[0].retry_num == 1);
    // Running jobs are not started twice.
    f.out.actions.clear();
    f.q.run_pending(f.now + at(10), f.out);
    CHECK(f.out.actions.empty());
}

TEST_CASE("at most 16 scripts run at once; a finished one makes room for the next") {
    QueueFixture f;
    for (int i = 0; i < 20; ++i) {
        f.q.schedule({"/s.sh", std::to_string(i)});
    }
    f.q.run_pending(f.now, f.out);
    auto s = spawns(f.out);
    REQUIRE(s.size() == ScriptQueue::kMaxRunning);
    CHECK(s.back().argv[1] == "15");
    CHECK(f.q.running() == 16);
    for (std::size_t i = 0; i < s.size(); ++i) {
        Outbox o;
        f.q.on_started(ScriptStartedEvent{s[i].job_id, 100 + static_cast<int>(i), false, ""}, o,
                       f.log);
    }
    f.out.actions.clear();
    f.q.run_pending(f.now, f.out);
    CHECK(spawns(f.out).empty());

    f.exit(100, 0);  // "/s.sh 0" is done
    CHECK(events(f.out) == std::vector<std::pair<LogLevel, std::string>>{
                               {LogLevel::debug, "-script-child 100 0 0"}});
    CHECK(f.q.size() == 19);
    f.out.actions.clear();
    f.q.run_pending(f.now, f.out);
    s = spawns(f.out);
    REQUIRE(s.size() == 1);
    CHECK(s[0].argv[1] == "16");
}

TEST_CASE("the queue holds 256 jobs: the oldest job not running is dropped") {
    QueueFixture f;
    for (int i = 0; i < 20; ++i) {
        f.q.schedule({"/s.sh", std::to_string(i)});
    }
    f.q.run_pending(f.now, f.out);  // jobs 0..15 run
    for (int i = 20; i < 256; ++i) {
        f.q.schedule({"/s.sh", std::to_string(i)});
    }
    CHECK(f.q.size() == 256);
    f.q.schedule({"/s.sh", "256"});
    CHECK(f.q.size() == 256);
    // Jobs 0..15 run and are kept; 16 was the oldest scheduled one.
    CHECK(f.q.jobs()[15].argv[1] == "15");
    CHECK(f.q.jobs()[16].argv[1] == "17");
    CHECK(f.q.jobs().back().argv[1] == "256");
    CHECK(f.q.running() == 16);
    // Nothing is logged: Redis drops silently.
    CHECK(f.log.lines.empty());

    ScriptQueue only_scheduled;
    for (int i = 0; i < 300; ++i) {
        only_scheduled.schedule({"/s.sh", std::to_string(i)});
    }
    CHECK(only_scheduled.size() == 256);
    CHECK(only_scheduled.jobs().front().argv[1] == "44");
}

TEST_CASE("exit code 1 and signals are retried after doubling delays, 10 attempts at most") {
    QueueFixture f;
    f.start_one({"/fail.sh", "+sdown", "x"}, 200);
    int pid = 200;
    for (int attempt = 1; attempt < ScriptQueue::kMaxRetry; ++attempt) {
        // Alternate the two retried outcomes.
        if (attempt % 2 == 1) {
            f.exit(pid, 1);
        } else {
            f.exit(pid, 0, 9);
        }
        CHECK(events(f.out) == std::vector<std::pair<LogLevel, std::string>>{
                                   {LogLevel::debug, "-script-child " + std::to_string(pid) +
                                                         (attempt % 2 == 1 ? " 1 0" : " 0 9")}});
        REQUIRE(f.q.size() == 1);
        const auto& job = f.q.jobs()[0];
        CHECK_FALSE(job.running);
        CHECK(job.pid == 0);
        CHECK(job.retry_num == attempt);
        const std::int64_t delay = ScriptQueue::retry_delay(attempt, f.retry_delay);
        CHECK(job.start_time == f.now + at(delay));

        // Not due one millisecond early; due exactly at the retry time.
        Outbox early;
        f.q.run_pending(f.now + at(delay - 1), early);
        CHECK(spawns(early).empty());
        f.now += at(delay);
        Outbox due;
        f.q.run_pending(f.now, due);
        const auto s = spawns(due);
        REQUIRE(s.size() == 1);
        CHECK(s[0].argv == Argv{"/fail.sh", "+sdown", "x"});
        ++pid;
        Outbox o;
        f.q.on_started(ScriptStartedEvent{s[0].job_id, pid, false, ""}, o, f.log);
    }
    CHECK(f.q.jobs()[0].retry_num == ScriptQueue::kMaxRetry);
    // The tenth attempt fails too: reported and dropped.
    f.exit(pid, 1);
    CHECK(events(f.out) == std::vector<std::pair<LogLevel, std::string>>{
                               {LogLevel::debug, "-script-child " + std::to_string(pid) + " 1 0"},
                               {LogLevel::warning, "-script-error /fail.sh 0 1"}});
    CHECK(f.q.size() == 0);
}

TEST_CASE("exit codes from 2 up are reported as -script-error and never retried") {
    QueueFixture f;
    f.start_one({"/err.sh", "+odown", "y"}, 300);
    f.exit(300, 3);
    CHECK(events(f.out) == std::vector<std::pair<LogLevel, std::string>>{
                               {LogLevel::debug, "-script-child 300 3 0"},
                               {LogLevel::warning, "-script-error /err.sh 0 3"}});
    CHECK(f.q.size() == 0);

    f.start_one({"/ok.sh"}, 301);
    f.exit(301, 0);
    CHECK(events(f.out).size() == 1);  // just the debug -script-child
    CHECK(f.q.size() == 0);
}

TEST_CASE("spawn failures: a failed fork is retried at once, a failed exec is dropped") {
    QueueFixture f;
    f.q.schedule({"/s.sh", "+sdown", "z"});
    f.q.run_pending(f.now, f.out);
    auto s = spawns(f.out);
    REQUIRE(s.size() == 1);
    f.out.actions.clear();
    f.q.on_started(ScriptStartedEvent{s[0].job_id, -1, false, "Resource temporarily unavailable"},
                   f.out, f.log);
    CHECK(events(f.out) == std::vector<std::pair<LogLevel, std::string>>{
                               {LogLevel::warning, "-script-error /s.sh 99 0"}});
    REQUIRE(f.q.size() == 1);
    CHECK_FALSE(f.q.jobs()[0].running);
    CHECK(f.q.running() == 0);
    REQUIRE(f.log.lines.size() == 1);
    CHECK(f.log.lines[0].second ==
          "Script /s.sh could not be started: Resource temporarily unavailable");
    // Due again on the next tick; the failed attempt counted.
    f.out.actions.clear();
    f.q.run_pending(f.now + at(1), f.out);
    s = spawns(f.out);
    REQUIRE(s.size() == 1);
    CHECK(f.q.jobs()[0].retry_num == 2);

    f.out.actions.clear();
    f.q.on_started(ScriptStartedEvent{s[0].job_id, -1, true, "No such file or directory"}, f.out,
                   f.log);
    CHECK(events(f.out) == std::vector<std::pair<LogLevel, std::string>>{
                               {LogLevel::warning, "-script-error /s.sh 0 2"}});
    CHECK(f.q.size() == 0);
}

TEST_CASE("a started process is announced at debug level; stale start reports are ignored") {
    QueueFixture f;
    f.q.schedule({"/s.sh"});
    f.q.run_pending(f.now, f.out);
    const auto id = spawns(f.out).at(0).job_id;
    f.out.actions.clear();
    f.q.on_started(ScriptStartedEvent{id, 4242, false, ""}, f.out, f.log);
    CHECK(events(f.out) ==
          std::vector<std::pair<LogLevel, std::string>>{{LogLevel::debug, "+script-child 4242"}});
    CHECK(f.q.jobs()[0].pid == 4242);
    f.out.actions.clear();
    f.q.on_started(ScriptStartedEvent{id, 4243, false, ""}, f.out, f.log);
    f.q.on_started(ScriptStartedEvent{id + 100, 4244, false, ""}, f.out, f.log);
    CHECK(f.out.actions.empty());
    CHECK(f.q.jobs()[0].pid == 4242);
}

TEST_CASE("scripts running longer than SCRIPT-MAX-RUNTIME are killed, then retried") {
    QueueFixture f;
    const Millis started = f.now;
    f.start_one({"/slow.sh", "+sdown", "w"}, 500);
    f.q.kill_timed_out(started + at(60000), 60000, f.out);
    CHECK(f.out.actions.empty());
    f.q.kill_timed_out(started + at(60001), 60000, f.out);
    CHECK(events(f.out) == std::vector<std::pair<LogLevel, std::string>>{
                               {LogLevel::warning, "-script-timeout /slow.sh 500"}});
    CHECK(kills(f.out) == std::vector<int>{500});
    // Until the process is collected, later ticks repeat it (as Redis does).
    f.out.actions.clear();
    f.q.kill_timed_out(started + at(60100), 60000, f.out);
    CHECK(kills(f.out) == std::vector<int>{500});

    f.now = started + at(60150);
    f.exit(500, 0, 9);
    REQUIRE(f.q.size() == 1);
    CHECK_FALSE(f.q.jobs()[0].running);
    CHECK(f.q.jobs()[0].start_time == f.now + at(30000));
    f.out.actions.clear();
    f.q.kill_timed_out(f.now + at(100000), 60000, f.out);
    CHECK(f.out.actions.empty());
}

TEST_CASE("a job whose pid is not known yet is never killed") {
    QueueFixture f;
    f.q.schedule({"/slow.sh"});
    f.q.run_pending(f.now, f.out);
    f.out.actions.clear();
    f.q.kill_timed_out(f.now + at(120000), 60000, f.out);
    CHECK(f.out.actions.empty());
}

TEST_CASE("an exit for a pid the queue does not know is logged like Redis") {
    QueueFixture f;
    f.exit(777, 0);
    CHECK(events(f.out) == std::vector<std::pair<LogLevel, std::string>>{
                               {LogLevel::debug, "-script-child 777 0 0"}});
    REQUIRE(f.log.lines.size() == 1);
    CHECK(f.log.lines[0] ==
          std::pair<LogLevel, std::string>{
              LogLevel::warning,
              "waitpid() returned a pid (777) we can't find in our scripts execution queue!"});
}

TEST_CASE("PENDING-SCRIPTS: a map per job, every scalar a bulk string, in queue order") {
    QueueFixture f;
    f.start_one({"/a.sh", "+sdown", "one"}, 900);  // running since 1000
    f.start_one({"/b.sh", "+odown", "two"}, 901);
    f.exit(901, 1);                            // scheduled again at 1000 + 30000
    f.q.schedule({"/c.sh", "+set", "three"});  // never tried

    const Value v = f.q.pending_scripts(f.now + at(250));
    REQUIRE(v.type == Type::array);
    REQUIRE(v.elements.size() == 3);
    for (const auto& entry : v.elements) {
        CHECK(entry.type == Type::map);
        REQUIRE(entry.elements.size() == 10);
        CHECK(entry.elements[0].str == "argv");
        CHECK(entry.elements[2].str == "flags");
        CHECK(entry.elements[4].str == "pid");
        CHECK(entry.elements[8].str == "retry-num");
        for (std::size_t i = 0; i < entry.elements.size(); ++i) {
            if (i != 1) {
                CHECK(entry.elements[i].type == Type::bulk_string);
            }
        }
    }
    const Value& running = v.elements[0];
    CHECK(entry_field(running, "argv") ==
          Value::array({Value::bulk("/a.sh"), Value::bulk("+sdown"), Value::bulk("one")}));
    CHECK(entry_field(running, "flags").str == "running");
    CHECK(entry_field(running, "pid").str == "900");
    CHECK(running.elements[6].str == "run-time");
    CHECK(entry_field(running, "run-time").str == "250");
    CHECK(entry_field(running, "retry-num").str == "1");

    const Value& retrying = v.elements[1];
    CHECK(entry_field(retrying, "flags").str == "scheduled");
    CHECK(entry_field(retrying, "pid").str == "0");
    CHECK(retrying.elements[6].str == "run-delay");
    CHECK(entry_field(retrying, "run-delay").str == "29750");
    CHECK(entry_field(retrying, "retry-num").str == "1");

    const Value& fresh = v.elements[2];
    CHECK(entry_field(fresh, "flags").str == "scheduled");
    CHECK(entry_field(fresh, "run-delay").str == "0");
    CHECK(entry_field(fresh, "retry-num").str == "0");

    // A retry time in the past shows as 0, never negative.
    const Value later = f.q.pending_scripts(f.now + at(40000));
    CHECK(entry_field(later.elements[1], "run-delay").str == "0");
}

// ---- Through the Sentinel ---------------------------------------------------------------------

namespace {

const Now kStart{Millis(10000), Millis(1700000000000)};

Config scripted_config() {
    Config cfg;
    cfg.sentinel.myid = std::string(40, 'a');
    MasterConfig m;
    m.name = "mymaster";
    m.host = "127.0.0.1";
    m.port = 6379;
    m.quorum = 2;
    m.notification_script = "/notify.sh";
    m.client_reconfig_script = "/reconfig.sh";
    cfg.masters = {m};
    cfg.sentinel.deny_scripts_reconfig = false;
    return cfg;
}

struct SentinelFixture {
    SentinelFixture() : s(scripted_config(), sentinel::Rng(7), log, kStart) {
        Outbox o;
        s.start(kStart, o);
    }
    Outbox step(const sentinel::core::Event& ev, Millis advance = Millis(0)) {
        now.mono += advance;
        now.wall += advance;
        Outbox o;
        s.step(now, ev, o);
        return o;
    }
    Value run(std::vector<std::string> args, Outbox* o = nullptr) {
        Outbox local;
        args.insert(args.begin(), "SENTINEL");
        return s.command(now, args, o != nullptr ? *o : local);
    }
    std::string info_line(std::string_view key) const {
        const std::string info = s.info_section(now, sentinel::core::ProcessFacts{});
        const auto pos = info.find(std::string(key) + ":");
        REQUIRE(pos != std::string::npos);
        return info.substr(pos, info.find("\r\n", pos) - pos);
    }

    RecordingLogger log;
    Sentinel s;
    Now now = kStart;
};

}  // namespace

TEST_CASE("warning events about a master queue its notification script; ticks start them") {
    SentinelFixture f;
    // +monitor at start-up is a warning about the master, so it is queued (as in Redis).
    REQUIRE(f.s.scripts().size() == 1);
    CHECK(f.s.scripts().jobs()[0].argv ==
          Argv{"/notify.sh", "+monitor", "master mymaster 127.0.0.1 6379 quorum 2"});

    // SET emits +set straight from the command; nothing is spawned before the next tick.
    Outbox out;
    CHECK(f.run({"SET", "mymaster", "quorum", "3"}, &out) == Value::simple("OK"));
    CHECK(spawns(out).empty());
    REQUIRE(f.s.scripts().size() == 2);
    CHECK(f.s.scripts().jobs()[1].argv ==
          Argv{"/notify.sh", "+set", "master mymaster 127.0.0.1 6379 quorum 3"});
    CHECK(f.info_line("sentinel_running_scripts") == "sentinel_running_scripts:0");
    CHECK(f.info_line("sentinel_scripts_queue_length") == "sentinel_scripts_queue_length:2");

    const Outbox tick = f.step(sentinel::core::TickEvent{});
    const auto s = spawns(tick);
    REQUIRE(s.size() == 2);
    CHECK(s[1].argv == Argv{"/notify.sh", "+set", "master mymaster 127.0.0.1 6379 quorum 3"});
    CHECK(f.info_line("sentinel_running_scripts") == "sentinel_running_scripts:2");

    auto started = f.step(ScriptStartedEvent{s[0].job_id, 1234, false, ""});
    CHECK(events(started) ==
          std::vector<std::pair<LogLevel, std::string>>{{LogLevel::debug, "+script-child 1234"}});
    f.step(ScriptStartedEvent{s[1].job_id, 1235, false, ""});

    const Value pending = f.run({"PENDING-SCRIPTS"});
    REQUIRE(pending.elements.size() == 2);
    CHECK(entry_field(pending.elements[1], "pid").str == "1235");
    CHECK(entry_field(pending.elements[1], "flags").str == "running");

    // Exit 1 is retried after SCRIPT-RETRY-DELAY, which SENTINEL DEBUG changes at run time.
    CHECK(f.run({"DEBUG", "script-retry-delay", "100"}) == Value::simple("OK"));
    f.step(ScriptExitedEvent{1234, 0, 0}, Millis(5));
    f.step(ScriptExitedEvent{1235, 1, 0});
    CHECK(f.info_line("sentinel_running_scripts") == "sentinel_running_scripts:0");
    CHECK(f.info_line("sentinel_scripts_queue_length") == "sentinel_scripts_queue_length:1");
    CHECK(spawns(f.step(sentinel::core::TickEvent{}, Millis(99))).empty());
    const auto again = spawns(f.step(sentinel::core::TickEvent{}, Millis(1)));
    REQUIRE(again.size() == 1);
    CHECK(again[0].argv[1] == "+set");
    CHECK(f.s.scripts().jobs()[0].retry_num == 2);
}

TEST_CASE("a tick kills a script past SCRIPT-MAX-RUNTIME with -script-timeout") {
    SentinelFixture f;
    CHECK(f.run({"DEBUG", "script-max-runtime", "500"}) == Value::simple("OK"));
    const auto s = spawns(f.step(sentinel::core::TickEvent{}));
    REQUIRE(s.size() == 1);
    f.step(ScriptStartedEvent{s[0].job_id, 4321, false, ""});
    CHECK(kills(f.step(sentinel::core::TickEvent{}, Millis(500))).empty());
    const Outbox late = f.step(sentinel::core::TickEvent{}, Millis(1));
    CHECK(kills(late) == std::vector<int>{4321});
    bool announced = false;
    for (const auto& [level, text] : events(late)) {
        announced =
            announced || (level == LogLevel::warning && text == "-script-timeout /notify.sh 4321");
    }
    CHECK(announced);
}

TEST_CASE("SET notification-script runs the new script for its own +set; clearing stops it") {
    SentinelFixture f;
    const std::size_t before = f.s.scripts().size();
    CHECK(f.run({"SET", "mymaster", "quorum", "3", "NOTIFICATION-SCRIPT", "/other.sh",
                 "parallel-syncs", "2"}) == Value::simple("OK"));
    const auto& jobs = f.s.scripts().jobs();
    REQUIRE(jobs.size() == before + 3);
    CHECK(jobs[before].argv ==
          Argv{"/notify.sh", "+set", "master mymaster 127.0.0.1 6379 quorum 3"});
    CHECK(jobs[before + 1].argv == Argv{"/other.sh", "+set",
                                        "master mymaster 127.0.0.1 6379 NOTIFICATION-SCRIPT "
                                        "/other.sh"});
    CHECK(jobs[before + 2].argv ==
          Argv{"/other.sh", "+set", "master mymaster 127.0.0.1 6379 parallel-syncs 2"});

    CHECK(f.run({"SET", "mymaster", "notification-script", "", "quorum", "2"}) ==
          Value::simple("OK"));
    CHECK(f.s.scripts().size() == before + 3);
}

TEST_CASE("REMOVE runs the removed master's notification script for -monitor") {
    SentinelFixture f;
    const std::size_t before = f.s.scripts().size();
    CHECK(f.run({"REMOVE", "mymaster"}) == Value::simple("OK"));
    REQUIRE(f.s.scripts().size() == before + 1);
    CHECK(f.s.scripts().jobs().back().argv ==
          Argv{"/notify.sh", "-monitor", "master mymaster 127.0.0.1 6379"});
}

TEST_CASE("a newer config from a peer's hello queues the observer client-reconfig script") {
    SentinelFixture f;
    const std::string peer(40, 'b');
    f.step(sentinel::core::HelloReceivedEvent{"127.0.0.1,26380," + peer +
                                              ",5,mymaster,127.0.0.1,6380,5"});
    std::vector<Argv> queued;
    for (const auto& job : f.s.scripts().jobs()) {
        queued.push_back(job.argv);
    }
    const Argv switch_master{"/notify.sh", "+switch-master",
                             "mymaster 127.0.0.1 6379 127.0.0.1 6380"};
    const Argv reconfig{"/reconfig.sh", "mymaster", "observer",  "start",
                        "127.0.0.1",    "6379",     "127.0.0.1", "6380"};
    // The +switch-master warning comes first, then the client reconfiguration.
    const auto sm = std::find(queued.begin(), queued.end(), switch_master);
    const auto rc = std::find(queued.begin(), queued.end(), reconfig);
    CHECK(sm != queued.end());
    CHECK(rc != queued.end());
    CHECK(sm < rc);
}

// ---- Through the server: actions reach the host -----------------------------------------------

namespace {

class ScriptHost final : public sentinel::server::Host {
  public:
    Now now() const override { return kStart; }
    sentinel::server::ProcessStats process_stats() const override { return {}; }
    bool persist(const Config&) override { return true; }
    void shutdown() override {}
    void link_action(const Action& a) override { link_actions.push_back(a); }
    void spawn_script(std::uint64_t job_id, const Argv& argv) override {
        spawned.emplace_back(job_id, argv);
    }
    void kill_script(int pid) override { killed.push_back(pid); }
    void terminate(int, const std::string&) override {}

    std::vector<Action> link_actions;
    std::vector<std::pair<std::uint64_t, Argv>> spawned;
    std::vector<int> killed;
};

}  // namespace

TEST_CASE("Server::apply hands script spawns and kills to the host, nothing to the links") {
    RecordingLogger log;
    const Config cfg = scripted_config();
    Sentinel core(cfg, sentinel::Rng(7), log, kStart);
    ScriptHost host;
    sentinel::server::Server server(core, cfg.server, host, log);

    Outbox out;
    out.spawn_script(3, {"/notify.sh", "+sdown", "x"});
    out.kill_script(99);
    CHECK(server.apply(out));
    REQUIRE(host.spawned.size() == 1);
    CHECK(host.spawned[0] == std::pair<std::uint64_t, Argv>{3, {"/notify.sh", "+sdown", "x"}});
    CHECK(host.killed == std::vector<int>{99});
    CHECK(host.link_actions.empty());
}
