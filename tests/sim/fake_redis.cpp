// FakeRedis: connections, command dispatch, transactions and pub/sub.

#include "tests/sim/fake_redis.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "common/resp/writer.hpp"
#include "common/util/glob.hpp"
#include "sentinel/core/text.hpp"

namespace sentinel::sim {
namespace {

using core::iequals;
using core::to_lower;
using resp::Value;

struct CommandSpec {
    std::string_view name;
    int arity;  // Redis convention: positive = exact, negative = at least
};

// The commands modelled, with redis-server 7.0's arities.
constexpr std::array<CommandSpec, 25> kCommands = {{
    {"auth", -2},         {"client", -2},     {"config", -2},   {"discard", 1},
    {"echo", 2},          {"exec", 1},        {"info", -1},     {"multi", 1},
    {"ping", -1},         {"psubscribe", -2}, {"psync", -3},    {"publish", 3},
    {"punsubscribe", -1}, {"quit", -1},       {"replconf", -1}, {"replicaof", 3},
    {"reset", 1},         {"role", 1},        {"script", -2},   {"select", 2},
    {"slaveof", 3},       {"subscribe", -2},  {"sync", 1},      {"unsubscribe", -1},
    {"watch", -2},
}};

const CommandSpec* find_command(std::string_view name) {
    for (const auto& c : kCommands) {
        if (c.name == name) {
            return &c;
        }
    }
    return nullptr;
}

bool arity_ok(int arity, std::size_t argc) {
    return arity >= 0 ? argc == static_cast<std::size_t>(arity)
                      : argc >= static_cast<std::size_t>(-arity);
}

std::optional<long long> parse_ll(std::string_view s) {
    long long v = 0;
    const char* end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, v);
    if (s.empty() || ec != std::errc() || p != end) {
        return std::nullopt;
    }
    return v;
}

// "ERR unknown command 'x', with args beginning with: 'a' 'b' " as redis-server 7.0 builds it.
std::string unknown_command(const std::vector<std::string>& args) {
    std::string shown;
    for (std::size_t i = 1; i < args.size() && shown.size() < 128; ++i) {
        shown += "'" + args[i].substr(0, 128 - shown.size()) + "' ";
    }
    return "ERR unknown command '" + args[0].substr(0, 128) +
           "', with args beginning with: " + shown;
}

bool allowed_in_pubsub(std::string_view name) {
    return name == "subscribe" || name == "psubscribe" || name == "unsubscribe" ||
           name == "punsubscribe" || name == "ping" || name == "quit" || name == "reset";
}

}  // namespace

FakeRedis::FakeRedis(EventQueue& queue, Network& net, std::uint64_t seed, FakeRedisOptions options)
    : queue_(queue), net_(net), rng_(seed), options_(std::move(options)) {
    net_id_ =
        net_.attach(*this, "redis:" + std::to_string(options_.port), options_.ip, options_.port);
    master_host_ = options_.master_host;
    master_port_ = options_.master_port;
    slave_priority_ = options_.slave_priority;
    replica_announced_ = options_.replica_announced;
}

std::string FakeRedis::address() const {
    return options_.ip + ":" + std::to_string(options_.port);
}

std::size_t FakeRedis::connected_replicas() const {
    return static_cast<std::size_t>(std::count_if(
        clients_.begin(), clients_.end(), [](const auto& kv) { return kv.second.is_replica; }));
}

void FakeRedis::net_accepted(ConnId conn, const std::string& peer_addr) {
    if (!up_) {
        return;
    }
    Client c;
    c.peer_addr = peer_addr;
    c.authenticated = options_.requirepass.empty();
    c.parser.set_authenticated(c.authenticated);
    clients_.emplace(conn, std::move(c));
    ++connections_received_;
}

void FakeRedis::net_data(ConnId conn, const std::string& bytes) {
    if (!up_) {
        return;
    }
    if (link_.state != LinkState::none && conn == link_.conn) {
        on_master_data(bytes);
        return;
    }
    auto it = clients_.find(conn);
    if (it == clients_.end()) {
        return;
    }
    it->second.parser.feed(bytes);
    handle_input(conn);
}

void FakeRedis::net_closed(ConnId conn, const std::string&) {
    if (!up_) {
        return;
    }
    if (link_.state != LinkState::none && conn == link_.conn) {
        drop_master_link(link_.state == LinkState::connected);
        return;
    }
    clients_.erase(conn);
}

