#pragma once
// A minimal Expected<T, E> (std::expected is C++23): parsers return failures as values.

#include <utility>
#include <variant>

#include "common/util/assert.hpp"

namespace sentinel {

/// Wraps an error value so it can be told apart from a success value of the same type.
template <typename E>
struct Unexpected {
    E error;
};

template <typename E>
Unexpected<std::decay_t<E>> unexpected(E&& e) {
    return Unexpected<std::decay_t<E>>{std::forward<E>(e)};
}

/// Either a value of type T or an error of type E; accessing the wrong one asserts.
template <typename T, typename E>
class Expected {
  public:
    Expected(T value) : v_(std::in_place_index<0>, std::move(value)) {}
    Expected(Unexpected<E> err) : v_(std::in_place_index<1>, std::move(err.error)) {}

    bool has_value() const { return v_.index() == 0; }
    explicit operator bool() const { return has_value(); }

    T& value() {
        SENTINEL_ASSERT(has_value());
        return std::get<0>(v_);
    }
    const T& value() const {
        SENTINEL_ASSERT(has_value());
        return std::get<0>(v_);
    }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const E& error() const {
        SENTINEL_ASSERT(!has_value());
        return std::get<1>(v_);
    }

  private:
    std::variant<T, E> v_;
};

}  // namespace sentinel
