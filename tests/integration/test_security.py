"""Authentication, ACL users, hostnames and IPv6: ours next to Debian's redis-sentinel 7.0.15.

Every behaviour is set up identically for both implementations (running side by side,
each on its own master name so their hellos never mix) and the same assertions are
made of both.  Where ours differs, the "ours" case is a strict xfail naming the bug.

* Monitored servers with `requirepass` / an ACL user: `sentinel auth-pass` (and
  `auth-user`) make the master healthy with its replicas discovered; without the
  password the master is subjectively down (-NOAUTH PING replies are not valid).
* A sentinel with `requirepass`: unauthenticated clients get the exact NOAUTH texts;
  redis-py's Sentinel with sentinel_kwargs={'password': ...} discovers the master.
* Groups of three sentinels authenticating to each other: `sentinel-pass` (legacy
  default user), `sentinel-user` + an ACL `user` line, the `requirepass` fallback, and a
  member without credentials (it flags its peers s_down; they see it healthy).
* Hostnames: `resolve-hostnames` / `announce-hostnames` at load time and with
  SENTINEL MONITOR; exact start-up error without resolve-hostnames.
* IPv6: a master and replicas on ::1 only; replicas are named "[::1]:<port>".
"""

from __future__ import annotations

import time

import pytest
from redis.exceptions import RedisError
from redis.sentinel import MasterNotFoundError, Sentinel

import harness
import topology_security as ts
from harness import LOOPBACK, RespConnection, sentinel_list, sentinel_master, sentinel_myid

KINDS = ts.kind_params()
DOWN_AFTER = 1000  # ms: s_down shows within ~1-2 s
DEADLINE = 20.0  # generous: discovery needs a couple of 2 s hello periods

MASTER_PW = "master-secret"
ACL_USER = "sentinel-user"
ACL_PW = "sentinel-user-secret"
# The ACL documented for sentinels on monitored servers (redis.io, "Redis Access Control List
# authentication" in the Sentinel docs), plus &* for the hello channel.
ACL_RULES = ("+multi +slaveof +ping +exec +subscribe +config|rewrite +role +publish +info "
             "+client|setname +client|kill +script|kill &*")


@pytest.fixture(scope="class")
def class_procs(tmp_path_factory, ours_bin):
    pset = harness.ProcessSet(tmp_path_factory.mktemp("security"))
    yield pset
    pset.close()


def _conf(host: str, port: int, name: str, extra: str = "") -> str:
    return (f"sentinel monitor {name} {host} {port} 2\n"
            f"sentinel down-after-milliseconds {name} {DOWN_AFTER}\n{extra}")


def _run_id(port: int, password: str | None = None, host: str = LOOPBACK) -> str:
    if host == LOOPBACK:
        return harness.redis_info(port, "server", password)["run_id"]
    return ts.redis_info_v6(port, "server")["run_id"]


def _wait_healthy(inst, name: str, master, replicas, password: str | None = None) -> dict:
    """Wait until `inst` sees master `name` flagged just `master`, with its run id and every
    replica (flags `slave`, link ok, run id known)."""
    host = master.host
    master_id = _run_id(master.port, password, host)
    want = {(r.host, r.port): _run_id(r.port, password, host) for r in replicas}

    def check():
        entry = sentinel_master(inst, name)
        assert ts.master_flags(inst, name) == {"master"}, entry.get("flags")
        assert entry["runid"] == master_id, entry["runid"]
        assert entry["role-reported"] == "master"
        assert entry["num-slaves"] == str(len(replicas)), entry["num-slaves"]
        reps = sentinel_list(inst, "REPLICAS", name)
        got = {(r["ip"], int(r["port"])): r for r in reps}
        assert set(got) == set(want), sorted(got)
        for addr, rep in got.items():
            assert rep["flags"] == "slave" and rep["master-link-status"] == "ok", rep
            assert rep["runid"] == want[addr], rep
        return entry

    try:
        return harness.wait_until(check, DEADLINE, f"{inst.kind} sentinel to see {name} healthy")
    except TimeoutError as exc:
        raise AssertionError(f"{exc}\n{harness.describe_view(inst, name)}") from None


# =========================================================================== monitored servers


