#include "sentinel/server/acl.hpp"

#include <algorithm>
#include <cctype>

#include "common/util/sha256.hpp"
#include "sentinel/core/text.hpp"
#include "sentinel/server/ascii.hpp"

namespace sentinel::server {
namespace {

using core::iequals;
using core::to_lower;

bool is_hex_hash(std::string_view s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
               return std::isxdigit(static_cast<unsigned char>(c)) != 0;
           });
}

void erase_value(std::vector<std::string>& v, const std::string& x) {
    v.erase(std::remove(v.begin(), v.end(), x), v.end());
}

// Applies one SETUSER modifier to `u`; returns false on a syntax error.
bool apply_rule(AclUser& u, const std::string& rule) {
    const std::string r = to_lower(rule);
    if (r == "on") {
        u.enabled = true;
    } else if (r == "off") {
        u.enabled = false;
    } else if (r == "nopass") {
        u.nopass = true;
        u.password_hashes.clear();
    } else if (r == "resetpass") {
        u.nopass = false;
        u.password_hashes.clear();
    } else if (r == "allkeys" || r == "~*") {
        // "~*" is the allkeys flag in Redis, not one more pattern.
        u.key_patterns = {"*"};
    } else if (r == "resetkeys") {
        u.key_patterns.clear();
    } else if (r == "allchannels" || r == "&*") {
        u.channel_patterns = {"*"};
    } else if (r == "resetchannels") {
        u.channel_patterns.clear();
    } else if (r == "allcommands") {
        u.command_rules = {"+@all"};
    } else if (r == "nocommands") {
        u.command_rules = {"-@all"};
    } else if (r == "reset") {
        u = AclUser{u.name, false, false, {}, {}, {}, {"-@all"}};
    } else if (rule.size() > 1 && rule[0] == '>') {
        const std::string h = sha256_hex(std::string_view(rule).substr(1));
        erase_value(u.password_hashes, h);
        u.password_hashes.push_back(h);
        u.nopass = false;
    } else if (rule.size() > 1 && rule[0] == '<') {
        erase_value(u.password_hashes, sha256_hex(std::string_view(rule).substr(1)));
    } else if (rule.size() > 1 && rule[0] == '#') {
        if (!is_hex_hash(rule.substr(1))) {
            return false;
        }
        const std::string h = to_lower(rule.substr(1));
        erase_value(u.password_hashes, h);
        u.password_hashes.push_back(h);
        u.nopass = false;
    } else if (rule.size() > 1 && rule[0] == '!') {
        erase_value(u.password_hashes, to_lower(rule.substr(1)));
    } else if (rule.size() > 1 && rule[0] == '~') {
        u.key_patterns.push_back(rule.substr(1));
    } else if (rule.size() > 1 && rule[0] == '&') {
        u.channel_patterns.push_back(rule.substr(1));
    } else if (r.size() > 1 && (r[0] == '+' || r[0] == '-')) {
        if (r == "+@all" || r == "-@all") {
            u.command_rules = {r};  // an @all rule overrides everything before it
        } else {
            u.command_rules.push_back(r);
        }
    } else {
        return false;
    }
    return true;
}

}  // namespace

Acl::Acl() {
    users_.push_back(AclUser{"default", true, true, {}, {"*"}, {"*"}, {"+@all"}});
}

void Acl::set_requirepass(std::string_view password) {
    auto& d = users_.front();
    d.nopass = false;
    d.password_hashes = {sha256_hex(password)};
}

std::optional<std::string> Acl::set_user(std::string_view name,
                                         const std::vector<std::string>& rules) {
    auto it = std::find_if(users_.begin(), users_.end(),
                           [&](const AclUser& u) { return u.name == name; });
    AclUser u =
        it != users_.end() ? *it : AclUser{std::string(name), false, false, {}, {}, {}, {"-@all"}};
    for (const auto& rule : rules) {
        if (!apply_rule(u, rule)) {
            return "ERR Error in ACL SETUSER modifier '" + rule + "': Syntax error";
        }
    }
    if (it != users_.end()) {
        *it = std::move(u);
    } else {
        users_.push_back(std::move(u));
    }
    return std::nullopt;
}

int Acl::delete_users(const std::vector<std::string>& names) {
    int removed = 0;
    for (const auto& n : names) {
        auto it = std::find_if(users_.begin(), users_.end(),
                               [&](const AclUser& u) { return u.name == n; });
        if (it != users_.end() && n != "default") {
            users_.erase(it);
            ++removed;
        }
    }
    return removed;
}

const AclUser* Acl::find(std::string_view name) const {
    auto it = std::find_if(users_.begin(), users_.end(),
                           [&](const AclUser& u) { return u.name == name; });
    return it == users_.end() ? nullptr : &*it;
}

bool Acl::exists(std::string_view name) const {
    return find(name) != nullptr;
}

