#include "sentinel/server/command_table.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <utility>

#include "common/util/assert.hpp"
#include "common/util/glob.hpp"
#include "sentinel/core/text.hpp"

namespace sentinel::server {
namespace detail {
// Defined in the command_table_data.cpp that sentinel/CMakeLists.txt generates from
// command_table.json, so the binary carries the table and needs no data file at run time.
extern const std::string_view command_table_json;
}  // namespace detail

namespace {

using core::iequals;
using core::to_lower;

using resp::Value;

struct Entry {
    std::string name;  // canonical full name, lowercase: "ping", "sentinel|masters"
    std::int64_t arity = 0;
    std::vector<std::string> categories;  // "@admin", "@slow", ...
    Value info;                           // this command's element of the COMMAND reply
    Value docs;                           // this command's value in the COMMAND DOCS map
    bool top_level = false;
    bool has_subcommands = false;
};

struct Table {
    // COMMAND LIST order: each top-level command followed by its subcommands.
    std::vector<Entry> entries;
    std::unordered_map<std::string, std::size_t> by_name;
    Value all_info;  // the COMMAND / COMMAND INFO reply
    Value all_docs;  // the COMMAND DOCS reply
    Value help;      // the COMMAND HELP reply
    std::int64_t count = 0;
};

// Indexes of the fields in a COMMAND INFO entry (fixed by Redis 7.0's reply layout).
constexpr std::size_t kInfoName = 0;
constexpr std::size_t kInfoArity = 1;
constexpr std::size_t kInfoCategories = 6;
constexpr std::size_t kInfoSubcommands = 9;
constexpr std::size_t kInfoFields = 10;

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        }
    }
    return out;
}

// Decodes one typed value written by tools/capture_command_table.py. Throws on malformed input;
// load() turns that into an assertion failure.
Value to_value(const nlohmann::json& j) {
    const auto& type = j.at("t").get_ref<const std::string&>();
    if (type == "null") {
        return Value::nil();
    }
    const nlohmann::json& v = j.at("v");
    if (type == "bulk") {
        return Value::bulk(v.get_ref<const std::string&>());
    }
    if (type == "simple") {
        return Value::simple(v.get_ref<const std::string&>());
    }
    if (type == "int") {
        return Value::integer_value(v.get<std::int64_t>());
    }
    std::vector<Value> children;
    children.reserve(v.size());
    for (const auto& child : v) {
        children.push_back(to_value(child));
    }
    if (type == "array") {
        return Value::array(std::move(children));
    }
    if (type == "set") {
        return Value::set(std::move(children));
    }
    if (type == "map") {
        SENTINEL_ASSERT(children.size() % 2 == 0);
        return Value::map(std::move(children));
    }
    std::fprintf(stderr, "command_table.json: unknown value type '%s'\n", type.c_str());
    std::abort();
}

const Value* map_find(const Value& map, std::string_view key) {
    SENTINEL_ASSERT(map.type == resp::Type::map);
    for (std::size_t i = 0; i + 1 < map.elements.size(); i += 2) {
        if (map.elements[i].str == key) {
            return &map.elements[i + 1];
        }
    }
    return nullptr;
}

Entry make_entry(const Value& info, const Value& docs, bool top_level) {
    SENTINEL_ASSERT(info.type == resp::Type::array && info.elements.size() == kInfoFields);
    Entry e;
    e.name = info.elements[kInfoName].str;
    SENTINEL_ASSERT(e.name == to_lower(e.name));
    e.arity = info.elements[kInfoArity].integer;
    for (const Value& cat : info.elements[kInfoCategories].elements) {
        e.categories.push_back(cat.str);
    }
    e.info = info;
    e.docs = docs;
    e.top_level = top_level;
    e.has_subcommands = !info.elements[kInfoSubcommands].elements.empty();
    return e;
}

