#pragma once
// Users and permissions for clients of the sentinel: the part of Redis's ACL a sentinel needs.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/resp/value.hpp"

namespace sentinel::server {

/// One ACL user. Command rules are kept in the order given; the last matching rule decides.
struct AclUser {
    std::string name;
    bool enabled = false;
    bool nopass = false;
    std::vector<std::string> password_hashes;   ///< sha256 hex, in insertion order
    std::vector<std::string> key_patterns;      ///< shown as ~pattern
    std::vector<std::string> channel_patterns;  ///< shown as &pattern; empty = resetchannels
    std::vector<std::string> command_rules;     ///< "+@all", "-@all", "+ping", "-sentinel|set"
};

/// The user table. "default" always exists.
class Acl {
  public:
    Acl();

    /// Applies `requirepass`: default user gets that password and loses nopass.
    void set_requirepass(std::string_view password);

    /// Applies ACL SETUSER rules (creating the user). Returns Redis's error text on failure,
    /// without changing the user.
    std::optional<std::string> set_user(std::string_view name,
                                        const std::vector<std::string>& rules);

    /// Removes users; returns how many existed. The default user cannot be removed (caller checks).
    int delete_users(const std::vector<std::string>& names);

    /// True if `user` exists, is enabled and accepts `password`.
    bool authenticate(std::string_view user, std::string_view password) const;

    /// True if the default user needs no password (clients start authenticated).
    bool default_is_nopass() const;

    /// True if `user` may run `command` (lower-case), or `command|sub` when `sub` is given.
    bool can_run(std::string_view user, std::string_view command, std::string_view sub) const;

    /// ACL LIST lines, sorted by name as Redis prints them.
    std::vector<std::string> describe_all() const;

    /// Every user as the words of its `user` config line after "user" ({name, "on", "#<sha256>",
    /// "~*", "resetchannels", "+@all", ...}, the ACL LIST form), sorted by name, default user
    /// included: what Redis's config rewrite saves.
    std::vector<std::vector<std::string>> config_users() const;

    /// ACL GETUSER reply, or nullopt for an unknown user.
    std::optional<resp::Value> getuser(std::string_view name) const;

    std::vector<std::string> user_names() const;
    bool exists(std::string_view name) const;

  private:
    const AclUser* find(std::string_view name) const;
    static std::vector<std::string> line_words(const AclUser& u);
    static std::string describe(const AclUser& u);
    std::vector<AclUser> users_;
};

}  // namespace sentinel::server
