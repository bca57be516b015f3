#include "tests/sim/sentinel_node.hpp"

#include <algorithm>

#include "common/resp/writer.hpp"
#include "common/util/assert.hpp"
#include "sentinel/core/text.hpp"
#include "sentinel/core/wire.hpp"
#include "tests/sim/sim_time.hpp"

namespace sentinel::sim {
namespace {

// A short one-line rendering of a reply, for traces.
std::string brief(const resp::Value& v) {
    switch (v.type) {
        case resp::Type::simple_string:
            return "+" + v.str;
        case resp::Type::error:
            return "-" + v.str;
        case resp::Type::integer:
            return ":" + std::to_string(v.integer);
        case resp::Type::bulk_string:
            return v.str.size() > 40 ? "$" + std::to_string(v.str.size()) + " bytes"
                                     : "\"" + v.str + "\"";
        case resp::Type::null:
        case resp::Type::null_array:
            return "(nil)";
        default: {
            std::string s = "[";
            for (const auto& e : v.elements) {
                s += (s.size() > 1 ? " " : "") + brief(e);
            }
            return s + "]";
        }
    }
}

std::string describe(const core::Event& event) {
    if (std::holds_alternative<core::TickEvent>(event)) {
        return "tick";
    }
    if (const auto* e = std::get_if<core::LinkUpEvent>(&event)) {
        return "link-up " + std::to_string(e->link) + " " + e->local_ip;
    }
    if (const auto* e = std::get_if<core::LinkDownEvent>(&event)) {
        return "link-down " + std::to_string(e->link) + " " + e->reason;
    }
    if (const auto* e = std::get_if<core::ReplyEvent>(&event)) {
        return "reply " + std::to_string(e->link) + " " + brief(e->value);
    }
    if (const auto* e = std::get_if<core::HelloReceivedEvent>(&event)) {
        return "hello " + e->payload;
    }
    return "?";
}

}  // namespace

void SimLogger::log(LogLevel level, std::string_view message) {
    lines_.push_back(LogRecord{queue_.now(), level, std::string(message)});
    if (echo) {
        echo(lines_.back());
    }
}

SentinelNode::SentinelNode(std::size_t index, EventQueue& queue, Network& net, config::Config disk,
                           std::string ip)
    : index_(index),
      queue_(queue),
      net_(net),
      disk_(std::move(disk)),
      ip_(std::move(ip)),
      logger_(std::make_unique<SimLogger>(queue)) {
    net_id_ =
        net_.attach(*this, "sentinel:" + std::to_string(disk_.server.port), ip_, disk_.server.port);
}

SentinelNode::~SentinelNode() {
    // The server refers to the core: tear down in reverse order of construction.
    server_.reset();
    core_.reset();
}

std::string SentinelNode::address() const {
    return ip_ + ":" + std::to_string(port());
}

core::Sentinel& SentinelNode::core() {
    SENTINEL_ASSERT(core_ != nullptr);
    return *core_;
}

const core::Sentinel& SentinelNode::core() const {
    SENTINEL_ASSERT(core_ != nullptr);
    return *core_;
}

server::Server& SentinelNode::server() {
    SENTINEL_ASSERT(server_ != nullptr);
    return *server_;
}

Now SentinelNode::now() const {
    return Now{queue_.now(), Millis(kSimWallEpochMs) + queue_.now() + wall_offset_};
}

void SentinelNode::boot(std::uint64_t seed) {
    SENTINEL_ASSERT(!up_);
    up_ = true;
    ++boots_;
    booted_at_ = queue_.now();
    Rng rng(seed);
    process_run_id_ = rng.hex(40);
    note("boot " + std::to_string(boots_));
    core_ = std::make_unique<core::Sentinel>(disk_, rng, *logger_, now());
    server_ = std::make_unique<server::Server>(*core_, disk_.server, *this, *logger_);
    open_observer();
    net_.set_listening(net_id_, true);
    core::Outbox out;
    core_->start(now(), out);
    apply(out);
    finish_step();
}

void SentinelNode::crash() {
    if (!up_) {
        return;
    }
    note("crash");
    up_ = false;
    terminating_ = false;
    net_.crash(net_id_);
    links_.clear();
    out_links_.clear();
    opened_links_.clear();
    conn_sessions_.clear();
    session_conns_.clear();
    observer_ = 0;
    observer_parser_ = resp::ReplyParser{};
    ++tick_generation_;
    tick_at_.reset();
    last_tick_.reset();
    server_.reset();
    core_.reset();
}

resp::Value SentinelNode::command(const std::vector<std::string>& args) {
    SENTINEL_ASSERT(up_);
    core::Outbox out;
    resp::Value v = core_->command(now(), args, out);
    if (!server_->apply(out)) {
        v = resp::Value::error(wire::kErrSaveFailed);
    }
    if (args.size() >= 2 && core::iequals(args[1], "failover") && v == resp::Value::simple("OK")) {
        ++manual_failovers_;  // before finish_step(): the checker looks at it there
    }
    flush_server();
    finish_step();
    return v;
}

void SentinelNode::step(const core::Event& event) {
    if (!up_) {
        return;
    }
    if (trace_on_) {
        note("in " + describe(event));
    }
    core::Outbox out;
    core_->step(now(), event, out);
    apply(out);
    finish_step();
}

void SentinelNode::apply(const core::Outbox& out) {
    server_->apply(out);
    flush_server();
}

void SentinelNode::finish_step() {
    if (!up_ || terminating_) {
        return;
    }
    schedule_tick();
    if (after_step) {
        after_step(*this);
    }
}

void SentinelNode::schedule_tick() {
    // The runtime re-arms its timer to next_deadline() after every step. Two ticks never fall
    // on the same millisecond, so a core that keeps asking for "now" cannot stall the clock.
    Millis earliest = queue_.now();
    if (last_tick_ && *last_tick_ >= earliest) {
        earliest = *last_tick_ + Millis(1);
    }
    const Millis at = std::max(core_->next_deadline(), earliest);
    if (tick_at_ && *tick_at_ == at) {
        return;
    }
    const std::uint64_t generation = ++tick_generation_;
    tick_at_ = at;
    queue_.at(at, [this, generation] {
        if (!up_ || generation != tick_generation_) {
            return;
        }
        tick_at_.reset();
        last_tick_ = queue_.now();
        step(core::TickEvent{});
    });
}

// ---- server::Host ----

server::ProcessStats SentinelNode::process_stats() const {
    server::ProcessStats ps;
    ps.pid = 20000 + static_cast<int>(index_);
    ps.os = "Linux 6.1.0-sim x86_64";
    ps.executable = "/sim/sentinel";
    ps.config_file = "/sim/sentinel-" + std::to_string(port()) + ".conf";
    ps.run_id = process_run_id_;
    ps.server_time_usec = to_ms(now().wall) * 1000;
    ps.uptime_s = to_ms(queue_.now() - booted_at_) / 1000;
    ps.hz = 10;
    return ps;
}

bool SentinelNode::persist(const config::Config& cfg) {
    if (terminating_) {
        return false;  // the process is gone
    }
    ++persist_count_;
    if (persist_fails_) {
        return false;
    }
    disk_ = cfg;
    return true;
}

void SentinelNode::shutdown() {
    // SHUTDOWN: the runtime stops after flushing replies; here the process dies once the
    // current event is done.
    const int boot = boots_;
    queue_.at(queue_.now(), [this, boot] {
        if (up_ && boots_ == boot) {
            crash();
        }
    });
}

void SentinelNode::run_script(const std::vector<std::string>& argv) {
    if (!terminating_) {
        scripts_.push_back(argv);
    }
}

void SentinelNode::terminate(int code, const std::string& message) {
    if (terminating_) {
        return;
    }
    note("exit " + std::to_string(code) + " " + message);
    exit_codes_.push_back(code);
    // What was published before the exit is on record; nothing after it gets out.
    drain_observer();
    terminating_ = true;
    const int boot = boots_;
    queue_.at(queue_.now(), [this, boot] {
        if (up_ && boots_ == boot) {
            crash();
        }
    });
}

void SentinelNode::link_action(const core::Action& action) {
    if (terminating_) {
        return;
    }
    if (const auto* c = std::get_if<core::ConnectAction>(&action)) {
        if (trace_on_) {
            note("out connect " + std::to_string(c->link) + " " + c->host + ":" +
                 std::to_string(c->port));
        }
        SENTINEL_ASSERT(opened_links_.count(c->link) == 0);  // link ids are never reused
        opened_links_.insert(c->link);
        const ConnId conn = net_.connect(net_id_, c->host, c->port);
        links_[c->link] = conn;
        out_links_[conn].link = c->link;
    } else if (const auto* s = std::get_if<core::SendAction>(&action)) {
        if (trace_on_) {
            std::string line = "out send " + std::to_string(s->link);
            for (const auto& a : s->args) {
                line += " " + a;
            }
            note(std::move(line));
        }
        const auto it = links_.find(s->link);
        if (it == links_.end()) {
            ++(opened_links_.count(s->link) != 0 ? actions_on_dead_ : sends_on_unopened_);
            return;
        }
        net_.send(it->second, net_id_, resp::Writer::command(s->args));
    } else if (const auto* cl = std::get_if<core::CloseAction>(&action)) {
        if (trace_on_) {
            note("out close " + std::to_string(cl->link));
        }
        const auto it = links_.find(cl->link);
        if (it == links_.end()) {
            ++actions_on_dead_;
            return;
        }
        net_.close(it->second, net_id_);
        out_links_.erase(it->second);
        links_.erase(it);
    }
}

// ---- NetNode ----

void SentinelNode::net_connected(ConnId conn, const std::string& local_ip) {
    const auto it = out_links_.find(conn);
    if (!up_ || it == out_links_.end()) {
        return;
    }
    step(core::LinkUpEvent{it->second.link, local_ip});
}

void SentinelNode::net_connect_failed(ConnId conn, const std::string& reason) {
    link_down(conn, reason);
}

void SentinelNode::link_down(ConnId conn, const std::string& reason) {
    const auto it = out_links_.find(conn);
    if (!up_ || it == out_links_.end()) {
        return;
    }
    const core::LinkId link = it->second.link;
    out_links_.erase(it);
    links_.erase(link);
    step(core::LinkDownEvent{link, reason});
}

void SentinelNode::net_data(ConnId conn, const std::string& bytes) {
    if (!up_) {
        return;
    }
    if (out_links_.count(conn) != 0) {
        out_links_.at(conn).parser.feed(bytes);
        for (;;) {
            // The step may close this very link: look it up again every time.
            const auto it = out_links_.find(conn);
            if (!up_ || it == out_links_.end()) {
                return;
            }
            resp::Value v;
            const auto status = it->second.parser.next(v);
            if (status == resp::ParseStatus::incomplete) {
                return;
            }
            if (status == resp::ParseStatus::error) {
                // The runtime treats garbage from a peer as a broken link.
                const std::string reason = "Protocol error: " + it->second.parser.error();
                net_.close(conn, net_id_);
                link_down(conn, reason);
                return;
            }
            step(core::ReplyEvent{it->second.link, std::move(v)});
        }
    }
    const auto in = conn_sessions_.find(conn);
    if (in == conn_sessions_.end()) {
        return;
    }
    server_->receive(in->second, bytes);
    flush_server();
    finish_step();
}

void SentinelNode::net_closed(ConnId conn, const std::string& reason) {
    if (!up_) {
        return;
    }
    if (out_links_.count(conn) != 0) {
        link_down(conn, reason);
        return;
    }
    const auto in = conn_sessions_.find(conn);
    if (in == conn_sessions_.end()) {
        return;
    }
    server_->disconnect(in->second);
    session_conns_.erase(in->second);
    conn_sessions_.erase(in);
}

void SentinelNode::net_accepted(ConnId conn, const std::string& peer_addr) {
    if (!up_) {
        return;
    }
    server::ClientAddress addr;
    addr.addr = peer_addr;
    addr.laddr = address();
    addr.fd = static_cast<int>(8 + conn_sessions_.size());
    addr.loopback = peer_addr.rfind("127.", 0) == 0;
    const std::uint64_t session = server_->connect(addr);
    conn_sessions_[conn] = session;
    session_conns_[session] = conn;
    flush_server();
}

// ---- the server's output ----

void SentinelNode::flush_server() {
    if (!up_ || terminating_) {
        return;
    }
    for (const std::uint64_t id : server_->take_dirty()) {
        if (id == observer_) {
            drain_observer();
            continue;
        }
        const auto it = session_conns_.find(id);
        if (it == session_conns_.end()) {
            continue;
        }
        const ConnId conn = it->second;
        server::Session* s = server_->session(id);
        bool close = s == nullptr || s->closed;
        if (!close && !s->out.empty()) {
            server_->count_written(s->out.size());
            net_.send(conn, net_id_, std::move(s->out));
            s->out.clear();
        }
        close = close || s->close_after_write;
        if (close) {
            net_.close(conn, net_id_);
            server_->disconnect(id);
            conn_sessions_.erase(conn);
            session_conns_.erase(it);
        }
    }
}

void SentinelNode::open_observer() {
    server::ClientAddress addr;
    addr.addr = "127.0.0.1:1";  // not a network connection: the simulator's own listener
    addr.laddr = address();
    addr.loopback = true;
    observer_ = server_->connect(addr);
    observer_parser_ = resp::ReplyParser{};
    std::string cmds;
    if (disk_.server.requirepass) {
        cmds += resp::Writer::command({"AUTH", *disk_.server.requirepass});
    }
    cmds += resp::Writer::command({"PSUBSCRIBE", "*"});
    server_->receive(observer_, cmds);
    if (server::Session* s = server_->session(observer_)) {
        s->out.clear();  // the AUTH and PSUBSCRIBE confirmations
    }
}

void SentinelNode::drain_observer() {
    server::Session* s = server_->session(observer_);
    if (s == nullptr) {
        return;
    }
    observer_parser_.feed(s->out);
    s->out.clear();
    const bool lost = s->closed;
    resp::Value v;
    while (observer_parser_.next(v) == resp::ParseStatus::ok) {
        if (v.elements.size() == 4 && v.elements[0].str == "pmessage") {
            events_.push_back(
                EventRecord{queue_.now(), v.elements[2].str, v.elements[3].str, boots_ - 1});
            if (on_event) {
                on_event(*this, events_.back());
            }
        }
    }
    if (lost) {
        // Killed by CLIENT KILL TYPE pubsub or an output limit: subscribe again.
        server_->disconnect(observer_);
        open_observer();
    }
}

void SentinelNode::note(std::string line) {
    if (trace_on_) {
        trace_.push_back("[" + std::to_string(to_ms(queue_.now())) + "] " + line);
    }
}

}  // namespace sentinel::sim