class TestMonitoredServerAuth:
    """requirepass / ACL user on the master and replicas."""

    VARIANTS = {
        "pass": f"sentinel auth-pass {{name}} {MASTER_PW}\n",
        "nopass": "",
        "acl": f"sentinel auth-user {{name}} {ACL_USER}\nsentinel auth-pass {{name}} {ACL_PW}\n",
        "aclwrong": f"sentinel auth-user {{name}} {ACL_USER}\nsentinel auth-pass {{name}} wrong\n",
    }

    @pytest.fixture(scope="class")
    def setup(self, class_procs):
        server_conf = (f"requirepass {MASTER_PW}\nmasterauth {MASTER_PW}\n"
                       f"repl-diskless-sync-delay 0\nuser {ACL_USER} on >{ACL_PW} {ACL_RULES}\n")
        master = class_procs.start_redis_server(extra_conf=server_conf)
        replicas = [class_procs.start_redis_server(
            extra_conf=server_conf + f"replicaof {LOOPBACK} {master.port}\n") for _ in range(2)]
        for rep in replicas:
            harness.wait_replica_link_up(rep.port, password=MASTER_PW)
        sentinels = {}
        for kind in ("ours", "real"):
            for variant, extra in self.VARIANTS.items():
                name = f"{variant}-{kind}"
                sentinels[(variant, kind)] = class_procs.start_sentinel(
                    kind, _conf(LOOPBACK, master.port, name, extra.format(name=name)))
        return master, replicas, sentinels

    @pytest.mark.parametrize("kind", KINDS)
    def test_auth_pass_makes_the_master_healthy(self, setup, kind):
        master, replicas, sentinels = setup
        inst = sentinels[("pass", kind)]
        _wait_healthy(inst, f"pass-{kind}", master, replicas, MASTER_PW)
        myid = sentinel_myid(inst)
        assert ts.sentinel_link_users(master.port, myid, MASTER_PW) == {
            f"sentinel-{myid[:8]}-cmd": "default", f"sentinel-{myid[:8]}-pubsub": "default"}

    @pytest.mark.parametrize("kind", KINDS)
    def test_acl_user_makes_the_master_healthy(self, setup, kind):
        master, replicas, sentinels = setup
        inst = sentinels[("acl", kind)]
        _wait_healthy(inst, f"acl-{kind}", master, replicas, MASTER_PW)
        myid = sentinel_myid(inst)
        assert ts.sentinel_link_users(master.port, myid, MASTER_PW) == {
            f"sentinel-{myid[:8]}-cmd": ACL_USER, f"sentinel-{myid[:8]}-pubsub": ACL_USER}
        for rep in replicas:
            assert ts.sentinel_link_users(rep.port, myid, MASTER_PW) == {
                f"sentinel-{myid[:8]}-cmd": ACL_USER, f"sentinel-{myid[:8]}-pubsub": ACL_USER}

    @pytest.mark.parametrize("variant", ["nopass", "aclwrong"])
    @pytest.mark.parametrize("kind", KINDS)
    def test_without_valid_credentials_the_master_is_sdown(self, setup, kind, variant):
        _, _, sentinels = setup
        name = f"{variant}-{kind}"
        inst = sentinels[(variant, kind)]
        entry = ts.wait_master(inst, lambda e: {"s_down", "master"} <= harness.flags_of(e),
                               f"{name} to be s_down", name=name, timeout=DEADLINE)
        flags = harness.flags_of(entry)
        assert not flags & {"o_down", "failover_in_progress"}, entry["flags"]
        # Nothing was learnt from the master: no INFO, no replicas.
        assert entry["runid"] == "" and entry["num-slaves"] == "0", entry
        assert entry["info-refresh"] == "0", entry
        assert sentinel_list(inst, "REPLICAS", name) == []

    # Redis (hiredis) drops the pub/sub link when SUBSCRIBE gets -NOAUTH, so a master without
    # valid credentials is flagged `s_down,master,disconnected`.
    @pytest.mark.parametrize("kind", ts.kind_params())
    def test_without_credentials_the_pubsub_link_is_dropped(self, setup, kind):
        _, _, sentinels = setup
        name = f"nopass-{kind}"
        inst = sentinels[("nopass", kind)]
        ts.wait_master(inst, lambda e: "s_down" in harness.flags_of(e), f"{name} to be s_down",
                       name=name, timeout=DEADLINE)
        # Redis reconnects the pub/sub link once a second and loses it again within a round
        # trip, so `disconnected` is (nearly) always there; a link merely being recycled now
        # and then would not pass this.
        samples = []
        for _ in range(20):
            samples.append(ts.master_flags(inst, name))
            time.sleep(0.05)
        steady = [f for f in samples if f == {"s_down", "master", "disconnected"}]
        assert len(steady) >= 15, [",".join(sorted(f)) for f in samples]


