#include "sentinel/server/server.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "common/resp/writer.hpp"
#include "common/util/glob.hpp"
#include "sentinel/core/text.hpp"
#include "sentinel/core/wire.hpp"
#include "sentinel/server/ascii.hpp"
#include "sentinel/server/command_table.hpp"

namespace sentinel::server {
namespace {

using core::iequals;
using core::to_lower;

using resp::Value;

std::optional<long long> parse_ll(std::string_view s) {
    long long v = 0;
    const auto* end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, v);
    if (ec != std::errc() || p != end || s.empty()) {
        return std::nullopt;
    }
    return v;
}

// The commands a sentinel serves, with Redis's arities (positive = exact, negative = minimum).
struct Spec {
    std::string_view name;
    int arity;
    bool allowed_unauthenticated;  // AUTH and HELLO may run before authentication
    bool allowed_in_pubsub;        // RESP2 clients in subscribed state may run these only
};
constexpr std::array<Spec, 15> kCommands = {{
    {"acl", -2, false, false},
    {"auth", -2, true, false},
    {"client", -2, false, false},
    {"command", -1, false, false},
    {"hello", -1, true, false},
    {"info", -1, false, false},
    {"ping", -1, false, true},
    {"psubscribe", -2, false, true},
    {"publish", 3, false, false},
    {"punsubscribe", -1, false, true},
    {"role", 1, false, false},
    {"sentinel", -2, false, false},
    {"shutdown", -1, false, false},
    {"subscribe", -2, false, true},
    {"unsubscribe", -1, false, true},
}};

const Spec* find_spec(std::string_view canonical) {
    for (const auto& s : kCommands) {
        if (s.name == canonical) {
            return &s;
        }
    }
    return nullptr;
}

// The spec of the command a client named, in any case, or nullptr if it is not served.
const Spec* lookup(const std::vector<std::pair<std::string, std::size_t>>& served,
                   std::string_view name) {
    for (const auto& [served_name, index] : served) {
        if (equals_lower(name, served_name)) {
            return &kCommands[index];
        }
    }
    return nullptr;
}

bool arity_ok(int arity, std::size_t argc) {
    return arity >= 0 ? argc == static_cast<std::size_t>(arity)
                      : argc >= static_cast<std::size_t>(-arity);
}

// Redis keeps error replies on one line.
std::string one_line(std::string_view s) {
    std::string out(s);
    std::replace(out.begin(), out.end(), '\r', ' ');
    std::replace(out.begin(), out.end(), '\n', ' ');
    return out;
}

constexpr std::string_view kProtectedModeError =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from the "
    "loopback interface. If you want to connect from external computers to Redis you may adopt "
    "one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG "
    "SET protected-mode no' from the loopback interface by connecting to Redis from the same "
    "host the server is running, however MAKE SURE Redis is not publicly accessible from "
    "internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively "
    "you can just disable the protected mode by editing the Redis configuration file, and "
    "setting the protected mode option to 'no', and then restarting the server. 3) If you "
    "started the server manually just for testing, restart it with the '--protected-mode no' "
    "option. 4) Set up an authentication password for the default user. NOTE: You only need to "
    "do one of the above things in order for the server to start accepting connections from the "
    "outside.\r\n";

}  // namespace

