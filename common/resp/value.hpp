#pragma once
// RespValue: one decoded or to-be-encoded RESP2/RESP3 value.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sentinel::resp {

/// The RESP wire types. RESP3-only types are downgraded by the writer when speaking RESP2.
enum class Type : std::uint8_t {
    simple_string,  // +
    error,          // -  (and RESP3 blob error !)
    integer,        // :
    bulk_string,    // $
    array,          // *
    null,           // _  (RESP2: $-1 for a null bulk, *-1 for a null array)
    null_array,     // RESP2 *-1; RESP3 encodes as _
    map,            // %  elements hold key, value, key, value...
    set,            // ~
    push,           // >
    double_,        // ,  text form kept in str
    boolean,        // #
    big_number,     // (  digits kept in str
    verbatim,       // =  str holds "txt:..." (format, colon, text)
};

/// A RESP value. Aggregates keep children in `elements`; maps store keys and values alternately.
struct Value {
    Type type = Type::null;
    std::string str;              ///< simple/error/bulk/verbatim/double/big_number payload
    std::int64_t integer = 0;     ///< integer, and boolean as 0/1
    std::vector<Value> elements;  ///< array/set/push children; map: k0, v0, k1, v1...

    static Value simple(std::string_view s) {
        return Value{Type::simple_string, std::string(s), 0, {}};
    }
    static Value error(std::string_view s) { return Value{Type::error, std::string(s), 0, {}}; }
    static Value bulk(std::string_view s) {
        return Value{Type::bulk_string, std::string(s), 0, {}};
    }
    static Value integer_value(std::int64_t i) { return Value{Type::integer, {}, i, {}}; }
    static Value nil() { return Value{}; }
    static Value nil_array() { return Value{Type::null_array, {}, 0, {}}; }
    static Value array(std::vector<Value> v = {}) {
        return Value{Type::array, {}, 0, std::move(v)};
    }
    static Value map(std::vector<Value> kv = {}) { return Value{Type::map, {}, 0, std::move(kv)}; }
    static Value set(std::vector<Value> v = {}) { return Value{Type::set, {}, 0, std::move(v)}; }
    static Value push(std::vector<Value> v = {}) { return Value{Type::push, {}, 0, std::move(v)}; }
    static Value boolean_value(bool b) { return Value{Type::boolean, {}, b ? 1 : 0, {}}; }
    static Value verbatim_text(std::string_view fmt3, std::string_view text) {
        return Value{Type::verbatim, std::string(fmt3) + ":" + std::string(text), 0, {}};
    }

    bool is_error() const { return type == Type::error; }
    bool is_null() const { return type == Type::null || type == Type::null_array; }
    bool is_aggregate() const {
        return type == Type::array || type == Type::map || type == Type::set || type == Type::push;
    }

    friend bool operator==(const Value&, const Value&) = default;
};

}  // namespace sentinel::resp