# =========================================================================== sentinel requirepass

SENTINEL_PW = "sentinel-secret"
NOAUTH = "NOAUTH Authentication required."
WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled."
HELLO_NOAUTH = ("NOAUTH HELLO must be called with the client already authenticated, otherwise the "
                "HELLO AUTH <user> <pass> option can be used to authenticate the client and select "
                "the RESP protocol version at the same time")


class TestSentinelRequirepass:

    @pytest.fixture(scope="class")
    def setup(self, class_procs):
        master = class_procs.start_redis_server(extra_conf="repl-diskless-sync-delay 0\n")
        replicas = [harness.start_replica(class_procs, master.port) for _ in range(2)]
        sentinels = {kind: class_procs.start_sentinel(
            kind, _conf(LOOPBACK, master.port, "mymaster", f"requirepass {SENTINEL_PW}\n"))
            for kind in ("ours", "real")}
        return master, replicas, sentinels

    @pytest.mark.parametrize("kind", KINDS)
    def test_unauthenticated_clients_get_noauth(self, setup, kind):
        inst = setup[2][kind]
        expected = [
            (("PING",), NOAUTH),
            (("SENTINEL", "MASTERS"), NOAUTH),
            (("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"), NOAUTH),
            (("SENTINEL", "MYID"), NOAUTH),
            (("INFO",), NOAUTH),
            (("ROLE",), NOAUTH),
            (("CLIENT", "SETNAME", "x"), NOAUTH),
            (("SUBSCRIBE", "__sentinel__:hello"), NOAUTH),
            (("PUBLISH", "__sentinel__:hello", "x"), NOAUTH),
            (("HELLO", "3"), HELLO_NOAUTH),
            (("AUTH", "wrong"), WRONGPASS),
            (("AUTH", "default", "wrong"), WRONGPASS),
        ]
        with RespConnection(inst.port) as conn:
            for cmd, text in expected:
                reply = conn.call(*cmd)
                assert reply.type == "error" and reply.value == text, f"{cmd}: {harness.render(reply)}"
            assert conn.call("AUTH", SENTINEL_PW).raw == b"+OK\r\n"
            assert conn.call("PING").raw == b"+PONG\r\n"
        with RespConnection(inst.port) as conn:
            assert conn.call("HELLO", "3", "AUTH", "default", SENTINEL_PW).type == "map"
            assert conn.call("PING").raw == b"+PONG\r\n"

    @pytest.mark.parametrize("kind", KINDS)
    def test_redis_py_sentinel_kwargs_password(self, setup, kind):
        master, replicas, sentinels = setup
        inst = sentinels[kind]
        client = Sentinel([(LOOPBACK, inst.port)], sentinel_kwargs={"password": SENTINEL_PW},
                          socket_timeout=1.0)
        assert client.discover_master("mymaster") == (LOOPBACK, master.port)
        harness.wait_until(
            lambda: sorted(client.discover_slaves("mymaster")) == sorted((r.host, r.port) for r in replicas),
            DEADLINE, "redis-py to list both replicas")
        assert client.master_for("mymaster", socket_timeout=1.0).ping() is True
        anonymous = Sentinel([(LOOPBACK, inst.port)], socket_timeout=1.0)
        with pytest.raises(MasterNotFoundError):
            anonymous.discover_master("mymaster")
        wrong = Sentinel([(LOOPBACK, inst.port)], sentinel_kwargs={"password": "wrong"},
                         socket_timeout=1.0)
        with pytest.raises(RedisError, match="WRONGPASS"):  # redis-py 4.3.4: a ResponseError
            wrong.discover_master("mymaster")


# =========================================================================== sentinel groups

GROUP_PW = "group-secret"
PEER_PW = "peer-user-secret"
ADMIN_PW = "admin-secret"
_PASS = f"requirepass {GROUP_PW}\nsentinel sentinel-pass {GROUP_PW}\n"
_ACL = (f"user default on >{ADMIN_PW} ~* &* +@all\n"
        f"user {ACL_USER} on >{PEER_PW} allchannels +@all\n"
        f"sentinel sentinel-user {ACL_USER}\nsentinel sentinel-pass {PEER_PW}\n")
