#pragma once
// A small seeded PRNG (xoshiro256**) owned by each sentinel instance, so runs replay from a seed.

#include <cstdint>
#include <string>

namespace sentinel {

/// Deterministic random numbers. Never shared between sentinels; never seeded from globals.
class Rng {
  public:
    explicit Rng(std::uint64_t seed) {
        // splitmix64 spreads a small seed over the whole state, as the xoshiro authors advise.
        for (auto& s : s_) {
            seed += 0x9e3779b97f4a7c15ULL;
            std::uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            s = z ^ (z >> 31);
        }
    }

    std::uint64_t next() {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    /// Uniform integer in [lo, hi] (inclusive). Used instead of std distributions, whose output
    /// differs between standard libraries.
    std::int64_t uniform(std::int64_t lo, std::int64_t hi) {
        if (hi <= lo) {
            return lo;
        }
        const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
        return lo + static_cast<std::int64_t>(next() % span);
    }

    /// `n` lowercase hex characters (run ids are 40).
    std::string hex(std::size_t n) {
        static constexpr char kDigits[] = "0123456789abcdef";
        std::string out;
        out.reserve(n);
        while (out.size() < n) {
            std::uint64_t v = next();
            for (int i = 0; i < 16 && out.size() < n; ++i, v >>= 4) {
                out.push_back(kDigits[v & 0xf]);
            }
        }
        return out;
    }

  private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4]{};
};

}  // namespace sentinel
