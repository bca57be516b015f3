// RequestParser and ReplyParser: every type, every split of the input, limits and malformed input.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/resp/parser.hpp"
#include "common/resp/writer.hpp"

using sentinel::resp::Limits;
using sentinel::resp::ParseStatus;
using sentinel::resp::ReplyParser;
using sentinel::resp::RequestParser;
using sentinel::resp::Type;
using sentinel::resp::Value;
using sentinel::resp::Writer;

namespace {

using Args = std::vector<std::string>;

// Chunk lengths that cover `total` bytes: every chunk boundary is a place the input is split.
using Cuts = std::vector<std::size_t>;

Cuts whole(std::size_t total) {
    return total == 0 ? Cuts{} : Cuts{total};
}

Cuts bytewise(std::size_t total) {
    return Cuts(total, 1);
}

// std::mt19937 output is specified by the standard, unlike the distributions, so these splits
// are the same on every platform.
Cuts random_cuts(std::size_t total, std::uint32_t seed) {
    std::mt19937 rng(seed);
    Cuts cuts;
    std::size_t done = 0;
    while (done < total) {
        const std::size_t left = total - done;
        // Mostly small pieces, sometimes a big one, so both kinds of boundary get exercised.
        const std::size_t max = (rng() % 4 == 0) ? left : std::min<std::size_t>(left, 7);
        const std::size_t n = 1 + rng() % max;
        cuts.push_back(n);
        done += n;
    }
    return cuts;
}

struct RequestRun {
    std::vector<Args> commands;
    ParseStatus last = ParseStatus::incomplete;
    std::string error;

    bool operator==(const RequestRun&) const = default;
};

RequestRun run_requests(std::string_view input, const Cuts& cuts, Limits limits = {},
                        bool authenticated = true) {
    RequestParser parser(limits);
    parser.set_authenticated(authenticated);
    RequestRun run;
    std::size_t at = 0;
    Args args;
    auto drain = [&] {
        for (;;) {
            run.last = parser.next(args);
            if (run.last != ParseStatus::ok) {
                break;
            }
            run.commands.push_back(args);
        }
    };
    drain();
    for (std::size_t n : cuts) {
        parser.feed(input.substr(at, n));
        at += n;
        drain();
        if (run.last == ParseStatus::error) {
            break;
        }
    }
    run.error = parser.error();
    return run;
}

// Parses `input` whole, byte by byte and with several random splits; all must agree.
RequestRun requests_all_splits(std::string_view input, Limits limits = {},
                               bool authenticated = true) {
    const RequestRun reference = run_requests(input, whole(input.size()), limits, authenticated);
    CHECK(run_requests(input, bytewise(input.size()), limits, authenticated) == reference);
    for (std::uint32_t seed = 1; seed <= 16; ++seed) {
        CHECK(run_requests(input, random_cuts(input.size(), seed), limits, authenticated) ==
              reference);
    }
    return reference;
}

std::string request_error(std::string_view input, Limits limits = {}, bool authenticated = true) {
    const RequestRun run = requests_all_splits(input, limits, authenticated);
    CHECK(run.last == ParseStatus::error);
    return run.error;
}

struct ReplyRun {
    std::vector<Value> values;
    ParseStatus last = ParseStatus::incomplete;
    std::string error;