# variant -> [(extra config, password clients need)] for the three members
GROUPS = {
    "sentinel-pass": [(_PASS, GROUP_PW)] * 3,
    "sentinel-user": [(_ACL, ADMIN_PW)] * 3,
    "requirepass-fallback": [(_PASS, GROUP_PW)] * 2 + [(f"requirepass {GROUP_PW}\n", GROUP_PW)],
    "one-without-credentials": [(_PASS, GROUP_PW)] * 2 + [("", None)],
}


class TestSentinelGroupAuth:

    @pytest.fixture(scope="class")
    def groups(self, class_procs):
        master = class_procs.start_redis_server()
        started = {}
        for kind in ("ours", "real"):
            for variant, members in GROUPS.items():
                name = f"{variant}-{kind}"
                started[(variant, kind)] = [
                    (class_procs.start_sentinel(kind, _conf(LOOPBACK, master.port, name, extra)), pw)
                    for extra, pw in members]
        return started

    @staticmethod
    def _peers(inst, name, pw):
        return {p["runid"]: p for p in sentinel_list(inst, "SENTINELS", name, password=pw)}

    @pytest.mark.parametrize("variant", ["sentinel-pass", "sentinel-user", "requirepass-fallback"])
    @pytest.mark.parametrize("kind", KINDS)
    def test_members_authenticate_to_each_other(self, groups, kind, variant):
        members = groups[(variant, kind)]
        name = f"{variant}-{kind}"
        ids = {inst.port: sentinel_myid(inst, password=pw) for inst, pw in members}

        def settled():
            for inst, pw in members:
                entry = sentinel_master(inst, name, password=pw)
                assert entry["num-other-sentinels"] == "2", (inst.port, entry["num-other-sentinels"])
                peers = self._peers(inst, name, pw)
                want = {ids[o.port]: o.port for o, _ in members if o is not inst}
                assert {k: int(v["port"]) for k, v in peers.items()} == want, (inst.port, peers)
                for peer in peers.values():
                    assert peer["flags"] == "sentinel", (inst.port, peer["port"], peer["flags"])
            return True

        harness.wait_until(settled, DEADLINE, f"{name}: every member to see two healthy peers")
        # The peers' command links are authenticated as the configured user.
        user = ACL_USER if variant == "sentinel-user" else "default"
        for inst, pw in members:
            for other, _ in members:
                if other is not inst:
                    oid = ids[other.port]
                    assert ts.sentinel_link_users(inst.port, oid, pw) == {f"sentinel-{oid[:8]}-cmd": user}

    @pytest.mark.parametrize("kind", KINDS)
    def test_member_without_credentials_sees_its_peers_sdown(self, groups, kind):
        members = groups[("one-without-credentials", kind)]
        name = f"one-without-credentials-{kind}"
        (a, pa), (b, pb), (c, _) = members
        ids = {inst.port: sentinel_myid(inst, password=pw) for inst, pw in members}

        def state():
            # The two with credentials see everybody healthy (c's hellos reach them through the
            # master, and c has no password, so their links to it work).
            for inst, pw in ((a, pa), (b, pb)):
                peers = self._peers(inst, name, pw)
                assert {int(p["port"]) for p in peers.values()} == {o.port for o, _ in members if o is not inst}
                assert all(p["flags"] == "sentinel" for p in peers.values()), (inst.port, peers)
            # c learns them from their hellos too, but its PINGs get -NOAUTH: s_down.
            peers = self._peers(c, name, None)
            assert set(peers) == {ids[a.port], ids[b.port]}, peers
            assert all(p["flags"] == "s_down,sentinel" for p in peers.values()), \
                [(p["port"], p["flags"]) for p in peers.values()]
            return True

        harness.wait_until(state, DEADLINE, f"{name}: c flags a and b s_down, they see c healthy")
        assert sentinel_master(c, name)["num-other-sentinels"] == "2"


# =========================================================================== hostnames

FATAL_HOSTNAME = ("*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
                  "Reading the configuration file, at line 2\n"
                  ">>> 'sentinel monitor mymaster localhost {port} 2'\n"
                  "Can't resolve instance hostname.\n")