void FakeRedis::handle_input(ConnId conn) {
    Args args;
    for (;;) {
        auto it = clients_.find(conn);
        if (it == clients_.end() || it->second.kill || it->second.quit) {
            break;
        }
        Client& c = it->second;
        const auto status = c.parser.next(args);
        if (status == resp::ParseStatus::incomplete) {
            break;
        }
        if (status == resp::ParseStatus::error) {
            // As redis-server: report the protocol error, then close.
            reply(c, Value::error("ERR " + c.parser.error()));
            c.quit = true;
            break;
        }
        dispatch(conn, c, args);
        // AUTH changes the limits the parser applies to the next command.
        if (auto again = clients_.find(conn); again != clients_.end()) {
            again->second.parser.set_authenticated(again->second.authenticated);
        }
    }
    flush_clients();
}

void FakeRedis::dispatch(ConnId conn, Client& c, Args& args) {
    if (args.empty()) {
        return;
    }
    ++commands_processed_;
    if (records_.size() < kMaxRecords) {
        records_.push_back(CommandRecord{queue_.now(), conn, c.name, args});
    }
    const std::string name = to_lower(args[0]);
    const CommandSpec* spec = find_command(name);
    // Errors found before running a command also doom an open transaction (flagTransaction).
    auto reject = [&](std::string text) {
        if (c.in_multi) {
            c.multi_dirty = true;
        }
        reply(c, Value::error(text));
    };
    if (spec == nullptr) {
        reject(unknown_command(args));
        return;
    }
    if (!arity_ok(spec->arity, args.size())) {
        reject("ERR wrong number of arguments for '" + name + "' command");
        return;
    }
    if (!c.authenticated && name != "auth" && name != "quit") {
        reject("NOAUTH Authentication required.");
        return;
    }
    if (c.in_pubsub() && !allowed_in_pubsub(name)) {
        reject("ERR Can't execute '" + name +
               "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in "
               "this context");
        return;
    }
    const bool subscribe_family = name == "subscribe" || name == "psubscribe" ||
                                  name == "unsubscribe" || name == "punsubscribe";
    if (c.in_multi && name != "exec" && name != "discard" && name != "multi" && name != "quit" &&
        name != "reset") {
        if (subscribe_family || name == "watch") {
            reject("ERR Command not allowed inside a transaction");
            return;
        }
        c.queued.push_back(args);
        reply(c, Value::simple("QUEUED"));
        return;
    }
    if (name == "subscribe" || name == "psubscribe") {
        cmd_subscribe(c, args, name == "psubscribe");
    } else if (name == "unsubscribe" || name == "punsubscribe") {
        cmd_unsubscribe(c, args, name == "punsubscribe");
    } else if (name == "quit") {
        reply(c, Value::simple("OK"));
        c.quit = true;
    } else if (name == "multi") {
        if (c.in_multi) {
            reply(c, Value::error("ERR MULTI calls can not be nested"));
        } else {
            c.in_multi = true;
            c.multi_dirty = false;
            c.queued.clear();
            reply(c, Value::simple("OK"));
        }
    } else if (name == "exec") {
        if (!c.in_multi) {
            reply(c, Value::error("ERR EXEC without MULTI"));
            return;
        }
        const bool dirty = c.multi_dirty;
        std::vector<Args> queued;
        queued.swap(c.queued);
        c.in_multi = false;
        c.multi_dirty = false;
        if (dirty) {
            reply(c, Value::error("EXECABORT Transaction discarded because of previous errors."));
            return;
        }
        std::vector<Value> results;
        for (const auto& q : queued) {
            results.push_back(run(conn, c, q));
        }
        reply(c, Value::array(std::move(results)));
    } else if (name == "discard") {
        if (!c.in_multi) {
            reply(c, Value::error("ERR DISCARD without MULTI"));
            return;
        }
        c.in_multi = false;
        c.multi_dirty = false;
        c.queued.clear();
        reply(c, Value::simple("OK"));
    } else if (name == "reset") {
        c.in_multi = false;
        c.queued.clear();
        c.channels.clear();
        c.patterns.clear();
        c.name.clear();
        c.authenticated = options_.requirepass.empty();
        reply(c, Value::simple("RESET"));
    } else if (name == "replconf" && args.size() >= 2 && iequals(args[1], "ack")) {
        // Replicas' acknowledgements get no reply.
        cmd_replconf(c, args);
    } else {
        reply(c, run(conn, c, args));
    }
}

