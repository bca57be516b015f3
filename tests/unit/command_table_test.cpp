// COMMAND family replies, checked against facts observed on redis-sentinel 7.0.15.

#include "sentinel/server/command_table.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/resp/value.hpp"

namespace {

using sentinel::resp::Type;
using sentinel::resp::Value;
using sentinel::server::command_command;

Value run(std::vector<std::string> args) {
    return command_command(args);
}

std::vector<std::string> strings_of(const Value& v) {
    std::vector<std::string> out;
    for (const Value& e : v.elements) {
        out.push_back(e.str);
    }
    return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

const Value* map_get(const Value& map, const std::string& key) {
    for (std::size_t i = 0; i + 1 < map.elements.size(); i += 2) {
        if (map.elements[i].str == key) {
            return &map.elements[i + 1];
        }
    }
    return nullptr;
}

}  // namespace

TEST_CASE("COMMAND COUNT is the number of top-level sentinel commands") {
    CHECK(run({"COMMAND", "COUNT"}) == Value::integer_value(15));
    CHECK(run({"command", "count"}) == Value::integer_value(15));
    CHECK(sentinel::server::command_count() == 15);
}

TEST_CASE("COMMAND without arguments lists every top-level command") {
    Value all = run({"COMMAND"});
    REQUIRE(all.type == Type::array);
    CHECK(all.elements.size() == 15);
    std::vector<std::string> names;
    for (const Value& e : all.elements) {
        REQUIRE(e.type == Type::array);
        REQUIRE(e.elements.size() == 10);
        names.push_back(e.elements[0].str);
    }
    for (const char* n :
         {"ping", "sentinel", "info", "role", "client", "acl", "command", "hello", "auth",
          "shutdown", "publish", "subscribe", "psubscribe", "unsubscribe", "punsubscribe"}) {
        CHECK(contains(names, n));
    }
    // COMMAND INFO without names is the same reply.
    CHECK(run({"COMMAND", "INFO"}) == all);
}

TEST_CASE("COMMAND LIST includes subcommands") {
    Value list = run({"COMMAND", "LIST"});
    REQUIRE(list.type == Type::array);
    auto names = strings_of(list);
    CHECK(names.size() == 72);
    CHECK(contains(names, "sentinel|masters"));
    CHECK(contains(names, "sentinel"));
    CHECK(contains(names, "command|getkeysandflags"));
    CHECK(contains(names, "client|no-evict"));
    for (const Value& v : list.elements) {
        CHECK(v.type == Type::bulk_string);
    }
}

TEST_CASE("COMMAND LIST FILTERBY") {
    SUBCASE("ACLCAT matches category names case-insensitively, without the @") {
        auto admin = strings_of(run({"COMMAND", "LIST", "FILTERBY", "ACLCAT", "ADMIN"}));
        CHECK(admin.size() == 38);
        CHECK(contains(admin, "sentinel|masters"));
        CHECK(contains(admin, "role"));
        CHECK_FALSE(contains(admin, "sentinel|help"));
        CHECK_FALSE(contains(admin, "ping"));
        CHECK(run({"COMMAND", "LIST", "FILTERBY", "ACLCAT", "@admin"}) == Value::array());
        CHECK(run({"COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch"}) == Value::array());
    }
    SUBCASE("PATTERN is a case-insensitive glob over full names") {
        auto names = strings_of(run({"command", "list", "filterby", "pattern", "SENT*MA*"}));
        std::sort(names.begin(), names.end());
        CHECK(names == std::vector<std::string>{"sentinel|get-master-addr-by-name",
                                                "sentinel|is-master-down-by-addr",
                                                "sentinel|master", "sentinel|masters"});
        CHECK(strings_of(run({"COMMAND", "LIST", "FILTERBY", "PATTERN", "s*"})).size() == 24);
    }
    SUBCASE("MODULE never matches: sentinel loads no modules") {
        CHECK(run({"COMMAND", "LIST", "FILTERBY", "MODULE", "x"}) == Value::array());
    }
    SUBCASE("malformed filters are syntax errors") {
        const Value err = Value::error("ERR syntax error");
        CHECK(run({"COMMAND", "LIST", "FILTERBY"}) == err);
        CHECK(run({"COMMAND", "LIST", "FILTERBY", "ACLCAT"}) == err);
        CHECK(run({"COMMAND", "LIST", "FILTERBY", "FOO", "x"}) == err);
        CHECK(run({"COMMAND", "LIST", "FOO"}) == err);
        CHECK(run({"COMMAND", "LIST", "FOO", "ACLCAT", "admin"}) == err);
        CHECK(run({"COMMAND", "LIST", "FILTERBY", "PATTERN", "s*", "extra"}) == err);
    }
}

TEST_CASE("COMMAND INFO") {
    Value reply = run(
        {"COMMAND", "INFO", "ping", "foo", "SENTINEL|MASTERS", "sentinel|", "ping|x", "a|b|c", ""});
    REQUIRE(reply.type == Type::array);
    REQUIRE(reply.elements.size() == 7);
    const Value& ping = reply.elements[0];
    REQUIRE(ping.type == Type::array);
    CHECK(ping.elements[0] == Value::bulk("ping"));
    CHECK(ping.elements[1] == Value::integer_value(-1));
    CHECK(ping.elements[2] == Value::set({Value::simple("fast")}));
    CHECK(ping.elements[6] == Value::set({Value::simple("@fast"), Value::simple("@connection")}));
    CHECK(reply.elements[1] == Value::nil());
    CHECK(reply.elements[2].elements[0] == Value::bulk("sentinel|masters"));
    CHECK(reply.elements[2].elements[1] == Value::integer_value(2));
    for (std::size_t i = 3; i < 7; ++i) {
        CHECK(reply.elements[i] == Value::nil());
    }
}

TEST_CASE("COMMAND DOCS") {
    SUBCASE("all commands, as a map keyed by name") {
        Value all = run({"COMMAND", "DOCS"});
        REQUIRE(all.type == Type::map);
        CHECK(all.elements.size() == 30);
        const Value* sentinel_docs = map_get(all, "sentinel");
        REQUIRE(sentinel_docs != nullptr);
        const Value* subs = map_get(*sentinel_docs, "subcommands");
        REQUIRE(subs != nullptr);
        CHECK(subs->type == Type::map);
        CHECK(map_get(*subs, "sentinel|masters") != nullptr);
    }
    SUBCASE("named commands; unknown ones are skipped, repeats are kept") {
        Value reply = run({"COMMAND", "DOCS", "foo", "SENTINEL|MYID", "ping", "ping", ""});
        REQUIRE(reply.type == Type::map);
        REQUIRE(reply.elements.size() == 6);
        CHECK(reply.elements[0] == Value::bulk("sentinel|myid"));
        CHECK(*map_get(reply.elements[1], "summary") ==
              Value::bulk("Get the Sentinel instance ID"));
        CHECK(*map_get(reply.elements[1], "since") == Value::bulk("6.2.0"));
        CHECK(reply.elements[2] == Value::bulk("ping"));
        CHECK(*map_get(reply.elements[3], "summary") == Value::bulk("Ping the server"));
        CHECK(reply.elements[4] == reply.elements[2]);
    }
    SUBCASE("only unknown names gives an empty map") {
        CHECK(run({"COMMAND", "DOCS", "foo"}) == Value::map());
    }
}

TEST_CASE("COMMAND GETKEYS and GETKEYSANDFLAGS") {
    for (const char* sub : {"GETKEYS", "getkeysandflags"}) {
        CAPTURE(sub);
        CHECK(run({"COMMAND", sub, "sentinel", "masters"}) ==
              Value::error("ERR The command has no key arguments"));
        CHECK(run({"COMMAND", sub, "ping", "x"}) ==
              Value::error("ERR The command has no key arguments"));
        CHECK(run({"COMMAND", sub, "command", "list"}) ==
              Value::error("ERR The command has no key arguments"));
        CHECK(run({"COMMAND", sub, "get", "x"}) == Value::error("ERR Invalid command specified"));
        CHECK(run({"COMMAND", sub, "sentinel", "foo"}) ==
              Value::error("ERR Invalid command specified"));
        CHECK(run({"COMMAND", sub, "sentinel|masters", "x"}) ==
              Value::error("ERR Invalid command specified"));
    }
    CHECK(run({"COMMAND", "GETKEYS", "ping"}) ==
          Value::error("ERR wrong number of arguments for 'command|getkeys' command"));
    CHECK(run({"COMMAND", "GETKEYSANDFLAGS"}) ==
          Value::error("ERR wrong number of arguments for 'command|getkeysandflags' command"));
}

TEST_CASE("COMMAND HELP") {
    Value help = run({"COMMAND", "HELP"});
    REQUIRE(help.type == Type::array);
    REQUIRE(help.elements.size() == 21);
    CHECK(help.elements[0] ==
          Value::simple("COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"));
    CHECK(help.elements[20] == Value::simple("    Prints this help."));
    CHECK(run({"COMMAND", "HELP", "x"}) ==
          Value::error("ERR wrong number of arguments for 'command|help' command"));
}

TEST_CASE("COMMAND usage errors") {
    CHECK(run({"COMMAND", "FOO"}) ==
          Value::error("ERR unknown subcommand 'FOO'. Try COMMAND HELP."));
    CHECK(run({"command", "foo"}) ==
          Value::error("ERR unknown subcommand 'foo'. Try COMMAND HELP."));
    CHECK(run({"COMMAND", ""}) == Value::error("ERR unknown subcommand ''. Try COMMAND HELP."));
    CHECK(run({"COMMAND", "count|x"}) ==
          Value::error("ERR unknown subcommand 'count|x'. Try COMMAND HELP."));
    CHECK(run({"COMMAND", "a\r\nb"}) ==
          Value::error("ERR unknown subcommand 'a  b'. Try COMMAND HELP."));
    // The subcommand is shown truncated to 128 bytes, like Redis's "%.128s".
    CHECK(
        run({"COMMAND", std::string(200, 'x')}) ==
        Value::error("ERR unknown subcommand '" + std::string(128, 'x') + "'. Try COMMAND HELP."));
    CHECK(run({"COMMAND", "COUNT", "x"}) ==
          Value::error("ERR wrong number of arguments for 'command|count' command"));
}

TEST_CASE("lookup helpers") {
    using namespace sentinel::server;
    CHECK(command_exists("ping"));
    CHECK(command_exists("SENTINEL|Masters"));
    CHECK_FALSE(command_exists("get"));
    CHECK_FALSE(command_exists("sentinel|"));
    CHECK(command_arity("ping") == -1);
    CHECK(command_arity("sentinel|is-master-down-by-addr") == 6);
    CHECK_FALSE(command_arity("nope").has_value());
    CHECK(command_has_subcommands("Sentinel"));
    CHECK(command_has_subcommands("client"));
    CHECK_FALSE(command_has_subcommands("ping"));
    CHECK_FALSE(command_has_subcommands("sentinel|masters"));
}