INVALID_ADDR = "ERR Invalid IP address or hostname specified"


class TestHostnames:

    @pytest.fixture(scope="class")
    def setup(self, class_procs):
        master = class_procs.start_redis_server(extra_conf="repl-diskless-sync-delay 0\n")
        replica = harness.start_replica(class_procs, master.port)
        sentinels = {}
        for kind in ("ours", "real"):
            for announce in ("no", "yes"):
                name = f"host-{announce}-{kind}"
                sentinels[(kind, announce)] = class_procs.start_sentinel(kind, (
                    f"sentinel resolve-hostnames yes\nsentinel announce-hostnames {announce}\n"
                    + _conf("localhost", master.port, name)))
        return master, replica, sentinels

    @pytest.mark.parametrize("kind", KINDS)
    def test_hostname_without_resolve_hostnames_is_fatal(self, class_procs, setup, kind):
        master = setup[0]
        rc, out = ts.run_to_exit(class_procs, kind, f"bind {LOOPBACK}\n" + _conf("localhost", master.port,
                                 "mymaster"), f"{kind}-no-resolve")
        assert rc == 1, out
        assert ts.fatal_block(out) == FATAL_HOSTNAME.format(port=master.port)

    def test_hostname_rejection_output_matches_real(self, class_procs, setup):
        master = setup[0]
        conf = f"bind {LOOPBACK}\n" + _conf("localhost", master.port, "mymaster")
        outputs = {kind: ts.strip_log_prefix(ts.run_to_exit(class_procs, kind, conf, f"{kind}-out")[1])
                   for kind in ("ours", "real")}
        assert outputs["real"].startswith("Failed to resolve hostname 'localhost'\n"), outputs["real"]
        assert outputs["ours"] == outputs["real"]

    @pytest.mark.parametrize("announce", ["no", "yes"])
    @pytest.mark.parametrize("kind", KINDS)
    def test_hostname_master_is_monitored(self, setup, kind, announce):
        master, replica, sentinels = setup
        _wait_healthy(sentinels[(kind, announce)], f"host-{announce}-{kind}", master, [replica])

    @pytest.mark.parametrize("kind,announce", [
        pytest.param("ours", "no", id="ours-no"),
        pytest.param("ours", "yes", id="ours-yes"),
        pytest.param("real", "no", id="real-no"),
        pytest.param("real", "yes", id="real-yes")])
    def test_hostname_master_reported_address(self, setup, kind, announce):
        master, _, sentinels = setup
        inst = sentinels[(kind, announce)]
        name = f"host-{announce}-{kind}"
        host = "localhost" if announce == "yes" else LOOPBACK
        entry = sentinel_master(inst, name)
        assert (entry["ip"], entry["port"]) == (host, str(master.port))
        assert inst.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", name).py() == [host, str(master.port)]
        info = harness.redis_info(inst.port, "sentinel")
        line = next(v for k, v in info.items() if k.startswith("master") and f"name={name}," in v)
        assert f",address={host}:{master.port}," in line, line
        assert ts.lines_starting(inst.conf_path.read_text(), f"sentinel monitor {name} ") == [
            f"sentinel monitor {name} {host} {master.port} 2"]

    @pytest.mark.parametrize("kind", KINDS)
    def test_monitor_command_needs_resolve_hostnames(self, class_procs, setup, kind):
        master = setup[0]
        inst = class_procs.start_sentinel(kind, "")
        reply = inst.call("SENTINEL", "MONITOR", "h0", "localhost", str(master.port), "2")
        assert reply.type == "error" and reply.value == INVALID_ADDR, harness.render(reply)
        assert inst.call("SENTINEL", "CONFIG", "SET", "resolve-hostnames", "yes").raw == b"+OK\r\n"
        assert inst.call("SENTINEL", "MONITOR", "h1", "localhost", str(master.port), "2").raw == b"+OK\r\n"
        ts.wait_master(inst, lambda e: harness.flags_of(e) == {"master"} and e["runid"] != "",
                       "h1 monitored", name="h1", timeout=DEADLINE)

    @pytest.mark.parametrize("kind", KINDS)
    def test_monitor_command_reports_the_resolved_ip(self, class_procs, setup, kind):
        master = setup[0]
        inst = class_procs.start_sentinel(kind, "sentinel resolve-hostnames yes\n")
        watcher = harness.EventWatcher(inst.port)
        assert inst.call("SENTINEL", "MONITOR", "h1", "localhost", str(master.port), "2").raw == b"+OK\r\n"
        watcher.wait_for("+monitor", timeout=5.0)
        watcher.close()
        assert [e for e in watcher.events if e[0] == "+monitor"] == [
            ("+monitor", f"master h1 {LOOPBACK} {master.port} quorum 2")]
        assert inst.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "h1").py() == [LOOPBACK, str(master.port)]
        assert ts.lines_starting(inst.conf_path.read_text(), "sentinel monitor h1 ") == [
            f"sentinel monitor h1 {LOOPBACK} {master.port} 2"]

    @pytest.mark.parametrize("kind", KINDS)
    def test_monitor_command_rejects_unresolvable_hostnames(self, class_procs, setup, kind):
        master = setup[0]
        inst = class_procs.start_sentinel(kind, "sentinel resolve-hostnames yes\n")
        reply = inst.call("SENTINEL", "MONITOR", "h2", "no-such-host.invalid", str(master.port), "2")
        assert reply.type == "error" and reply.value == INVALID_ADDR, harness.render(reply)
        assert inst.call("SENTINEL", "MASTERS").py() == []


