// split_args / quote_arg / repr_arg: Redis's sdssplitargs and sdscatrepr, byte for byte.

#include "common/config/tokenize.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using sentinel::config::quote_arg;
using sentinel::config::repr_arg;
using sentinel::config::split_args;

namespace {

using Args = std::vector<std::string>;

Args split_ok(std::string_view line) {
    auto r = split_args(line);
    REQUIRE_MESSAGE(r.has_value(), "split failed for [" << line << "]");
    return *r;
}

bool splits_badly(std::string_view line) {
    auto r = split_args(line);
    if (r) {
        return false;
    }
    CHECK(r.error() == "unbalanced quotes");
    return true;
}

}  // namespace

TEST_CASE("split_args: plain words and blanks") {
    CHECK(split_ok("") == Args{});
    CHECK(split_ok("   \t  ") == Args{});
    CHECK(split_ok("port 26379") == Args{"port", "26379"});
    CHECK(split_ok("  a   b\tc  ") == Args{"a", "b", "c"});
    CHECK(split_ok("a\r\nb") == Args{"a", "b"});
    // \v and \f are skipped between words but do not end a word.
    CHECK(split_ok("\v\fa\vb") == Args{"a\vb"});
    // Outside quotes a backslash is an ordinary character.
    CHECK(split_ok("a\\b") == Args{"a\\b"});
}

TEST_CASE("split_args: double quotes and escapes") {
    CHECK(split_ok("\"hello world\"") == Args{"hello world"});
    CHECK(split_ok("\"\"") == Args{""});
    CHECK(split_ok("a \"\" b") == Args{"a", "", "b"});
    CHECK(split_ok(R"("\n\r\t\b\a\\\"")") == Args{"\n\r\t\b\a\\\""});
    CHECK(split_ok(R"("\x41\x4a\x7e\xff\x00z")") == Args{std::string("AJ~\xff\0z", 6)});
    CHECK(split_ok(R"("\xAb")") == Args{"\xab"});
    // An incomplete \x escape is just an escaped 'x'.
    CHECK(split_ok(R"("\x4" "\xg1")") == Args{"x4", "xg1"});
    // Unknown escapes keep the character.
    CHECK(split_ok(R"("\q\'")") == Args{"q'"});
    // A quote may open in the middle of a word.
    CHECK(split_ok("ab\"c d\"") == Args{"abc d"});
    CHECK(split_ok("\"a\"\t\"b\"") == Args{"a", "b"});
    // The closing quote may be followed by \v or \f (C isspace()).
    CHECK(split_ok("\"a\"\vb") == Args{"a", "b"});
}

TEST_CASE("split_args: single quotes") {
    CHECK(split_ok("'hello world'") == Args{"hello world"});
    CHECK(split_ok("''") == Args{""});
    CHECK(split_ok(R"('it\'s')") == Args{"it's"});
    // Only \' is an escape inside single quotes.
    CHECK(split_ok(R"('a\nb\\x')") == Args{"a\\nb\\\\x"});
    // ...so a backslash right before the closing quote escapes it.
    CHECK(splits_badly(R"('a\\')"));
    CHECK(split_ok("'\"'") == Args{"\""});
}

TEST_CASE("split_args: errors") {
    CHECK(splits_badly("\"abc"));
    CHECK(splits_badly("'abc"));
    CHECK(splits_badly("\"abc\"def"));
    CHECK(splits_badly("'abc'def"));
    CHECK(splits_badly("a \"b\\\""));
    CHECK(splits_badly("\"\\"));
    CHECK(splits_badly("'\\'"));
}

TEST_CASE("split_args: a NUL byte ends the line, as in C") {
    CHECK(split_ok(std::string_view("a b\0c d", 7)) == Args{"a", "b"});
    CHECK(splits_badly(std::string_view("\"a\0\"", 4)));
}

TEST_CASE("repr_arg is sdscatrepr") {
    CHECK(repr_arg("") == "\"\"");
    CHECK(repr_arg("1.2.3.4") == "\"1.2.3.4\"");
    CHECK(repr_arg("/var/lib/redis") == "\"/var/lib/redis\"");
    CHECK(repr_arg("a\"b\\c") == R"("a\"b\\c")");
    CHECK(repr_arg("\n\r\t\a\b") == R"("\n\r\t\a\b")");
    CHECK(repr_arg(std::string("\x01\x7f\xff\0", 4)) == R"("\x01\x7f\xff\x00")");
    CHECK(repr_arg("it's ok") == "\"it's ok\"");
}

TEST_CASE("quote_arg keeps safe words plain") {
    CHECK(quote_arg("mymaster") == "mymaster");
    CHECK(quote_arg("127.0.0.1") == "127.0.0.1");
    CHECK(quote_arg("+@all") == "+@all");
    CHECK(quote_arg("") == "\"\"");
    CHECK(quote_arg("two words") == "\"two words\"");
    CHECK(quote_arg("it's") == "\"it's\"");
    CHECK(quote_arg("a\\b") == "\"a\\\\b\"");
    CHECK(quote_arg("tab\there") == "\"tab\\there\"");
    CHECK(quote_arg("\xc3\xa9") == "\"\\xc3\\xa9\"");
}

TEST_CASE("quote_arg and repr_arg round-trip through split_args") {
    std::vector<std::string> samples = {"",         " ",
                                        "a",        "a b",
                                        "\"",       "'",
                                        "\\",       "\\x41",
                                        "#x",       "a\"b",
                                        "x'y",      std::string("\0\1\2", 3),
                                        "\xff\xfe", "\r\n\t\v\f\a\b",
                                        "--port",   "é"};
    for (int c = 0; c < 256; ++c) {
        samples.emplace_back(1, static_cast<char>(c));
    }
    for (const auto& s : samples) {
        CHECK(split_ok(quote_arg(s)) == Args{s});
        CHECK(split_ok(repr_arg(s)) == Args{s});
        CHECK(split_ok("x " + quote_arg(s) + " y") == Args{"x", s, "y"});
    }
}