bool Acl::authenticate(std::string_view user, std::string_view password) const {
    const AclUser* u = find(user);
    if (u == nullptr || !u->enabled) {
        return false;
    }
    if (u->nopass) {
        return true;
    }
    const std::string h = sha256_hex(password);
    return std::find(u->password_hashes.begin(), u->password_hashes.end(), h) !=
           u->password_hashes.end();
}

bool Acl::default_is_nopass() const {
    const auto& d = users_.front();
    return d.enabled && d.nopass;
}

namespace {

// target == command + "|" + lower-case sub, checked without building that string: this runs for
// every command a client sends.
bool names_subcommand(std::string_view target, std::string_view command, std::string_view sub) {
    return !sub.empty() && target.size() == command.size() + 1 + sub.size() &&
           target.starts_with(command) && target[command.size()] == '|' &&
           equals_lower(sub, target.substr(command.size() + 1));
}

}  // namespace

bool Acl::can_run(std::string_view user, std::string_view command, std::string_view sub) const {
    const AclUser* u = find(user);
    if (u == nullptr) {
        return false;
    }
    bool allowed = false;
    for (const auto& rule : u->command_rules) {
        const bool plus = rule[0] == '+';
        const std::string_view target = std::string_view(rule).substr(1);
        // Only @all is a category we model; a rule on a whole command also covers its
        // subcommands, a rule on "cmd|sub" covers only that subcommand.
        if (target == "@all" || target == command || names_subcommand(target, command, sub)) {
            allowed = plus;
        }
    }
    return allowed;
}

// ACLDescribeUser(): flags, password hashes, then the root selector (keys, channels, commands).
std::vector<std::string> Acl::line_words(const AclUser& u) {
    std::vector<std::string> rules{u.name, u.enabled ? "on" : "off"};
    if (u.nopass) {
        rules.emplace_back("nopass");
    }
    for (const auto& h : u.password_hashes) {
        rules.push_back("#" + h);
    }
    // A "*" pattern is Redis's allkeys/allchannels flag, which replaces any other pattern.
    const auto has_all = [](const std::vector<std::string>& patterns) {
        return std::find(patterns.begin(), patterns.end(), "*") != patterns.end();
    };
    if (has_all(u.key_patterns)) {
        rules.emplace_back("~*");
    } else {
        for (const auto& k : u.key_patterns) {
            rules.push_back("~" + k);
        }
    }
    if (has_all(u.channel_patterns)) {
        rules.emplace_back("&*");
    } else {
        // Redis always starts a channel list with resetchannels, so the line loads the same
        // whatever acl-pubsub-default says.
        rules.emplace_back("resetchannels");
        for (const auto& c : u.channel_patterns) {
            rules.push_back("&" + c);
        }
    }
    rules.insert(rules.end(), u.command_rules.begin(), u.command_rules.end());
    return rules;
}

std::string Acl::describe(const AclUser& u) {
    std::string s = "user";
    for (const auto& word : line_words(u)) {
        s += " " + word;
    }
    return s;
}

std::vector<std::string> Acl::user_names() const {
    std::vector<std::string> names;
    for (const auto& u : users_) {
        names.push_back(u.name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::vector<std::string> Acl::describe_all() const {
    std::vector<std::string> lines;
    for (const auto& name : user_names()) {
        lines.push_back(describe(*find(name)));
    }
    return lines;
}

std::vector<std::vector<std::string>> Acl::config_users() const {
    std::vector<std::vector<std::string>> users;
    for (const auto& name : user_names()) {
        users.push_back(line_words(*find(name)));
    }
    return users;
}

std::optional<resp::Value> Acl::getuser(std::string_view name) const {
    const AclUser* u = find(name);
    if (u == nullptr) {
        return std::nullopt;
    }
    using resp::Value;
    std::vector<Value> flags{Value::bulk(u->enabled ? "on" : "off")};
    if (u->nopass) {
        flags.push_back(Value::bulk("nopass"));
    }
    std::vector<Value> passwords;
    for (const auto& h : u->password_hashes) {
        passwords.push_back(Value::bulk(h));
    }
    std::string commands;
    for (const auto& r : u->command_rules) {
        commands += (commands.empty() ? "" : " ") + r;
    }
    std::string keys;
    for (const auto& k : u->key_patterns) {
        keys += (keys.empty() ? "~" : " ~") + k;
    }
    std::string channels;
    for (const auto& c : u->channel_patterns) {
        channels += (channels.empty() ? "&" : " &") + c;
    }
    return Value::map({Value::bulk("flags"), Value::set(std::move(flags)), Value::bulk("passwords"),
                       Value::array(std::move(passwords)), Value::bulk("commands"),
                       Value::bulk(commands), Value::bulk("keys"), Value::bulk(keys),
                       Value::bulk("channels"), Value::bulk(channels), Value::bulk("selectors"),
                       Value::array()});
}

}  // namespace sentinel::server