resp::Value FakeRedis::run(ConnId conn, Client& c, const Args& args) {
    const std::string name = to_lower(args[0]);
    if (name == "ping") {
        if (args.size() > 2) {
            return Value::error("ERR wrong number of arguments for 'ping' command");
        }
        if (c.in_pubsub()) {
            return Value::array(
                {Value::bulk("pong"), Value::bulk(args.size() == 2 ? args[1] : "")});
        }
        return args.size() == 2 ? Value::bulk(args[1]) : Value::simple("PONG");
    }
    if (name == "echo") {
        return Value::bulk(args[1]);
    }
    if (name == "select") {
        return Value::simple("OK");
    }
    if (name == "auth") {
        if (args.size() > 3) {
            return Value::error("ERR syntax error");
        }
        if (options_.requirepass.empty() && args.size() == 2) {
            return Value::error(
                "ERR AUTH <password> called without any password configured for the default "
                "user. Are you sure your configuration is correct?");
        }
        const bool user_ok = args.size() == 2 || args[1] == "default";
        if (!user_ok || args.back() != options_.requirepass) {
            return Value::error("WRONGPASS invalid username-password pair or user is disabled.");
        }
        c.authenticated = true;
        return Value::simple("OK");
    }
    if (name == "client") {
        return cmd_client(conn, c, args);
    }
    if (name == "info") {
        return Value::bulk(info(args.size() > 1 ? args[1] : ""));
    }
    if (name == "role") {
        return role();
    }
    if (name == "publish") {
        return Value::integer_value(publish(args[1], args[2]));
    }
    if (name == "slaveof" || name == "replicaof") {
        return cmd_replicaof(args);
    }
    if (name == "config") {
        return cmd_config(args);
    }
    if (name == "script") {
        if (iequals(args[1], "kill")) {
            return Value::error("NOTBUSY No scripts in execution right now.");
        }
        return Value::error("ERR unknown subcommand '" + args[1] + "'. Try SCRIPT HELP.");
    }
    if (name == "replconf") {
        return cmd_replconf(c, args);
    }
    if (name == "psync" || name == "sync") {
        return cmd_psync(c);
    }
    // Reached only for commands that make no sense inside EXEC (MULTI/EXEC handled earlier).
    return Value::error("ERR Command not allowed inside a transaction");
}

resp::Value FakeRedis::cmd_client(ConnId conn, Client& c, const Args& args) {
    const std::string sub = to_lower(args[1]);
    if (sub == "setname" && args.size() == 3) {
        const bool valid = std::all_of(args[2].begin(), args[2].end(),
                                       [](char ch) { return ch >= '!' && ch <= '~'; });
        if (!valid) {
            return Value::error(
                "ERR Client names cannot contain spaces, newlines or special characters.");
        }
        c.name = args[2];
        return Value::simple("OK");
    }
    if (sub == "getname" && args.size() == 2) {
        return c.name.empty() ? Value::nil() : Value::bulk(c.name);
    }
    if (sub == "id" && args.size() == 2) {
        return Value::integer_value(static_cast<std::int64_t>(conn));
    }
    if (sub == "list") {
        std::string text;
        for (const auto& [id, other] : clients_) {
            text += client_list_line(id, other);
        }
        return Value::bulk(text);
    }
    if (sub == "kill") {
        if (args.size() == 3) {
            // Old form: CLIENT KILL ip:port.
            for (auto& [id, other] : clients_) {
                if (other.peer_addr == args[2]) {
                    (id == conn ? other.quit : other.kill) = true;
                    return Value::simple("OK");
                }
            }
            return Value::error("ERR No such client");
        }
        std::string type, addr;
        std::uint64_t id_filter = 0;
        bool skipme = true;
        for (std::size_t i = 2; i < args.size(); i += 2) {
            if (i + 1 >= args.size()) {
                return Value::error("ERR syntax error");
            }
            const std::string opt = to_lower(args[i]);
            const std::string val = to_lower(args[i + 1]);
            if (opt == "type") {
                if (val != "normal" && val != "pubsub" && val != "replica" && val != "slave" &&
                    val != "master") {
                    return Value::error("ERR Unknown client type '" + args[i + 1] + "'");
                }
                type = val == "slave" ? "replica" : val;
            } else if (opt == "addr") {
                addr = args[i + 1];
            } else if (opt == "id") {
                const auto v = parse_ll(args[i + 1]);
                if (!v || *v <= 0) {
                    return Value::error("ERR client-id should be greater than 0");
                }
                id_filter = static_cast<std::uint64_t>(*v);
            } else if (opt == "skipme") {
                if (val != "yes" && val != "no") {
                    return Value::error("ERR syntax error");
                }
                skipme = val == "yes";
            } else {
                return Value::error("ERR syntax error");
            }
        }
        std::int64_t killed = 0;
        if (type == "master") {
            // Only the link to our own master has that type.
            if (link_.state != LinkState::none && addr.empty() && id_filter == 0) {
                drop_master_link(link_.state == LinkState::connected);
                ++killed;
            }
            return Value::integer_value(killed);
        }
        for (auto& [id, other] : clients_) {
            if ((skipme && id == conn) || (!type.empty() && client_type(other) != type) ||
                (!addr.empty() && other.peer_addr != addr) || (id_filter != 0 && id != id_filter)) {
                continue;
            }
            // As freeClientAsync: the victims go once the current command is done; the caller
            // itself still gets its reply first.
            (id == conn ? other.quit : other.kill) = true;
            ++killed;
        }
        return Value::integer_value(killed);
    }
    return Value::error("ERR unknown subcommand or wrong number of arguments for '" + args[1] +
                        "'. Try CLIENT HELP.");
}