Server::Server(core::Sentinel& sentinel, const config::ServerConfig& cfg, Host& host,
               core::Logger& log)
    : sentinel_(sentinel), cfg_(cfg), host_(host), log_(log) {
    if (cfg_.requirepass) {
        acl_.set_requirepass(*cfg_.requirepass);
    }
    for (const auto& rules : cfg_.users) {
        if (rules.empty()) {
            continue;
        }
        // As Redis loads `user` lines: from a reset user, so a saved `user default ...` line
        // replaces what requirepass set (an old password must not keep working) and "~*"
        // patterns are not stacked on the built-in default user's.
        std::vector<std::string> tail{"reset"};
        tail.insert(tail.end(), rules.begin() + 1, rules.end());
        if (auto err = acl_.set_user(rules[0], tail)) {
            log_.log(LogLevel::warning, "Error in user directive: " + *err);
        }
    }
    for (const auto& spec : kCommands) {
        names_[std::string(spec.name)] = std::string(spec.name);
    }
    // rename-command: the old name stops working; an empty new name disables the command.
    for (const auto& [from, to] : cfg_.rename_commands) {
        const std::string canonical = to_lower(from);
        if (names_.erase(canonical) > 0 && !to.empty()) {
            names_[to_lower(to)] = canonical;
        }
    }
    for (const auto& [name, canonical] : names_) {
        if (const Spec* spec = find_spec(canonical)) {
            served_.emplace_back(name, static_cast<std::size_t>(spec - kCommands.data()));
        }
    }
}

std::uint64_t Server::connect(const ClientAddress& address) {
    auto s = std::make_unique<Session>();
    s->id = next_id_++;
    s->address = address;
    s->created = s->last_interaction = host_.now().mono;
    s->authenticated = acl_.default_is_nopass();
    s->parser.set_authenticated(s->authenticated);
    ++stats_.connections_received;
    const std::uint64_t id = s->id;
    Session& ref = *s;
    sessions_.emplace(id, std::move(s));
    if (sessions_.size() > static_cast<std::size_t>(cfg_.maxclients)) {
        ref.out = "-ERR max number of clients reached\r\n";
        ref.close_after_write = true;
        ++stats_.rejected_connections;
    } else if (cfg_.protected_mode && !address.loopback && acl_.default_is_nopass()) {
        ref.out = std::string(kProtectedModeError);
        ref.close_after_write = true;
        ++stats_.rejected_connections;
    }
    if (!ref.out.empty()) {
        mark_dirty(ref);
    }
    return id;
}

void Server::disconnect(std::uint64_t id) {
    sessions_.erase(id);
}

Session* Server::session(std::uint64_t id) {
    auto it = sessions_.find(id);
    return it == sessions_.end() ? nullptr : it->second.get();
}

std::vector<std::uint64_t> Server::take_dirty() {
    std::vector<std::uint64_t> out;
    take_dirty(out);
    return out;
}

