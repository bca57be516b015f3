// CLIENT: connection introspection and control.

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "sentinel/core/text.hpp"
#include "sentinel/server/server.hpp"

namespace sentinel::server {
namespace {

using core::iequals;
using core::to_lower;

using resp::Value;

struct ClientSub {
    std::string_view name;
    int arity;
};
constexpr std::array<ClientSub, 16> kClientSubs = {{
    {"caching", 3},
    {"getname", 2},
    {"getredir", 2},
    {"help", 2},
    {"id", 2},
    {"info", 2},
    {"kill", -3},
    {"list", -2},
    {"no-evict", 3},
    {"pause", -3},
    {"reply", 3},
    {"setname", 3},
    {"tracking", -3},
    {"trackinginfo", 2},
    {"unblock", -3},
    {"unpause", 2},
}};

constexpr std::array<std::string_view, 41> kClientHelp = {
    "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CACHING (YES|NO)",
    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
};

bool valid_client_type(std::string_view t) {
    return t == "normal" || t == "master" || t == "replica" || t == "slave" || t == "pubsub";
}

// Our clients are never masters or replicas; a client is "pubsub" while subscribed.
bool is_type(const Session& s, std::string_view t) {
    if (t == "pubsub") {
        return s.in_pubsub();
    }
    if (t == "normal") {
        return !s.in_pubsub();
    }
    return false;
}

}  // namespace

std::string Server::client_line(const Session& s) const {
    const Now now = host_.now();
    const auto age_s = (now.mono - s.created).count() / 1000;
    const auto idle_s = (now.mono - s.last_interaction).count() / 1000;
    std::string flags = s.in_pubsub() ? "P" : "N";
    if (s.close_after_write) {
        flags = "A";
    }
    const std::size_t qbuf = s.parser.buffered();
    return "id=" + std::to_string(s.id) + " addr=" + s.address.addr + " laddr=" + s.address.laddr +
           " fd=" + std::to_string(s.address.fd) + " name=" + s.name +
           " age=" + std::to_string(age_s) + " idle=" + std::to_string(idle_s) + " flags=" + flags +
           " db=0 sub=" + std::to_string(s.channels.size()) +
           " psub=" + std::to_string(s.patterns.size()) +
           " ssub=0 multi=-1 qbuf=" + std::to_string(qbuf) +
           " qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=" + std::to_string(s.out.size()) +
           " oll=0 omem=" + std::to_string(s.out.size()) +
           " tot-mem=" + std::to_string(s.out.size() + qbuf + sizeof(Session)) +
           " events=r cmd=" + s.last_command + " user=" + s.user +
           " redir=-1 resp=" + std::to_string(s.protocol);
}

std::int64_t Server::kill_clients(const Session& self, const Args& a, bool& ok, std::string& err) {
    std::uint64_t id = 0;
    std::string addr, laddr, type, user;
    bool skipme = true;
    for (std::size_t i = 2; i < a.size(); i += 2) {
        if (i + 1 >= a.size()) {
            err = "ERR syntax error";
            ok = false;
            return 0;
        }
        const std::string opt = to_lower(a[i]);
        const std::string& val = a[i + 1];
        if (opt == "id") {
            std::uint64_t v = 0;
            auto [p, ec] = std::from_chars(val.data(), val.data() + val.size(), v);
            if (ec != std::errc() || p != val.data() + val.size() || v == 0) {
                err = "ERR client-id should be greater than 0";
                ok = false;
                return 0;
            }
            id = v;
        } else if (opt == "addr") {
            addr = val;
        } else if (opt == "laddr") {
            laddr = val;
        } else if (opt == "type") {
            type = to_lower(val);
            if (!valid_client_type(type)) {
                err = "ERR Unknown client type '" + val + "'";
                ok = false;
                return 0;
            }
        } else if (opt == "user") {
            if (!acl_.exists(val)) {
                err = "ERR No such user '" + val + "'";
                ok = false;
                return 0;
            }
            user = val;
        } else if (opt == "skipme") {
            const std::string v = to_lower(val);
            if (v != "yes" && v != "no") {
                err = "ERR syntax error";
                ok = false;
                return 0;
            }
            skipme = v == "yes";
        } else {
            err = "ERR syntax error";
            ok = false;
            return 0;
        }
    }
    std::int64_t killed = 0;
    for (auto& [sid, s] : sessions_) {
        if ((id != 0 && s->id != id) || (!addr.empty() && s->address.addr != addr) ||
            (!laddr.empty() && s->address.laddr != laddr) ||
            (!type.empty() && !is_type(*s, type == "slave" ? "replica" : type)) ||
            (!user.empty() && s->user != user) || (skipme && s->id == self.id)) {
            continue;
        }
        // The caller's own connection is closed after its reply is written.
        if (s->id == self.id) {
            s->close_after_write = true;
        } else {
            s->closed = true;
        }
        mark_dirty(*s);
        ++killed;
    }
    ok = true;
    return killed;
}

void Server::cmd_client(Session& s, const Args& a) {
    const std::string sub = to_lower(a[1]);
    const auto it = std::find_if(kClientSubs.begin(), kClientSubs.end(),
                                 [&](const ClientSub& c) { return c.name == sub; });
    if (it == kClientSubs.end()) {
        reply_error(s, "ERR unknown subcommand '" + a[1] + "'. Try CLIENT HELP.");
        return;
    }
    const bool arity_ok = it->arity >= 0 ? a.size() == static_cast<std::size_t>(it->arity)
                                         : a.size() >= static_cast<std::size_t>(-it->arity);
    if (!arity_ok) {
        reply_error(s, "ERR wrong number of arguments for 'client|" + sub + "' command");
        return;
    }
    if (sub == "id") {
        reply(s, Value::integer_value(static_cast<std::int64_t>(s.id)));
    } else if (sub == "getname") {
        reply(s, s.name.empty() ? Value::nil() : Value::bulk(s.name));
    } else if (sub == "setname") {
        const std::string& name = a[2];
        const bool valid =
            std::all_of(name.begin(), name.end(), [](char c) { return c >= '!' && c <= '~'; });
        if (!valid) {
            reply_error(s,
                        "ERR Client names cannot contain spaces, newlines or special characters.");
            return;
        }
        s.name = name;
        reply(s, Value::simple("OK"));
    } else if (sub == "info") {
        reply(s, Value::verbatim_text("txt", client_line(s) + "\n"));
    } else if (sub == "list") {
        std::string type;
        if (a.size() == 4 && to_lower(a[2]) == "type") {
            type = to_lower(a[3]);
            if (!valid_client_type(type)) {
                reply_error(s, "ERR Unknown client type '" + a[3] + "'");
                return;
            }
        } else if (a.size() > 2 && to_lower(a[2]) == "id") {
            type = "";
        } else if (a.size() != 2) {
            reply_error(s, "ERR syntax error");
            return;
        }
        std::string text;
        for (const auto& [id, other] : sessions_) {
            if (a.size() > 2 && to_lower(a[2]) == "id") {
                bool listed = false;
                for (std::size_t i = 3; i < a.size(); ++i) {
                    listed |= a[i] == std::to_string(id);
                }
                if (!listed) {
                    continue;
                }
            }
            if (!type.empty() && !is_type(*other, type == "slave" ? "replica" : type)) {
                continue;
            }
            text += client_line(*other) + "\n";
        }
        reply(s, Value::verbatim_text("txt", text));
    } else if (sub == "kill") {
        if (a.size() == 3) {
            // Old form: CLIENT KILL ip:port.
            for (auto& [id, other] : sessions_) {
                if (other->address.addr == a[2]) {
                    if (other->id == s.id) {
                        other->close_after_write = true;
                    } else {
                        other->closed = true;
                    }
                    mark_dirty(*other);
                    reply(s, Value::simple("OK"));
                    return;
                }
            }
            reply_error(s, "ERR No such client");
            return;
        }
        bool ok = false;
        std::string err;
        const std::int64_t killed = kill_clients(s, a, ok, err);
        if (!ok) {
            reply_error(s, err);
            return;
        }
        reply(s, Value::integer_value(killed));
    } else if (sub == "reply") {
        const std::string mode = to_lower(a[2]);
        if (mode == "on") {
            s.reply_mode = ReplyMode::on;
            reply(s, Value::simple("OK"));
        } else if (mode == "off") {
            s.reply_mode = ReplyMode::off;
        } else if (mode == "skip") {
            s.reply_mode = ReplyMode::skip_next;
        } else {
            reply_error(s, "ERR syntax error");
        }
    } else if (sub == "help") {
        std::vector<Value> lines;
        for (auto l : kClientHelp) {
            lines.push_back(Value::simple(l));
        }
        lines.push_back(Value::simple("    Control server assisted client side caching."));
        lines.push_back(Value::simple("TRACKINGINFO"));
        lines.push_back(Value::simple("    Report tracking status for the current connection."));
        lines.push_back(Value::simple("NO-EVICT (ON|OFF)"));
        lines.push_back(Value::simple("    Protect current client connection from eviction."));
        lines.push_back(Value::simple("HELP"));
        lines.push_back(Value::simple("    Prints this help."));
        reply(s, Value::array(std::move(lines)));
    } else if (sub == "getredir") {
        reply(s, Value::integer_value(-1));
    } else if (sub == "no-evict") {
        const std::string v = to_lower(a[2]);
        if (v == "on" || v == "off") {
            reply(s, Value::simple("OK"));
        } else {
            reply_error(s, "ERR syntax error");
        }
    } else if (sub == "unpause") {
        reply(s, Value::simple("OK"));  // nothing is ever paused here
    } else if (sub == "trackinginfo") {
        reply(s, Value::map({Value::bulk("flags"), Value::set({Value::bulk("off")}),
                             Value::bulk("redirect"), Value::integer_value(-1),
                             Value::bulk("prefixes"), Value::array()}));
    } else if (sub == "unblock") {
        // No client of a sentinel ever blocks, so there is nothing to unblock.
        reply(s, Value::integer_value(0));
    } else {
        // pause, tracking, caching: client-side caching and pausing serve data commands,
        // which a sentinel does not have.
        reply_error(s, "ERR CLIENT " + sub + " is not supported by this sentinel");
    }
}

}  // namespace sentinel::server