Table build(const nlohmann::json& root) {
    Table t;
    std::vector<Value> infos;
    std::vector<Value> docs_kv;
    std::unordered_map<std::string, Value> docs_by_name;
    for (const auto& pair : root.at("docs")) {
        const auto& name = pair.at(0).get_ref<const std::string&>();
        Value docs = to_value(pair.at(1));
        docs_kv.push_back(Value::bulk(name));
        docs_kv.push_back(docs);
        docs_by_name.emplace(name, std::move(docs));
    }
    for (const auto& j : root.at("commands")) {
        Value info = to_value(j);
        const std::string& name = info.elements.at(kInfoName).str;
        auto docs = docs_by_name.find(name);
        SENTINEL_ASSERT(docs != docs_by_name.end());
        t.entries.push_back(make_entry(info, docs->second, true));
        // Subcommand docs live in the parent's "subcommands" map, keyed by full name, which is
        // also what COMMAND DOCS "parent|sub" replies with.
        const Value* sub_docs = map_find(docs->second, "subcommands");
        for (const Value& sub : info.elements[kInfoSubcommands].elements) {
            const Value* d =
                sub_docs ? map_find(*sub_docs, sub.elements.at(kInfoName).str) : nullptr;
            SENTINEL_ASSERT(d != nullptr);
            t.entries.push_back(make_entry(sub, *d, false));
        }
        infos.push_back(std::move(info));
    }
    for (std::size_t i = 0; i < t.entries.size(); ++i) {
        SENTINEL_ASSERT(t.by_name.emplace(t.entries[i].name, i).second);
    }
    std::vector<Value> help;
    for (const auto& line : root.at("help")) {
        help.push_back(Value::simple(line.get_ref<const std::string&>()));
    }
    t.count = static_cast<std::int64_t>(infos.size());
    t.all_info = Value::array(std::move(infos));
    t.all_docs = Value::map(std::move(docs_kv));
    t.help = Value::array(std::move(help));
    return t;
}

Table load() {
    // The JSON is generated by our own capture tool, so any failure here is a build defect:
    // stop loudly instead of letting an exception escape into the command path.
    try {
        auto root = nlohmann::json::parse(detail::command_table_json);
        return build(root);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "command_table.json is malformed: %s\n", e.what());
        std::abort();
    }
}

const Table& table() {
    static const Table t = load();
    return t;
}

// Looks a name up the way lookupCommandBySds does: "cmd" or "container|sub", case-insensitive.
// Names with more than one '|' or an empty part never match, as in Redis.
const Entry* find(std::string_view name) {
    const Table& t = table();
    auto it = t.by_name.find(to_lower(name));
    return it == t.by_name.end() ? nullptr : &t.entries[it->second];
}

const Entry* find_top_level(std::string_view name) {
    const Entry* e = find(name);
    return e != nullptr && e->top_level ? e : nullptr;
}

Value syntax_error() {
    return Value::error("ERR syntax error");
}

Value unknown_subcommand(const std::vector<std::string>& args) {
    // Mirrors processCommand's "%.128s" (also stopping at a NUL byte) and its mapping of CR/LF
    // to spaces, which keeps a hostile argument from breaking the protocol.
    std::string_view sub = args[1];
    sub = sub.substr(0, std::min<std::size_t>(sub.find('\0'), 128));
    std::string text =
        "ERR unknown subcommand '" + std::string(sub) + "'. Try " + upper(args[0]) + " HELP.";
    for (char& c : text) {
        if (c == '\r' || c == '\n') {
            c = ' ';
        }
    }
    return Value::error(text);
}

bool arity_ok(std::int64_t arity, std::size_t argc) {
    const auto n = static_cast<std::int64_t>(argc);
    return arity > 0 ? n == arity : n >= -arity;
}