    bool operator==(const ReplyRun&) const = default;
};

ReplyRun run_replies(std::string_view input, const Cuts& cuts, Limits limits = {}) {
    ReplyParser parser(limits);
    ReplyRun run;
    std::size_t at = 0;
    Value v;
    auto drain = [&] {
        for (;;) {
            run.last = parser.next(v);
            if (run.last != ParseStatus::ok) {
                break;
            }
            run.values.push_back(v);
        }
    };
    drain();
    // Pieces alternate between copied and borrowed feeds. Borrowed ones go through one reused
    // buffer clobbered once the parser has asked for more, as the read buffer shared by every
    // outgoing link is: the parser must have copied whatever it still needs by then.
    std::string scratch;
    bool borrow = false;
    for (std::size_t n : cuts) {
        scratch.assign(input.substr(at, n));
        if (borrow) {
            parser.feed_borrowed(scratch);
        } else {
            parser.feed(scratch);
        }
        borrow = !borrow;
        at += n;
        drain();
        std::fill(scratch.begin(), scratch.end(), '#');
        if (run.last == ParseStatus::error) {
            break;
        }
    }
    run.error = parser.error();
    return run;
}

ReplyRun replies_all_splits(std::string_view input, Limits limits = {}) {
    const ReplyRun reference = run_replies(input, whole(input.size()), limits);
    CHECK(run_replies(input, bytewise(input.size()), limits) == reference);
    for (std::uint32_t seed = 1; seed <= 16; ++seed) {
        CHECK(run_replies(input, random_cuts(input.size(), seed), limits) == reference);
    }
    return reference;
}

// The single value `input` encodes, checked under every split.
Value one_reply(std::string_view input, Limits limits = {}) {
    const ReplyRun run = replies_all_splits(input, limits);
    CHECK(run.last == ParseStatus::incomplete);
    CHECK(run.error.empty());
    REQUIRE(run.values.size() == 1);
    return run.values[0];
}

std::string reply_error(std::string_view input, Limits limits = {}) {
    const ReplyRun run = replies_all_splits(input, limits);
    CHECK(run.last == ParseStatus::error);
    return run.error;
}

Value dbl(std::string_view text) {
    return Value{Type::double_, std::string(text), 0, {}};
}

Value big(std::string_view digits) {
    return Value{Type::big_number, std::string(digits), 0, {}};
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// RequestParser

TEST_CASE("request parser: multibulk commands") {
    const RequestRun run = requests_all_splits("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n");
    CHECK(run.last == ParseStatus::incomplete);
    REQUIRE(run.commands.size() == 1);
    CHECK(run.commands[0] == Args{"SET", "k", "hello"});
}

TEST_CASE("request parser: bulk payload is binary safe") {
    const std::string payload("a\r\nb\0c*$\n", 9);
    const std::string input = "*2\r\n$3\r\nSET\r\n$9\r\n" + payload + "\r\n";
    const RequestRun run = requests_all_splits(input);
    REQUIRE(run.commands.size() == 1);
    CHECK(run.commands[0] == Args{"SET", payload});
}

TEST_CASE("request parser: empty bulk and empty quoted inline argument") {
    CHECK(requests_all_splits("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n").commands ==
          std::vector<Args>{{"ECHO", ""}});
    CHECK(requests_all_splits("ECHO \"\"\r\n").commands == std::vector<Args>{{"ECHO", ""}});
}

TEST_CASE("request parser: pipelined multibulk and inline commands in one buffer") {
    const std::string input =
        "*1\r\n$4\r\nPING\r\n"
        "PING\r\n"
        "*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n"
        "set a b\n"
        "*0\r\n"
        "\r\n"
        "*-1\r\n"
        "*3\r\n$8\r\nSENTINEL\r\n$7\r\nmasters\r\n$0\r\n\r\n";
    const RequestRun run = requests_all_splits(input);
    CHECK(run.last == ParseStatus::incomplete);
    CHECK(run.commands ==
          std::vector<Args>{
              {"PING"}, {"PING"}, {"ECHO", "hi"}, {"set", "a", "b"}, {"SENTINEL", "masters", ""}});
}

TEST_CASE("request parser: inline commands follow sdssplitargs") {
    CHECK(requests_all_splits("PING\r\n").commands == std::vector<Args>{{"PING"}});
    CHECK(requests_all_splits("PING\n").commands == std::vector<Args>{{"PING"}});
    CHECK(requests_all_splits("  get   key  \r\n").commands == std::vector<Args>{{"get", "key"}});
    CHECK(requests_all_splits("SET \"a b\" 'c d'\r\n").commands ==
          std::vector<Args>{{"SET", "a b", "c d"}});
    CHECK(requests_all_splits("SET k \"\\x41\\n\\t\\\"\"\r\n").commands ==
          std::vector<Args>{{"SET", "k", "A\n\t\""}});
    CHECK(requests_all_splits("SET k 'it\\'s'\r\n").commands ==
          std::vector<Args>{{"SET", "k", "it's"}});
    // Only the \r right before the \n belongs to the line ending; a lone \r separates words.
    CHECK(requests_all_splits("a\rb\r\n").commands == std::vector<Args>{{"a", "b"}});
}

TEST_CASE("request parser: empty lines, *0 and negative counts are skipped") {
    const RequestRun run = requests_all_splits("\r\n\n   \r\n\t\n*0\r\n*-1\r\n*-10\r\nPING\r\n");
    CHECK(run.last == ParseStatus::incomplete);
    CHECK(run.commands == std::vector<Args>{{"PING"}});
}

TEST_CASE("request parser: an inline line needs its newline") {
    const RequestRun run = requests_all_splits("PING");
    CHECK(run.commands.empty());
    CHECK(run.last == ParseStatus::incomplete);
    CHECK(requests_all_splits("PING\r").commands.empty());
}

TEST_CASE("request parser: incomplete multibulk keeps its progress") {
    RequestParser parser;
    Args args;
    parser.feed("*2\r\n$3\r\nfoo\r\n$3\r\nba");
    CHECK(parser.next(args) == ParseStatus::incomplete);
    CHECK(args.empty());
    // One decoded argument plus the two payload bytes of the next, whose header is consumed.
    CHECK(parser.buffered() == 3 + 2);
    parser.feed("r\r\n");
    CHECK(parser.next(args) == ParseStatus::ok);
    CHECK(args == Args{"foo", "bar"});
    CHECK(parser.buffered() == 0);
    CHECK(parser.next(args) == ParseStatus::incomplete);
    CHECK(args.empty());
}

TEST_CASE("request parser: bytes after a header's \\r and after a payload go unchecked") {
    // processMultibulkBuffer waits for one byte after each header's \r and for two bytes after
    // each payload, and never checks that they are \n and \r\n.
    const RequestRun run = requests_all_splits("*1\rX$3\rYfooAB*1\r\n$1\r\nx\r\n");
    CHECK(run.commands == std::vector<Args>{{"foo"}, {"x"}});
    // A missing CRLF therefore eats the start of the next item.
    CHECK(request_error("*2\r\n$3\r\nfoo$1\r\nx\r\n") == "Protocol error: expected '$', got ' '");
}

TEST_CASE("request parser: invalid multibulk length") {
    const char* bad[] = {"*abc\r\n",
                         "*\r\n",
                         "*01\r\n",
                         "*+1\r\n",
                         "* 1\r\n",
                         "*1 \r\n",
                         "*-0\r\n",
                         "*1\n\r\n",
                         "*--1\r\n",
                         "*99999999999999999999\r\n",
                         "*123456789012345678901\r\n",
                         "*1048577\r\n",
                         "*9223372036854775807\r\n"};
    for (const char* input : bad) {
        CAPTURE(input);
        CHECK(request_error(input) == "Protocol error: invalid multibulk length");
    }
    // Redis 7.0 itself allows up to INT_MAX; the limit here is Limits::max_multibulk_len.
    Limits limits;
    limits.max_multibulk_len = 3;
    CHECK(request_error("*4\r\n", limits) == "Protocol error: invalid multibulk length");
    CHECK(requests_all_splits("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", limits).commands ==
          std::vector<Args>{{"a", "b", "c"}});
}

TEST_CASE("request parser: expected '$'") {
    // The case from redis's own tests/unit/protocol.tcl.
    CHECK(request_error("*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n") ==
          "Protocol error: expected '$', got 'f'");
    CHECK(request_error("*1\r\n:1\r\n") == "Protocol error: expected '$', got ':'");
    // CR and LF are shown as spaces, as addReplyErrorFormat does.
    CHECK(request_error("*1\r\n\r\n") == "Protocol error: expected '$', got ' '");
    CHECK(request_error("*1\r\n\n\r\n") == "Protocol error: expected '$', got ' '");
}

TEST_CASE("request parser: invalid bulk length") {
    const char* bad[] = {
        "*1\r\n$-1\r\n",       "*1\r\n$-5\r\n", "*1\r\n$abc\r\n", "*1\r\n$\r\n",
        "*1\r\n$01\r\n",       "*1\r\n$+1\r\n", "*1\r\n$1x\r\n",  "*1\r\n$99999999999999999999\r\n",
        "*1\r\n$536870913\r\n"};
    for (const char* input : bad) {
        CAPTURE(input);
        CHECK(request_error(input) == "Protocol error: invalid bulk length");
    }
    Limits limits;
    limits.max_bulk_len = 3;
    CHECK(request_error("*1\r\n$4\r\nabcd\r\n", limits) == "Protocol error: invalid bulk length");
    CHECK(requests_all_splits("*1\r\n$3\r\nabc\r\n", limits).commands ==
          std::vector<Args>{{"abc"}});
}

TEST_CASE("request parser: too big inline request") {
    Limits limits;
    limits.max_inline_len = 16;
    CHECK(requests_all_splits(std::string(16, 'a') + "\n", limits).commands ==
          std::vector<Args>{{std::string(16, 'a')}});
    // The \r counts as part of the line while it waits for its \n, as in redis-server.
    CHECK(request_error(std::string(16, 'a') + "\r\n", limits) ==
          "Protocol error: too big inline request");
    CHECK(request_error(std::string(17, 'a'), limits) == "Protocol error: too big inline request");
    CHECK(request_error(std::string(40, 'a') + "\r\n", limits) ==
          "Protocol error: too big inline request");
    // The default is redis-server's PROTO_INLINE_MAX_SIZE, 64 KiB.
    CHECK(Limits{}.max_inline_len == 64 * 1024);
    RequestParser parser;
    Args args;
    parser.feed(std::string(64 * 1024, 'x'));
    CHECK(parser.next(args) == ParseStatus::incomplete);
    parser.feed("x");
    CHECK(parser.next(args) == ParseStatus::error);
    CHECK(parser.error() == "Protocol error: too big inline request");
}

TEST_CASE("request parser: too big count strings") {
    Limits limits;
    limits.max_inline_len = 16;
    CHECK(request_error("*" + std::string(16, '1'), limits) ==
          "Protocol error: too big mbulk count string");
    CHECK(request_error("*" + std::string(30, '1') + "\r\n", limits) ==
          "Protocol error: too big mbulk count string");
    // Up to the limit the header only waits (and then fails as a number).
    CHECK(request_error("*" + std::string(15, '1') + "\r\n", limits) ==
          "Protocol error: invalid multibulk length");
    CHECK(request_error("*1\r\n$" + std::string(16, '1'), limits) ==
          "Protocol error: too big bulk count string");
    // Checked before the '$', as redis-server does while it waits for the \r.
    CHECK(request_error("*1\r\n" + std::string(17, 'x'), limits) ==
          "Protocol error: too big bulk count string");
}

TEST_CASE("request parser: unbalanced quotes") {
    CHECK(request_error("SET \"a\r\n") == "Protocol error: unbalanced quotes in request");
    CHECK(request_error("SET 'a\r\n") == "Protocol error: unbalanced quotes in request");
    CHECK(request_error("SET \"a\"b\r\n") == "Protocol error: unbalanced quotes in request");
    // A good command before the bad one is still returned.
    const RequestRun run = requests_all_splits("PING\r\nSET \"a\r\nPING\r\n");
    CHECK(run.commands == std::vector<Args>{{"PING"}});
    CHECK(run.error == "Protocol error: unbalanced quotes in request");
}

TEST_CASE("request parser: unauthenticated limits") {
    RequestParser fresh;
    CHECK(fresh.authenticated());
    const std::string ten = Writer::command(Args(10, "k"));
    const std::string eleven = Writer::command(Args(11, "k"));
    CHECK(requests_all_splits(ten, {}, false).commands.size() == 1);
    CHECK(request_error(eleven, {}, false) == "Protocol error: unauthenticated multibulk length");
    CHECK(requests_all_splits(eleven, {}, true).commands.size() == 1);
    // Negative and zero counts are skipped whoever sends them.
    CHECK(requests_all_splits("*-100\r\n*0\r\nPING\r\n", {}, false).commands ==
          std::vector<Args>{{"PING"}});

    const std::string ok_bulk = Writer::command({"AUTH", std::string(16384, 'p')});
    const std::string big_bulk = Writer::command({"AUTH", std::string(16385, 'p')});
    CHECK(run_requests(ok_bulk, whole(ok_bulk.size()), {}, false).commands.size() == 1);
    const RequestRun refused = run_requests(big_bulk, whole(big_bulk.size()), {}, false);
    CHECK(refused.last == ParseStatus::error);
    CHECK(refused.error == "Protocol error: unauthenticated bulk length");
    CHECK(run_requests(big_bulk, whole(big_bulk.size()), {}, true).commands.size() == 1);
    // Only the header matters: the error comes before any payload arrives.
    CHECK(request_error("*2\r\n$4\r\nAUTH\r\n$16385\r\n", {}, false) ==
          "Protocol error: unauthenticated bulk length");
    // An inline command is not limited (redis-server only caps multibulk requests).
    CHECK(requests_all_splits("MSET a 1 b 2 c 3 d 4 e 5 f 6\r\n", {}, false).commands.size() == 1);
}

TEST_CASE("request parser: authentication takes effect for the next command") {
    RequestParser parser;
    parser.set_authenticated(false);
    parser.feed("*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n" + Writer::command(Args(20, "x")));
    Args args;
    REQUIRE(parser.next(args) == ParseStatus::ok);
    CHECK(args == Args{"AUTH", "pw"});
    parser.set_authenticated(true);
    REQUIRE(parser.next(args) == ParseStatus::ok);
    CHECK(args.size() == 20);
}

TEST_CASE("request parser: an error is final") {
    RequestParser parser;
    Args args;
    parser.feed("*x\r\n");
    CHECK(parser.next(args) == ParseStatus::error);
    parser.feed("PING\r\n");
    args.push_back("stale");
    CHECK(parser.next(args) == ParseStatus::error);
    CHECK(args.empty());
    CHECK(parser.error() == "Protocol error: invalid multibulk length");
}

TEST_CASE("request parser: a large bulk fed in small pieces") {
    const std::string payload(1 << 20, 'v');
    const std::string input = Writer::command({"SET", "key", payload});
    RequestParser parser;
    Args args;
    // Byte by byte: linear only if the parser keeps its place instead of rescanning.
    for (char c : input) {
        parser.feed(std::string_view(&c, 1));
        if (parser.next(args) == ParseStatus::ok) {
            break;
        }
    }
    REQUIRE(args.size() == 3);
    CHECK(args[2] == payload);
    CHECK(parser.buffered() == 0);
}

TEST_CASE("request parser: a long inline line fed byte by byte") {
    const std::string line = "ECHO " + std::string(60000, 'z') + "\r\n";
    RequestParser parser;
    Args args;
    ParseStatus st = ParseStatus::incomplete;
    for (char c : line) {
        parser.feed(std::string_view(&c, 1));
        st = parser.next(args);
    }
    CHECK(st == ParseStatus::ok);
    REQUIRE(args.size() == 2);
    CHECK(args[1].size() == 60000);
}

TEST_CASE("request parser: random commands survive random splits") {
    std::mt19937 rng(42);
    std::vector<Args> commands;
    std::string input;
    for (int i = 0; i < 200; ++i) {
        Args cmd;
        const std::size_t argc = 1 + rng() % 6;
        for (std::size_t j = 0; j < argc; ++j) {
            std::string arg;
            const std::size_t len = rng() % 3 == 0 ? rng() % 300 : rng() % 8;
            for (std::size_t k = 0; k < len; ++k) {
                arg.push_back(static_cast<char>(rng() & 0xff));
            }
            cmd.push_back(arg);
        }
        input += Writer::command(cmd);
        commands.push_back(std::move(cmd));
    }
    const RequestRun run = requests_all_splits(input);
    CHECK(run.last == ParseStatus::incomplete);
    CHECK(run.commands == commands);
}

TEST_CASE("request parser: reusing one args vector across commands of every shape") {
    // The parser recycles the caller's previous argument strings; no leftovers may leak into
    // a command with fewer, shorter or empty arguments.
    const std::vector<Args> commands = {
        {"SENTINEL", "get-master-addr-by-name", "mymaster"},
        {"PING"},
        {"SENTINEL", "get-master-addr-by-name", "mymaster"},
        {"a", "", "bb", "ccc", "dddd", "eeeee", "ffffff", "g", "h", "i"},
        {"ECHO", std::string(5000, 'x')},
        {"x", "y"},
        {"ECHO", std::string(300, 'y'), "z"},
        {"PING"},
    };
    RequestParser parser;
    Args args;
    for (const Args& cmd : commands) {
        parser.feed(Writer::command(cmd));
        REQUIRE(parser.next(args) == ParseStatus::ok);
        CHECK(args == cmd);
    }
    CHECK(parser.next(args) == ParseStatus::incomplete);
    CHECK(args.empty());
    // Byte by byte, with a multibulk in progress across next() calls.
    for (const Args& cmd : commands) {
        const std::string bytes = Writer::command(cmd);
        ParseStatus st = ParseStatus::incomplete;
        for (char c : bytes) {
            parser.feed(std::string_view(&c, 1));
            st = parser.next(args);
            if (st == ParseStatus::incomplete) {
                CHECK(args.empty());
            }
        }
        REQUIRE(st == ParseStatus::ok);
        CHECK(args == cmd);
    }
}

// ---------------------------------------------------------------------------------------------
// ReplyParser

TEST_CASE("reply parser: RESP2 types") {
    CHECK(one_reply("+OK\r\n") == Value::simple("OK"));
    CHECK(one_reply("+\r\n") == Value::simple(""));
    CHECK(one_reply("-ERR unknown command\r\n") == Value::error("ERR unknown command"));
    CHECK(one_reply(":0\r\n") == Value::integer_value(0));
    CHECK(one_reply(":-42\r\n") == Value::integer_value(-42));
    CHECK(one_reply(":9223372036854775807\r\n") == Value::integer_value(INT64_MAX));
    CHECK(one_reply(":-9223372036854775808\r\n") == Value::integer_value(INT64_MIN));
    CHECK(one_reply("$5\r\nhello\r\n") == Value::bulk("hello"));
    CHECK(one_reply("$0\r\n\r\n") == Value::bulk(""));
    CHECK(one_reply("$4\r\na\r\nb\r\n") == Value::bulk("a\r\nb"));
    CHECK(one_reply("$-1\r\n") == Value::nil());
    CHECK(one_reply("*-1\r\n") == Value::nil_array());
    CHECK(one_reply("*0\r\n") == Value::array());
    CHECK(one_reply("*3\r\n:1\r\n$1\r\nx\r\n*2\r\n+a\r\n$-1\r\n") ==
          Value::array({Value::integer_value(1), Value::bulk("x"),
                        Value::array({Value::simple("a"), Value::nil()})}));
}

TEST_CASE("reply parser: RESP3 types") {
    CHECK(one_reply("_\r\n") == Value::nil());
    CHECK(one_reply(",3.14\r\n") == dbl("3.14"));
    CHECK(one_reply(",-1.5e-7\r\n") == dbl("-1.5e-7"));
    CHECK(one_reply(",10\r\n") == dbl("10"));
    CHECK(one_reply(",inf\r\n") == dbl("inf"));
    CHECK(one_reply(",-inf\r\n") == dbl("-inf"));
    CHECK(one_reply(",+inf\r\n") == dbl("+inf"));
    CHECK(one_reply(",nan\r\n") == dbl("nan"));
    CHECK(one_reply("#t\r\n") == Value::boolean_value(true));
    CHECK(one_reply("#f\r\n") == Value::boolean_value(false));
    CHECK(one_reply("(3492890328409238509324850943850943825024385\r\n") ==
          big("3492890328409238509324850943850943825024385"));
    CHECK(one_reply("(-12\r\n") == big("-12"));
    CHECK(one_reply("=15\r\ntxt:Some string\r\n") == Value::verbatim_text("txt", "Some string"));
    CHECK(one_reply("=4\r\nmkd:\r\n") == Value::verbatim_text("mkd", ""));
    CHECK(one_reply("!21\r\nSYNTAX invalid syntax\r\n") == Value::error("SYNTAX invalid syntax"));
    CHECK(one_reply("%2\r\n+first\r\n:1\r\n$6\r\nsecond\r\n#f\r\n") ==
          Value::map({Value::simple("first"), Value::integer_value(1), Value::bulk("second"),
                      Value::boolean_value(false)}));
    CHECK(one_reply("%0\r\n") == Value::map());
    CHECK(one_reply("~3\r\n+a\r\n+b\r\n+c\r\n") ==
          Value::set({Value::simple("a"), Value::simple("b"), Value::simple("c")}));
    CHECK(one_reply(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$3\r\nmsg\r\n") ==
          Value::push({Value::bulk("message"), Value::bulk("ch"), Value::bulk("msg")}));
}

TEST_CASE("reply parser: attributes are dropped, the annotated value returned") {
    CHECK(one_reply("|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n"
                    "*2\r\n:2039123\r\n:9543892\r\n") ==
          Value::array({Value::integer_value(2039123), Value::integer_value(9543892)}));
    // Inside an aggregate, and several in a row.
    CHECK(one_reply("*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n|0\r\n|1\r\n+c\r\n+d\r\n:2\r\n") ==
          Value::array({Value::integer_value(1), Value::integer_value(2)}));
    // An attribute alone is not a value yet.
    const ReplyRun run = replies_all_splits("|1\r\n+a\r\n+b\r\n");
    CHECK(run.values.empty());
    CHECK(run.last == ParseStatus::incomplete);
}

TEST_CASE("reply parser: a pipelined stream of every type under every split") {
    const std::string input =
        "+OK\r\n-ERR x\r\n:7\r\n$3\r\nabc\r\n$-1\r\n*-1\r\n_\r\n,1.5\r\n#t\r\n(123\r\n"
        "=7\r\ntxt:abc\r\n!3\r\nbad\r\n%1\r\n+k\r\n*1\r\n~1\r\n>0\r\n|1\r\n+a\r\n+b\r\n:9\r\n";
    const ReplyRun run = replies_all_splits(input);
    CHECK(run.last == ParseStatus::incomplete);
    const std::vector<Value> expected = {
        Value::simple("OK"),
        Value::error("ERR x"),
        Value::integer_value(7),
        Value::bulk("abc"),
        Value::nil(),
        Value::nil_array(),
        Value::nil(),
        dbl("1.5"),
        Value::boolean_value(true),
        big("123"),
        Value::verbatim_text("txt", "abc"),
        Value::error("bad"),
        Value::map({Value::simple("k"), Value::array({Value::set({Value::push()})})}),
        Value::integer_value(9),
    };
    CHECK(run.values == expected);
}

TEST_CASE("reply parser: incomplete input and buffered()") {
    ReplyParser parser;
    Value v;
    CHECK(parser.next(v) == ParseStatus::incomplete);
    parser.feed("*2\r\n$3\r\nfoo\r\n:1");
    CHECK(parser.next(v) == ParseStatus::incomplete);
    CHECK(parser.buffered() == 15);
    parser.feed("\r\n+next");
    REQUIRE(parser.next(v) == ParseStatus::ok);
    CHECK(v == Value::array({Value::bulk("foo"), Value::integer_value(1)}));
    CHECK(parser.buffered() == 5);
    CHECK(parser.next(v) == ParseStatus::incomplete);
    parser.feed("\r\n");
    REQUIRE(parser.next(v) == ParseStatus::ok);
    CHECK(v == Value::simple("next"));
    CHECK(parser.buffered() == 0);
}

TEST_CASE("reply parser: limits") {
    Limits limits;
    limits.max_bulk_len = 4;
    CHECK(one_reply("$4\r\nabcd\r\n", limits) == Value::bulk("abcd"));
    CHECK(reply_error("$5\r\n", limits) == "Protocol error: invalid bulk length");
    CHECK(reply_error("=9\r\n", limits) == "Protocol error: invalid bulk length");
    CHECK(reply_error("!5\r\n", limits) == "Protocol error: invalid bulk length");

    limits = {};
    limits.max_multibulk_len = 4;
    CHECK(one_reply("*4\r\n:1\r\n:2\r\n:3\r\n:4\r\n", limits).elements.size() == 4);
    CHECK(reply_error("*5\r\n", limits) == "Protocol error: invalid multibulk length");
    CHECK(reply_error("~5\r\n", limits) == "Protocol error: invalid multibulk length");
    CHECK(reply_error(">5\r\n", limits) == "Protocol error: invalid multibulk length");
    // A map of n pairs holds 2n values.
    CHECK(one_reply("%2\r\n:1\r\n:2\r\n:3\r\n:4\r\n", limits).elements.size() == 4);
    CHECK(reply_error("%3\r\n", limits) == "Protocol error: invalid multibulk length");
    CHECK(reply_error("|3\r\n", limits) == "Protocol error: invalid multibulk length");

    limits = {};
    limits.max_depth = 3;
    CHECK(one_reply("*1\r\n*1\r\n*1\r\n:1\r\n", limits) ==
          Value::array({Value::array({Value::array({Value::integer_value(1)})})}));
    CHECK(reply_error("*1\r\n*1\r\n*1\r\n*1\r\n", limits) ==
          "Protocol error: reply nested too deeply");
    CHECK(reply_error("*1\r\n%1\r\n~1\r\n>0\r\n", limits) ==
          "Protocol error: reply nested too deeply");
    CHECK(reply_error("*1\r\n*1\r\n*1\r\n|0\r\n", limits) ==
          "Protocol error: reply nested too deeply");
    // A null array is not an aggregate and may sit at the bottom.
    CHECK(one_reply("*1\r\n*1\r\n*1\r\n*-1\r\n", limits).elements.size() == 1);

    limits = {};
    limits.max_inline_len = 8;
    CHECK(one_reply("+12345678\r\n", limits) == Value::simple("12345678"));
    CHECK(reply_error("+123456789\r\n", limits) == "Protocol error: too big reply line");
    CHECK(reply_error("-123456789", limits) == "Protocol error: too big reply line");
    CHECK(reply_error(":" + std::string(20, '1'), limits) == "Protocol error: too big reply line");
}

TEST_CASE("reply parser: default depth limit is 32") {
    std::string deep;
    for (int i = 0; i < 32; ++i) {
        deep += "*1\r\n";
    }
    CHECK(one_reply(deep + ":1\r\n").type == Type::array);
    CHECK(reply_error(deep + "*1\r\n") == "Protocol error: reply nested too deeply");
}

TEST_CASE("reply parser: malformed input") {
    CHECK(reply_error("x") == "Protocol error: got 'x' as reply type byte");
    CHECK(reply_error(std::string("\0", 1)) == "Protocol error: got '\\x00' as reply type byte");
    CHECK(reply_error("\r\n") == "Protocol error: got '\\x0d' as reply type byte");
    CHECK(reply_error("*1\r\n?") == "Protocol error: got '?' as reply type byte");
    // Line endings are exactly CRLF.
    CHECK(reply_error("+OK\n") == "Protocol error: reply line not terminated by CRLF");
    CHECK(reply_error("+OK\rX") == "Protocol error: reply line not terminated by CRLF");
    CHECK(reply_error("+O\nK\r\n") == "Protocol error: reply line not terminated by CRLF");
    CHECK(reply_error("$3\r\nfooXY") == "Protocol error: bulk payload not terminated by CRLF");
    CHECK(reply_error("$3\r\nfoo\rX") == "Protocol error: bulk payload not terminated by CRLF");
    CHECK(reply_error("$3\r\nfoo\n\r") == "Protocol error: bulk payload not terminated by CRLF");
    // Integers follow string2ll.
    const char* bad_integers[] = {":\r\n",
                                  ":abc\r\n",
                                  ":01\r\n",
                                  ":+1\r\n",
                                  ":-\r\n",
                                  ":-0\r\n",
                                  ": 1\r\n",
                                  ":1.5\r\n",
                                  ":9223372036854775808\r\n",
                                  ":-9223372036854775809\r\n"};
    for (const char* input : bad_integers) {
        CAPTURE(input);
        CHECK(reply_error(input) == "Protocol error: invalid integer");
    }
    const char* bad_bulks[] = {"$-2\r\n", "$abc\r\n", "$\r\n",   "$?\r\n",
                               "$01\r\n", "=-1\r\n",  "!-1\r\n", "$99999999999999999999\r\n"};
    for (const char* input : bad_bulks) {
        CAPTURE(input);
        CHECK(reply_error(input) == "Protocol error: invalid bulk length");
    }
    const char* bad_counts[] = {"*-2\r\n", "*x\r\n",  "*?\r\n",  "%-1\r\n",
                                "~-1\r\n", ">-1\r\n", "|-1\r\n", "*\r\n"};
    for (const char* input : bad_counts) {
        CAPTURE(input);
        CHECK(reply_error(input) == "Protocol error: invalid multibulk length");
    }
    CHECK(reply_error("_x\r\n") == "Protocol error: invalid null");
    CHECK(reply_error("#\r\n") == "Protocol error: invalid boolean");
    CHECK(reply_error("#true\r\n") == "Protocol error: invalid boolean");
    const char* bad_doubles[] = {",\r\n",  ",abc\r\n", ",1.5x\r\n", ", 1\r\n",
                                 ",+\r\n", ",+-1\r\n", ",1,5\r\n"};
    for (const char* input : bad_doubles) {
        CAPTURE(input);
        CHECK(reply_error(input) == "Protocol error: invalid double");
    }
    CHECK(reply_error("(\r\n") == "Protocol error: invalid big number");
    CHECK(reply_error("(12a\r\n") == "Protocol error: invalid big number");
    CHECK(reply_error("(-\r\n") == "Protocol error: invalid big number");
    CHECK(reply_error("=3\r\nabc\r\n") == "Protocol error: invalid verbatim string");
    CHECK(reply_error("=4\r\ntxt-\r\n") == "Protocol error: invalid verbatim string");
    // Values before the bad one are still delivered.
    const ReplyRun run = replies_all_splits("+a\r\n:1\r\n:x\r\n+b\r\n");
    CHECK(run.values == std::vector<Value>{Value::simple("a"), Value::integer_value(1)});
    CHECK(run.error == "Protocol error: invalid integer");
}

TEST_CASE("reply parser: an error is final") {
    ReplyParser parser;
    Value v;
    parser.feed("@");
    CHECK(parser.next(v) == ParseStatus::error);
    parser.feed("+OK\r\n");
    CHECK(parser.next(v) == ParseStatus::error);
}

TEST_CASE("reply parser: large values fed in small pieces") {
    const std::string payload(1 << 20, 'p');
    std::string input;
    Writer(input).bulk(payload);
    ReplyParser parser;
    Value v;
    ParseStatus st = ParseStatus::incomplete;
    for (char c : input) {
        parser.feed(std::string_view(&c, 1));
        st = parser.next(v);
    }
    CHECK(st == ParseStatus::ok);
    CHECK(v == Value::bulk(payload));

    // A long status line: the parser remembers how far it has looked.
    const std::string line = "+" + std::string(60000, 's') + "\r\n";
    ReplyParser lines;
    for (char c : line) {
        lines.feed(std::string_view(&c, 1));
        st = lines.next(v);
    }
    CHECK(st == ParseStatus::ok);
    CHECK(v.str.size() == 60000);
}

TEST_CASE("reply parser: many values, buffer compaction") {
    std::string input;
    Writer w(input, 3);
    for (int i = 0; i < 5000; ++i) {
        w.map_header(1);
        w.bulk("key" + std::to_string(i));
        w.integer(i);
    }
    ReplyParser parser;
    Value v;
    int seen = 0;
    std::string scratch;
    for (std::size_t at = 0; at < input.size(); at += 333) {
        scratch.assign(std::string_view(input).substr(at, 333));
        parser.feed_borrowed(scratch);
        while (parser.next(v) == ParseStatus::ok) {
            CHECK(v.elements.size() == 2);
            CHECK(v.elements[1].integer == seen);
            ++seen;
        }
        CHECK(parser.buffered() < 333 + 32);
        std::fill(scratch.begin(), scratch.end(), '#');
    }
    CHECK(seen == 5000);
    CHECK(parser.buffered() == 0);
}
