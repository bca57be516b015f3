#pragma once
// RESP2/RESP3 encoder. RESP3-only types fall back to their RESP2 forms as redis-server does.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/resp/value.hpp"

namespace sentinel::resp {

/// Appends encoded values to an output string. Protocol 2 or 3 is fixed per writer.
class Writer {
  public:
    explicit Writer(std::string& out, int protocol = 2) : out_(out), proto_(protocol) {}

    int protocol() const { return proto_; }

    void simple(std::string_view s);     ///< +s  (CR/LF inside s are replaced by spaces)
    void error(std::string_view s);      ///< -s  (s already carries its code, e.g. "ERR ...")
    void integer(std::int64_t i);        ///< :i
    void bulk(std::string_view s);       ///< $len s
    void null();                         ///< RESP2 $-1, RESP3 _
    void null_array();                   ///< RESP2 *-1, RESP3 _
    void array_header(std::size_t n);    ///< *n
    void map_header(std::size_t pairs);  ///< RESP3 %n; RESP2 *2n
    void set_header(std::size_t n);      ///< RESP3 ~n; RESP2 *n
    void push_header(std::size_t n);     ///< RESP3 >n; RESP2 *n
    void double_value(
        double d);         ///< RESP3 ,d; RESP2 bulk with the same text as Redis (%.17g, inf, -inf)
    void boolean(bool b);  ///< RESP3 #t/#f; RESP2 :1/:0
    void big_number(std::string_view digits);  ///< RESP3 (; RESP2 bulk
    void verbatim(std::string_view format3,
                  std::string_view text);  ///< RESP3 =; RESP2 bulk of text
    void value(const Value& v);            ///< any Value, recursively

    /// Encodes a command as a multibulk of bulk strings (what a client sends).
    static std::string command(const std::vector<std::string>& args);
    /// The same, appended to `out` (no temporary string per command).
    static void append_command(std::string& out, const std::vector<std::string>& args);

  private:
    std::string& out_;
    int proto_;
};

}  // namespace sentinel::resp