Value list_command(const std::vector<std::string>& args) {
    const Table& t = table();
    std::vector<Value> names;
    if (args.size() == 2) {
        for (const Entry& e : t.entries) {
            names.push_back(Value::bulk(e.name));
        }
        return Value::array(std::move(names));
    }
    // Redis accepts exactly one FILTERBY clause and only as the last three arguments.
    if (args.size() != 5 || !iequals(args[2], "filterby")) {
        return syntax_error();
    }
    const std::string& type = args[3];
    const std::string& arg = args[4];
    if (iequals(type, "module")) {
        // Sentinel loads no modules, so no command belongs to any module.
        return Value::array();
    }
    if (iequals(type, "aclcat")) {
        const std::string wanted = "@" + to_lower(arg);
        for (const Entry& e : t.entries) {
            for (const std::string& cat : e.categories) {
                if (cat == wanted) {
                    names.push_back(Value::bulk(e.name));
                    break;
                }
            }
        }
        return Value::array(std::move(names));
    }
    if (iequals(type, "pattern")) {
        for (const Entry& e : t.entries) {
            if (glob_match(arg, e.name, /*nocase=*/true)) {
                names.push_back(Value::bulk(e.name));
            }
        }
        return Value::array(std::move(names));
    }
    return syntax_error();
}

Value info_command(const std::vector<std::string>& args) {
    if (args.size() == 2) {
        return table().all_info;
    }
    std::vector<Value> out;
    for (std::size_t i = 2; i < args.size(); ++i) {
        const Entry* e = find(args[i]);
        out.push_back(e != nullptr ? e->info : Value::nil());
    }
    return Value::array(std::move(out));
}

Value docs_command(const std::vector<std::string>& args) {
    if (args.size() == 2) {
        return table().all_docs;
    }
    // Unknown names are skipped; repeated names repeat (Redis does not deduplicate).
    std::vector<Value> kv;
    for (std::size_t i = 2; i < args.size(); ++i) {
        if (const Entry* e = find(args[i])) {
            kv.push_back(Value::bulk(e->name));
            kv.push_back(e->docs);
        }
    }
    return Value::map(std::move(kv));
}

Value getkeys_command(const std::vector<std::string>& args) {
    // Resolve like lookupCommand: the container, then its subcommand if one is given.
    const Entry* cmd = find_top_level(args[2]);
    if (cmd != nullptr && cmd->has_subcommands && args.size() > 3) {
        cmd = find(cmd->name + "|" + to_lower(args[3]));
    }
    if (cmd == nullptr) {
        return Value::error("ERR Invalid command specified");
    }
    // No sentinel command has key specs (the capture tool checks this), so Redis stops here.
    return Value::error("ERR The command has no key arguments");
}

}  // namespace

resp::Value command_command(const std::vector<std::string>& args) {
    if (args.size() <= 1) {
        return table().all_info;
    }
    // processCommand resolves the subcommand and checks its arity before COMMAND runs.
    const Entry* sub = find("command|" + to_lower(args[1]));
    if (sub == nullptr) {
        return unknown_subcommand(args);
    }
    if (!arity_ok(sub->arity, args.size())) {
        return Value::error("ERR wrong number of arguments for '" + sub->name + "' command");
    }
    const std::string& name = sub->name;
    if (name == "command|count") {
        return Value::integer_value(table().count);
    }
    if (name == "command|help") {
        return table().help;
    }
    if (name == "command|list") {
        return list_command(args);
    }
    if (name == "command|info") {
        return info_command(args);
    }
    if (name == "command|docs") {
        return docs_command(args);
    }
    if (name == "command|getkeys" || name == "command|getkeysandflags") {
        return getkeys_command(args);
    }
    // A subcommand in the captured table that we do not implement: answer as Redis would for
    // an unknown one rather than inventing a reply.
    return unknown_subcommand(args);
}

bool command_exists(std::string_view name) {
    return find(name) != nullptr;
}

std::optional<std::int64_t> command_arity(std::string_view name) {
    const Entry* e = find(name);
    if (e == nullptr) {
        return std::nullopt;
    }
    return e->arity;
}

bool command_has_subcommands(std::string_view name) {
    const Entry* e = find_top_level(name);
    return e != nullptr && e->has_subcommands;
}

std::int64_t command_count() {
    return table().count;
}

}  // namespace sentinel::server