resp::Value FakeRedis::cmd_config(const Args& args) {
    const std::string sub = to_lower(args[1]);
    if (sub == "rewrite" && args.size() == 2) {
        ++config_rewrites_;
        return Value::simple("OK");
    }
    if (sub == "get" && args.size() >= 3) {
        const std::vector<std::pair<std::string, std::string>> params = {
            {"replica-announced", replica_announced_ ? "yes" : "no"},
            {"replica-priority", std::to_string(slave_priority_)},
            {"slave-priority", std::to_string(slave_priority_)},
            {"replicaof", is_master() ? "" : master_host_ + " " + std::to_string(master_port_)},
        };
        std::vector<Value> out;
        for (std::size_t i = 2; i < args.size(); ++i) {
            for (const auto& [k, v] : params) {
                if (glob_match(args[i], k, true)) {
                    out.push_back(Value::bulk(k));
                    out.push_back(Value::bulk(v));
                }
            }
        }
        return Value::array(std::move(out));
    }
    if (sub == "set" && args.size() == 4) {
        const std::string param = to_lower(args[2]);
        if (param == "replica-priority" || param == "slave-priority") {
            const auto v = parse_ll(args[3]);
            if (!v || *v < 0 || *v > 2147483647) {
                return Value::error("ERR CONFIG SET failed (possibly related to argument '" +
                                    args[2] + "') - argument couldn't be parsed into an integer");
            }
            slave_priority_ = static_cast<int>(*v);
            return Value::simple("OK");
        }
        if (param == "replica-announced") {
            replica_announced_ = iequals(args[3], "yes");
            return Value::simple("OK");
        }
        return Value::error("ERR Unknown option or number of arguments for CONFIG SET - '" +
                            args[2] + "'");
    }
    return Value::error("ERR unknown subcommand or wrong number of arguments for '" + args[1] +
                        "'. Try CONFIG HELP.");
}

resp::Value FakeRedis::cmd_replicaof(const Args& args) {
    if (iequals(args[1], "no") && iequals(args[2], "one")) {
        if (!is_master()) {
            become_master();
        }
        return Value::simple("OK");
    }
    const auto port = parse_ll(args[2]);
    if (!port) {
        return Value::error("ERR value is not an integer or out of range");
    }
    if (!is_master() && master_host_ == args[1] && master_port_ == *port) {
        return Value::simple("OK Already connected to specified master");
    }
    become_replica_of(args[1], static_cast<int>(*port));
    return Value::simple("OK");
}