void Server::take_dirty(std::vector<std::uint64_t>& ids) {
    // Swapping keeps both vectors' capacity, so steady traffic allocates nothing here.
    if (ids.empty()) {
        ids.swap(dirty_);
    } else {
        ids.insert(ids.end(), dirty_.begin(), dirty_.end());
        dirty_.clear();
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
}

void Server::mark_dirty(Session& s) {
    // Pipelined replies mark the same session again and again.
    if (dirty_.empty() || dirty_.back() != s.id) {
        dirty_.push_back(s.id);
    }
    const std::size_t limit = s.in_pubsub() ? kPubsubOutputLimit : kNormalOutputLimit;
    if (s.out.size() > limit && !s.closed) {
        // As client-output-buffer-limit: a client that does not read is disconnected rather
        // than allowed to grow our memory without bound.
        log_.log(LogLevel::warning, "Client id=" + std::to_string(s.id) +
                                        " addr=" + s.address.addr +
                                        " scheduled to be closed ASAP for overcoming of output "
                                        "buffer limits.");
        s.closed = true;
    }
}

void Server::receive(std::uint64_t id, std::string_view bytes) {
    Session* s = session(id);
    if (s == nullptr || s->closed || s->close_after_write) {
        return;
    }
    stats_.net_input_bytes += bytes.size();
    ++stats_.reads_processed;
    // One clock reading for every command in this read, as Redis caches its time per call.
    now_ = host_.now();
    s->parser.feed(bytes);
    // A member, so the parser can reuse the previous command's argument strings.
    Args& args = args_;
    while (!s->closed && !s->close_after_write) {
        const auto status = s->parser.next(args);
        if (status == resp::ParseStatus::incomplete) {
            if (s->parser.buffered() > kQueryBufferLimit) {
                log_.log(LogLevel::warning, "Closing client that reached max query buffer length");
                s->closed = true;
                mark_dirty(*s);
            }
            break;
        }
        if (status == resp::ParseStatus::error) {
            // As redis-server: reply with the protocol error, then close the connection.
            log_.log(LogLevel::verbose, "Protocol error (" + s->parser.error() +
                                            ") from client: addr=" + s->address.addr);
            reply_error(*s, "ERR " + s->parser.error());
            s->close_after_write = true;
            mark_dirty(*s);
            break;
        }
        execute(*s, args);
        s->parser.set_authenticated(s->authenticated);
    }
    if (!args.empty()) {
        // Ended by a close: the last command's arguments go now, not at some later read.
        Args().swap(args);
    }
}

void Server::reply(Session& s, const Value& v) {
    if (s.reply_mode == ReplyMode::off || s.reply_mode == ReplyMode::skip_this) {
        return;
    }
    if (v.is_error()) {
        ++stats_.error_replies;
    }
    resp::Writer w(s.out, s.protocol);
    w.value(v);
    mark_dirty(s);
}

void Server::reply_error(Session& s, std::string_view text) {
    reply(s, Value::error(one_line(text)));
}

void Server::execute(Session& s, Args& args) {
    if (args.empty()) {
        return;
    }
    ++stats_.commands_processed;
    s.last_interaction = now_.mono;
    // CLIENT REPLY SKIP suppresses exactly the next command's reply.
    if (s.reply_mode == ReplyMode::skip_next) {
        s.reply_mode = ReplyMode::skip_this;
    } else if (s.reply_mode == ReplyMode::skip_this) {
        s.reply_mode = ReplyMode::on;
    }

    const Spec* spec = lookup(served_, args[0]);
    if (spec == nullptr) {
        std::string shown;
        for (std::size_t i = 1; i < args.size() && shown.size() < 128; ++i) {
            shown += "'" + args[i].substr(0, 128 - shown.size()) + "' ";
        }
        reply_error(s, "ERR unknown command '" + args[0].substr(0, 128) +
                           "', with args beginning with: " + shown);
        return;
    }
    const std::string_view canonical = spec->name;
    s.last_command.assign(canonical);
    if (!arity_ok(spec->arity, args.size())) {
        reply_error(s, "ERR wrong number of arguments for '" + s.last_command + "' command");
        return;
    }
    const bool container = canonical == "sentinel" || canonical == "client" || canonical == "acl" ||
                           canonical == "command";
    // Reused across commands: a subcommand name is often too long for the small-string buffer.
    std::string& sub = sub_;
    sub.clear();
    if (container && args.size() > 1) {
        assign_lower(sub, args[1]);
    }
    if (!sub.empty()) {
        s.last_command.append("|").append(sub);
    }
    if (!s.authenticated && !spec->allowed_unauthenticated) {
        reply_error(s, wire::kErrNoAuth);
        return;
    }
    if (s.authenticated && !spec->allowed_unauthenticated &&
        !acl_.can_run(s.user, canonical, sub)) {
        reply_error(
            s, "NOPERM this user has no permissions to run the '" + s.last_command + "' command");
        return;
    }
    if (s.protocol == 2 && s.in_pubsub() && !spec->allowed_in_pubsub) {
        reply_error(s, "ERR Can't execute '" + s.last_command +
                           "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are "
                           "allowed in this context");
        return;
    }

    if (canonical == "ping") {
        cmd_ping(s, args);
    } else if (canonical == "info") {
        cmd_info(s, args);
    } else if (canonical == "role") {
        cmd_role(s, args);
    } else if (canonical == "hello") {
        cmd_hello(s, args);
    } else if (canonical == "auth") {
        cmd_auth(s, args);
    } else if (canonical == "client") {
        cmd_client(s, args);
    } else if (canonical == "command") {
        cmd_command(s, args);
    } else if (canonical == "acl") {
        cmd_acl(s, args);
    } else if (canonical == "shutdown") {
        cmd_shutdown(s, args);
    } else if (canonical == "subscribe" || canonical == "psubscribe") {
        cmd_subscribe(s, args, canonical == "psubscribe");
    } else if (canonical == "unsubscribe" || canonical == "punsubscribe") {
        cmd_unsubscribe(s, args, canonical == "punsubscribe");
    } else if (canonical == "publish") {
        cmd_publish(s, args);
    } else if (canonical == "sentinel") {
        cmd_sentinel(s, args);
    }
}

void Server::cmd_ping(Session& s, const Args& a) {
    if (a.size() > 2) {
        reply_error(s, "ERR wrong number of arguments for 'ping' command");
        return;
    }
    if (s.protocol == 2 && s.in_pubsub()) {
        // A subscribed RESP2 client gets PING as a pub/sub-shaped array.
        reply(s, Value::array({Value::bulk("pong"), Value::bulk(a.size() == 2 ? a[1] : "")}));
        return;
    }
    reply(s, a.size() == 2 ? Value::bulk(a[1]) : Value::simple("PONG"));
}

void Server::cmd_role(Session& s, const Args&) {
    std::vector<Value> names;
    for (const auto& n : sentinel_.master_names()) {
        names.push_back(Value::bulk(n));
    }
    reply(s, Value::array({Value::bulk("sentinel"), Value::array(std::move(names))}));
}

void Server::cmd_hello(Session& s, const Args& a) {
    int proto = s.protocol;
    std::size_t i = 1;
    if (a.size() >= 2) {
        const auto v = parse_ll(a[1]);
        if (!v) {
            reply_error(s, "ERR Protocol version is not an integer or out of range");
            return;
        }
        if (*v < 2 || *v > 3) {
            reply_error(s, "NOPROTO unsupported protocol version");
            return;
        }
        proto = static_cast<int>(*v);
        i = 2;
    }
    std::string user, pass, name;
    bool has_auth = false, has_name = false;
    for (; i < a.size(); ++i) {
        const bool more = i + 1 < a.size();
        if (iequals(a[i], "auth") && i + 2 < a.size()) {
            user = a[i + 1];
            pass = a[i + 2];
            has_auth = true;
            i += 2;
        } else if (iequals(a[i], "setname") && more) {
            name = a[i + 1];
            has_name = true;
            ++i;
        } else {
            reply_error(s, "ERR Syntax error in HELLO option '" + a[i] + "'");
            return;
        }
    }
    if (has_auth) {
        if (!acl_.authenticate(user, pass)) {
            reply_error(s, wire::kErrWrongPass);
            return;
        }
        s.user = user;
        s.authenticated = true;
    }
    if (!s.authenticated) {
        reply_error(s,
                    "NOAUTH HELLO must be called with the client already authenticated, otherwise "
                    "the HELLO AUTH <user> <pass> option can be used to authenticate the "
                    "client and select the RESP protocol version at the same time");
        return;
    }
    if (has_name) {
        const bool valid =
            std::all_of(name.begin(), name.end(), [](char c) { return c >= '!' && c <= '~'; });
        if (!valid) {
            reply_error(s,
                        "ERR Client names cannot contain spaces, newlines or special "
                        "characters.");
            return;
        }
        s.name = name;
    }
    s.protocol = proto;
    reply(s, Value::map({Value::bulk("server"), Value::bulk("redis"), Value::bulk("version"),
                         Value::bulk(config::kRedisCompatVersion), Value::bulk("proto"),
                         Value::integer_value(proto), Value::bulk("id"),
                         Value::integer_value(static_cast<std::int64_t>(s.id)), Value::bulk("mode"),
                         Value::bulk("sentinel"), Value::bulk("modules"), Value::array()}));
}

void Server::cmd_auth(Session& s, const Args& a) {
    if (a.size() > 3) {
        reply_error(s, wire::kErrSyntax);
        return;
    }
    if (a.size() == 2 && acl_.default_is_nopass()) {
        reply_error(s, wire::kErrAuthNoPassword);
        return;
    }
    const std::string user = a.size() == 3 ? a[1] : "default";
    const std::string& pass = a.back();
    if (!acl_.authenticate(user, pass)) {
        log_.log(LogLevel::verbose, "Authentication failed for user " + user);
        reply_error(s, wire::kErrWrongPass);
        return;
    }
    s.user = user;
    s.authenticated = true;
    reply(s, Value::simple("OK"));
}

void Server::cmd_command(Session& s, const Args& a) {
    reply(s, command_command(a));
}

void Server::cmd_acl(Session& s, const Args& a) {
    const std::string sub = to_lower(a[1]);
    if (sub == "whoami" && a.size() == 2) {
        reply(s, Value::bulk(s.user));
    } else if (sub == "list" && a.size() == 2) {
        std::vector<Value> lines;
        for (const auto& l : acl_.describe_all()) {
            lines.push_back(Value::bulk(l));
        }
        reply(s, Value::array(std::move(lines)));
    } else if (sub == "users" && a.size() == 2) {
        std::vector<Value> names;
        for (const auto& n : acl_.user_names()) {
            names.push_back(Value::bulk(n));
        }
        reply(s, Value::array(std::move(names)));
    } else if (sub == "setuser" && a.size() >= 3) {
        if (auto err = acl_.set_user(a[2], Args(a.begin() + 3, a.end()))) {
            reply_error(s, *err);
        } else {
            reply(s, Value::simple("OK"));
        }
    } else if (sub == "deluser" && a.size() >= 3) {
        const Args names(a.begin() + 2, a.end());
        if (std::find(names.begin(), names.end(), "default") != names.end()) {
            reply_error(s, "ERR The 'default' user cannot be removed");
            return;
        }
        const int removed = acl_.delete_users(names);
        // Connections authenticated as a removed user are closed, as Redis does.
        for (auto& [id, other] : sessions_) {
            if (!acl_.exists(other->user)) {
                other->closed = true;
                mark_dirty(*other);
            }
        }
        reply(s, Value::integer_value(removed));
    } else if (sub == "getuser" && a.size() == 3) {
        auto v = acl_.getuser(a[2]);
        reply(s, v ? *v : Value::nil());
    } else if ((sub == "whoami" || sub == "list" || sub == "users" || sub == "getuser" ||
                sub == "setuser" || sub == "deluser")) {
        reply_error(s, "ERR wrong number of arguments for 'acl|" + sub + "' command");
    } else {
        reply_error(s, "ERR unknown subcommand '" + a[1] + "'. Try ACL HELP.");
    }
}

void Server::cmd_shutdown(Session& s, const Args& a) {
    for (std::size_t i = 1; i < a.size(); ++i) {
        const std::string opt = to_lower(a[i]);
        if (opt == "abort") {
            reply_error(s, "ERR No shutdown in progress.");
            return;
        }
        if (opt != "nosave" && opt != "save" && opt != "now" && opt != "force") {
            reply_error(s, wire::kErrSyntax);
            return;
        }
    }
    // A sentinel never saves on shutdown (its state is written on every change).
    log_.log(LogLevel::warning, "User requested shutdown...");
    s.closed = true;
    mark_dirty(s);
    host_.shutdown();
}

void Server::cmd_subscribe(Session& s, const Args& a, bool pattern) {
    for (std::size_t i = 1; i < a.size(); ++i) {
        (pattern ? s.patterns : s.channels).insert(a[i]);
        const auto count = static_cast<std::int64_t>(s.channels.size() + s.patterns.size());
        reply(s, Value::push({Value::bulk(pattern ? "psubscribe" : "subscribe"), Value::bulk(a[i]),
                              Value::integer_value(count)}));
    }
}

void Server::cmd_unsubscribe(Session& s, const Args& a, bool pattern) {
    auto& set = pattern ? s.patterns : s.channels;
    const char* kind = pattern ? "punsubscribe" : "unsubscribe";
    std::vector<std::string> targets(a.begin() + 1, a.end());
    if (targets.empty()) {
        targets.assign(set.begin(), set.end());
        if (targets.empty()) {
            reply(s, Value::push({Value::bulk(kind), Value::nil(),
                                  Value::integer_value(static_cast<std::int64_t>(
                                      s.channels.size() + s.patterns.size()))}));
            return;
        }
    }
    for (const auto& t : targets) {
        set.erase(t);
        const auto count = static_cast<std::int64_t>(s.channels.size() + s.patterns.size());
        reply(s, Value::push({Value::bulk(kind), Value::bulk(t), Value::integer_value(count)}));
    }
}

void Server::cmd_publish(Session& s, const Args& a) {
    if (a[1] != wire::kHelloChannel) {
        reply_error(s, wire::kErrOnlyHello);
        return;
    }
    // Hellos published to us directly are processed by the core, never relayed to our own
    // subscribers (as sentinelPublishCommand).
    core::Outbox out;
    sentinel_.step(now_, core::HelloReceivedEvent{a[2]}, out);
    apply(out);
    reply(s, Value::integer_value(1));
}

void Server::cmd_sentinel(Session& s, const Args& a) {
    core::Outbox out;
    Value v = sentinel_.command(now_, a, out);
    if (!apply(out)) {
        v = Value::error(wire::kErrSaveFailed);
    }
    reply(s, v);
}

bool Server::apply(const core::Outbox& out) {
    bool ok = true;
    for (const auto& action : out.actions) {
        if (const auto* ev = std::get_if<core::EventAction>(&action)) {
            if (log_.enabled(ev->level)) {
                log_.log(ev->level, ev->type + " " + ev->text);
            }
            if (ev->level != LogLevel::debug) {
                publish(ev->type, ev->text);
            }
        } else if (const auto* p = std::get_if<core::PersistAction>(&action)) {
            if (p->deferrable && host_.defer_persist()) {
                continue;
            }
            if (!persist_now() && p->reply_depends) {
                ok = false;
            }
        } else if (const auto* sp = std::get_if<core::SpawnScriptAction>(&action)) {
            host_.spawn_script(sp->job_id, sp->argv);
        } else if (const auto* k = std::get_if<core::KillScriptAction>(&action)) {
            host_.kill_script(k->pid);
        } else if (const auto* ex = std::get_if<core::ExitAction>(&action)) {
            log_.log(LogLevel::warning, ex->message);
            host_.terminate(ex->code, ex->message);
        } else {
            host_.link_action(action);
        }
    }
    return ok;
}

bool Server::persist_now() {
    // The core's snapshot holds the users read at start; Redis's rewrite saves the ACL as it
    // is now (ACL SETUSER/DELUSER themselves do not rewrite the file).
    config::Config snapshot = sentinel_.snapshot();
    snapshot.server.users = acl_.config_users();
    return host_.persist(snapshot);
}

std::size_t Server::publish(std::string_view channel, std::string_view message) {
    std::size_t receivers = 0;
    for (auto& [id, s] : sessions_) {
        if (s->closed) {
            continue;
        }
        if (s->channels.count(std::string(channel)) != 0) {
            resp::Writer w(s->out, s->protocol);
            w.push_header(3);
            w.bulk("message");
            w.bulk(channel);
            w.bulk(message);
            mark_dirty(*s);
            ++receivers;
        }
        for (const auto& p : s->patterns) {
            if (glob_match(p, channel)) {
                resp::Writer w(s->out, s->protocol);
                w.push_header(4);
                w.bulk("pmessage");
                w.bulk(p);
                w.bulk(channel);
                w.bulk(message);
                mark_dirty(*s);
                ++receivers;
            }
        }
    }
    return receivers;
}

}  // namespace sentinel::server