# =========================================================================== IPv6

V6 = ts.IPV6_LOOPBACK


class TestIPv6:

    @pytest.fixture(scope="class")
    def setup(self, class_procs):
        master = ts.start_redis_v6(class_procs)
        replicas = [ts.start_redis_v6(class_procs, f"replicaof {V6} {master.port}\n") for _ in range(2)]

        def links_up():
            return all(ts.redis_info_v6(r.port, "replication").get("master_link_status") == "up"
                       for r in replicas)

        harness.wait_until(links_up, DEADLINE, "IPv6 replicas to sync")
        sentinels = {kind: [class_procs.start_sentinel(
            kind, f"bind {LOOPBACK} {V6}\n" + _conf(V6, master.port, f"v6-{kind}")) for _ in range(2)]
            for kind in ("ours", "real")}
        return master, replicas, sentinels

    @pytest.mark.parametrize("kind", KINDS)
    def test_ipv6_master_replicas_and_peers(self, setup, kind):
        master, replicas, sentinels = setup
        name = f"v6-{kind}"
        pair = sentinels[kind]
        ids = {s.port: sentinel_myid(s) for s in pair}
        for inst in pair:
            entry = _wait_healthy(inst, name, master, replicas)
            assert (entry["ip"], entry["port"]) == (V6, str(master.port))
            reps = sentinel_list(inst, "REPLICAS", name)
            assert sorted(r["name"] for r in reps) == sorted(f"[{V6}]:{r.port}" for r in replicas)
            for rep in reps:
                assert rep["ip"] == V6 and rep["master-host"] == V6, rep
                assert rep["master-port"] == str(master.port)
            (peer,) = [o for o in pair if o is not inst]
            harness.wait_until(lambda: [(p["runid"], p["ip"], p["port"], p["flags"])
                                        for p in sentinel_list(inst, "SENTINELS", name)]
                               == [(ids[peer.port], V6, str(peer.port), "sentinel")],
                               DEADLINE, f"{kind} sentinel to see its peer over IPv6")
            assert inst.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", name).py() == [V6, str(master.port)]
            info = harness.redis_info(inst.port, "sentinel")
            assert info["master0"] == (f"name={name},status=ok,address={V6}:{master.port},"
                                       f"slaves=2,sentinels=2")
            # Discoveries reach the file in the next write; ours coalesces them (within 100 ms).
            want_sentinel = [f"sentinel known-sentinel {name} {V6} {peer.port} {ids[peer.port]}"]
            harness.wait_until(
                lambda: ts.lines_starting(inst.conf_path.read_text(),
                                          "sentinel known-sentinel ") == want_sentinel,
                DEADLINE, f"{kind} sentinel to persist its IPv6 peer")
            text = inst.conf_path.read_text()
            assert ts.lines_starting(text, f"sentinel monitor {name} ") == [
                f"sentinel monitor {name} {V6} {master.port} 2"]
            assert sorted(ts.lines_starting(text, "sentinel known-replica ")) == sorted(
                f"sentinel known-replica {name} {V6} {r.port}" for r in replicas)
            assert ts.lines_starting(text, "sentinel known-sentinel ") == want_sentinel