resp::Value FakeRedis::cmd_replconf(Client& c, const Args& args) {
    if (args.size() >= 3 && iequals(args[1], "listening-port")) {
        c.replica_port = static_cast<int>(parse_ll(args[2]).value_or(0));
    } else if (args.size() >= 3 && iequals(args[1], "ack")) {
        c.ack_offset = static_cast<std::uint64_t>(parse_ll(args[2]).value_or(0));
        c.last_ack = queue_.now();
    }
    return Value::simple("OK");
}

resp::Value FakeRedis::cmd_psync(Client& c) {
    // A full resync that completes at once: the replica adopts our offset.
    c.is_replica = true;
    c.ack_offset = offset_;
    c.last_ack = queue_.now();
    return Value::simple("FULLRESYNC " + replid_ + " " + std::to_string(offset_));
}

void FakeRedis::cmd_subscribe(Client& c, const Args& args, bool pattern) {
    for (std::size_t i = 1; i < args.size(); ++i) {
        (pattern ? c.patterns : c.channels).insert(args[i]);
        const auto count = static_cast<std::int64_t>(c.channels.size() + c.patterns.size());
        reply(c, Value::array({Value::bulk(pattern ? "psubscribe" : "subscribe"),
                               Value::bulk(args[i]), Value::integer_value(count)}));
    }
}

void FakeRedis::cmd_unsubscribe(Client& c, const Args& args, bool pattern) {
    auto& set = pattern ? c.patterns : c.channels;
    const char* kind = pattern ? "punsubscribe" : "unsubscribe";
    std::vector<std::string> targets(args.begin() + 1, args.end());
    if (targets.empty()) {
        targets.assign(set.begin(), set.end());
        if (targets.empty()) {
            const auto count = static_cast<std::int64_t>(c.channels.size() + c.patterns.size());
            reply(c, Value::array({Value::bulk(kind), Value::nil(), Value::integer_value(count)}));
            return;
        }
    }
    for (const auto& t : targets) {
        set.erase(t);
        const auto count = static_cast<std::int64_t>(c.channels.size() + c.patterns.size());
        reply(c, Value::array({Value::bulk(kind), Value::bulk(t), Value::integer_value(count)}));
    }
}

std::int64_t FakeRedis::publish(const std::string& channel, const std::string& message) {
    std::int64_t receivers = 0;
    for (auto& [id, c] : clients_) {
        if (c.kill) {
            continue;
        }
        if (c.channels.count(channel) != 0) {
            reply(c, Value::array(
                         {Value::bulk("message"), Value::bulk(channel), Value::bulk(message)}));
            ++receivers;
        }
        for (const auto& p : c.patterns) {
            if (glob_match(p, channel)) {
                reply(c, Value::array({Value::bulk("pmessage"), Value::bulk(p),
                                       Value::bulk(channel), Value::bulk(message)}));
                ++receivers;
            }
        }
    }
    return receivers;
}

void FakeRedis::reply(Client& c, const resp::Value& v) {
    resp::Writer w(c.out, 2);
    w.value(v);
}

void FakeRedis::flush_clients() {
    std::vector<ConnId> closing;
    for (auto& [id, c] : clients_) {
        if (c.kill) {
            c.out.clear();  // a killed client's pending replies are discarded, as Redis does
        }
        if (!c.out.empty()) {
            net_.send(id, net_id_, std::move(c.out));
            c.out.clear();
        }
        if (c.kill || c.quit) {
            closing.push_back(id);
        }
    }
    for (const ConnId id : closing) {
        clients_.erase(id);
        net_.close(id, net_id_);
    }
}

std::string FakeRedis::client_type(const Client& c) {
    if (c.is_replica) {
        return "replica";
    }
    return c.in_pubsub() ? "pubsub" : "normal";
}

std::string FakeRedis::client_list_line(ConnId conn, const Client& c) const {
    const std::string type = client_type(c);
    const char* flags = type == "replica" ? "S" : type == "pubsub" ? "P" : "N";
    return "id=" + std::to_string(conn) + " addr=" + c.peer_addr + " laddr=" + address() +
           " fd=8 name=" + c.name + " age=0 idle=0 flags=" + flags +
           " db=0 sub=" + std::to_string(c.channels.size()) +
           " psub=" + std::to_string(c.patterns.size()) +
           " ssub=0 multi=" + (c.in_multi ? std::to_string(c.queued.size()) : std::string("-1")) +
           " qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 "
           "tot-mem=0 events=r cmd=NULL user=default redir=-1 resp=2\n";
}

}  // namespace sentinel::sim
