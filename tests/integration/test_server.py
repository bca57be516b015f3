"""Client-facing behaviour of OUR sentinel binary ($SENTINEL_BIN).

Expected texts are those of Debian 12's redis-sentinel 7.0.15 (see
/work/shared/reference/sentinel-compat.md sections 6, 8 and 10).  Every reply is
read with the raw RESP client from harness.py so the wire type is checked too
(simple vs bulk, null array vs null bulk, map vs array).
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile

import pytest
import redis
from redis.sentinel import MasterNotFoundError, Sentinel

import harness
from harness import LOOPBACK, Reply, free_port, parse_info, render, wait_until

if harness.sentinel_bin() is None:
    pytest.skip("SENTINEL_BIN is not set: these tests exercise OUR sentinel binary "
                "(run via ctest, or export SENTINEL_BIN=/path/to/sentinel)", allow_module_level=True)

MASTER = "mymaster"
DOWN_AFTER = 10000
FAILOVER_TIMEOUT = 60000


def monitor_conf(master_port: int, name: str = MASTER, quorum: int = 2, extra: str = "") -> str:
    return (f"sentinel monitor {name} {LOOPBACK} {master_port} {quorum}\n"
            f"sentinel down-after-milliseconds {name} {DOWN_AFTER}\n"
            f"sentinel failover-timeout {name} {FAILOVER_TIMEOUT}\n" + extra)


# Shape of a healthy master's instance list (reference section 6.1, 20 pairs).
MASTER_FIELDS = [
    "name", "ip", "port", "runid", "flags", "link-pending-commands", "link-refcount",
    "last-ping-sent", "last-ok-ping-reply", "last-ping-reply", "down-after-milliseconds",
    "info-refresh", "role-reported", "role-reported-time", "config-epoch", "num-slaves",
    "num-other-sentinels", "quorum", "failover-timeout", "parallel-syncs",
]
CONFIG_GET_ALL = [
    ("resolve-hostnames", "no"), ("announce-hostnames", "no"), ("announce-ip", ""),
    ("announce-port", "0"), ("sentinel-user", ""), ("sentinel-pass", ""),
]


def bulk(text: str) -> Reply:
    return Reply("bulk", text)


def simple(text: str) -> Reply:
    return Reply("simple", text)


def error(text: str) -> Reply:
    return Reply("error", text)


def array(*items: Reply) -> Reply:
    return Reply("array", tuple(items))


def push(*items: Reply) -> Reply:
    return Reply("push", tuple(items))


NULL_ARRAY = Reply("null", "*-1")
NULL_BULK = Reply("null", "$-1")
RESP3_NULL = Reply("null", "_")
OK = simple("OK")
PONG = simple("PONG")


def expect(reply: Reply, wanted: Reply, what: str) -> None:
    assert reply == wanted, f"{what}:\n got:\n{render(reply)}\n want:\n{render(wanted)}"


def expect_error(reply: Reply, text: str, what: str) -> None:
    assert reply.type == "error", f"{what}: expected error {text!r}, got:\n{render(reply)}"
    assert reply.value == text, f"{what}: wrong error text\n got:  {reply.value!r}\n want: {text!r}"


def client_fields(line: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in line.split(" ") if "=" in item)


def wait_exit(proc: harness.Proc, timeout: float = harness.DEADLINE) -> int:
    return proc.wait(timeout)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def sentinel(module_procs, module_master) -> harness.SentinelInstance:
    """Our sentinel monitoring a live redis-server master; shared by read-only tests."""
    return module_procs.start_sentinel("ours", monitor_conf(module_master.port))


@pytest.fixture
def conn(sentinel):
    with sentinel.connect() as c:
        yield c


@pytest.fixture
def dead_port() -> int:
    """A reserved loopback port nothing listens on (a master that is simply down)."""
    return free_port()


@pytest.fixture
def own_sentinel(sentinel_factory, dead_port):
    """A private sentinel of ours (monitoring a down master) for tests that change state."""
    return sentinel_factory("ours", monitor_conf(dead_port))


# --------------------------------------------------------------------------- basics


def test_ping(conn):
    expect(conn.call("PING"), PONG, "PING")
    expect(conn.call("PING", "hello"), bulk("hello"), "PING <msg> echoes a bulk string")
    expect_error(conn.call("PING", "a", "b"), "ERR wrong number of arguments for 'ping' command", "PING a b")
    conn.send_raw(b"PING\r\n")
    expect(conn.read(), PONG, "inline PING")
    conn.send_raw(b'PING "a b"\r\n')
    expect(conn.read(), bulk("a b"), "inline PING with a quoted argument")


def test_ping_large_payload(conn):
    payload = "x" * (1024 * 1024)
    reply = conn.call("PING", payload)
    assert reply.type == "bulk" and reply.value == payload, "PING with a 1 MiB argument must echo it back"


def test_role(conn):
    expect(conn.call("ROLE"), array(bulk("sentinel"), array(bulk(MASTER))), "ROLE")


def test_info_default_sections(conn, sentinel):
    reply = conn.call("INFO")
    assert reply.type == "bulk", f"INFO must be a bulk string, got {reply.type}"
    headers = [line for line in reply.value.split("\r\n") if line.startswith("# ")]
    assert headers == ["# Server", "# Clients", "# Stats", "# CPU", "# Sentinel"], headers
    server = parse_info(reply.value)["Server"]
    assert server.get("redis_mode") == "sentinel", server
    assert server.get("tcp_port") == str(sentinel.port), server
    assert server.get("config_file") == str(sentinel.conf_path), server
    assert server.get("process_id") == str(sentinel.proc.pid), server
    for all_alias in ("default", "all", "everything"):
        other = conn.call("INFO", all_alias)
        got = [line for line in other.value.split("\r\n") if line.startswith("# ")]
        assert got == headers, f"INFO {all_alias} sections: {got}"


def test_info_sentinel_section(conn, module_master):
    reply = conn.call("INFO", "sentinel")
    assert reply.type == "bulk", f"INFO sentinel must be a bulk string, got {reply.type}"
    lines = reply.value.split("\r\n")
    assert lines[0] == "# Sentinel", lines
    fields = parse_info(reply.value)["Sentinel"]
    assert list(fields) == [
        "sentinel_masters", "sentinel_tilt", "sentinel_tilt_since_seconds", "sentinel_running_scripts",
        "sentinel_scripts_queue_length", "sentinel_simulate_failure_flags", "master0"], fields
    assert fields["sentinel_masters"] == "1"
    assert fields["sentinel_tilt"] == "0"
    assert fields["sentinel_tilt_since_seconds"] == "-1"
    assert fields["master0"] == (f"name={MASTER},status=ok,address={LOOPBACK}:{module_master.port},"
                                 f"slaves=0,sentinels=1"), fields["master0"]
    assert reply.value.endswith("\r\n"), "INFO text ends with CRLF"


def test_info_unknown_section_is_empty(conn):
    expect(conn.call("INFO", "nosuchsection"), bulk(""), "INFO with an unknown section")


def test_myid(conn, sentinel):
    reply = conn.call("SENTINEL", "MYID")
    assert reply.type == "bulk" and harness.HEX40.match(reply.value), f"MYID must be 40 hex chars: {reply}"
    expect(conn.call("SENTINEL", "myid"), reply, "MYID is stable and the subcommand case-insensitive")
    wait_until(lambda: f"sentinel myid {reply.value}" in sentinel.conf_path.read_text(),
               what="'sentinel myid <id>' to be written to the config file")


def test_myid_from_config(sentinel_factory, dead_port):
    myid = "0123456789abcdef0123456789abcdef01234567"
    inst = sentinel_factory("ours", f"sentinel myid {myid}\n" + monitor_conf(dead_port))
    expect(inst.call("SENTINEL", "MYID"), bulk(myid), "MYID from the config file")


def check_master_entry(entry: Reply, master_port: int, proto: int = 2) -> None:
    assert entry.type == ("map" if proto == 3 else "array"), f"instance list type: {entry.type}"
    assert entry.field_names() == MASTER_FIELDS, f"field names/order:\n{entry.field_names()}"
    for key, value in entry.pairs():
        assert key.type == "bulk" and value.type == "bulk", f"{key.value}: all names and values are bulk strings"
    fields = entry.as_dict()
    assert fields["name"] == MASTER
    assert fields["ip"] == LOOPBACK
    assert fields["port"] == str(master_port)
    assert fields["runid"] == "" or harness.HEX40.match(fields["runid"]), fields["runid"]
    flags = fields["flags"].split(",")
    assert flags[0] == "master" and not {"s_down", "o_down"} & set(flags), f"flags {fields['flags']!r}"
    for key in ("link-pending-commands", "link-refcount", "last-ping-sent", "last-ok-ping-reply",
                "last-ping-reply", "info-refresh", "role-reported-time"):
        assert fields[key].lstrip("-").isdigit(), f"{key} must be an integer, got {fields[key]!r}"
    assert fields["role-reported"] == "master"
    assert fields["down-after-milliseconds"] == str(DOWN_AFTER)
    assert fields["failover-timeout"] == str(FAILOVER_TIMEOUT)
    assert fields["quorum"] == "2"
    assert fields["parallel-syncs"] == "1"
    assert fields["config-epoch"] == "0"
    assert fields["num-slaves"] == "0"
    assert fields["num-other-sentinels"] == "0"


def test_sentinel_masters(conn, module_master):
    reply = conn.call("SENTINEL", "MASTERS")
    assert reply.type == "array" and len(reply.value) == 1, f"MASTERS:\n{render(reply)}"
    check_master_entry(reply.value[0], module_master.port)


def test_sentinel_master(conn, module_master):
    check_master_entry(conn.call("SENTINEL", "MASTER", MASTER), module_master.port)
    expect_error(conn.call("SENTINEL", "MASTER", "nosuch"), "ERR No such master with that name", "unknown master")
    expect_error(conn.call("SENTINEL", "MASTER"),
                 "ERR wrong number of arguments for 'sentinel|master' command", "SENTINEL MASTER arity")


@pytest.mark.parametrize("sub", ["REPLICAS", "SLAVES", "SENTINELS", "replicas"])
def test_sentinel_empty_lists(conn, sub):
    expect(conn.call("SENTINEL", sub, MASTER), array(), f"SENTINEL {sub} of a master without replicas/peers")
    expect_error(conn.call("SENTINEL", sub, "nosuch"), "ERR No such master with that name", f"{sub} nosuch")
    expect_error(conn.call("SENTINEL", sub),
                 f"ERR wrong number of arguments for 'sentinel|{sub.lower()}' command", f"{sub} arity")


def test_get_master_addr_by_name(conn, module_master):
    expect(conn.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER),
           array(bulk(LOOPBACK), bulk(str(module_master.port))), "known master: [ip, port] as bulk strings")
    expect(conn.call("SENTINEL", "get-master-addr-by-name", "nosuch"), NULL_ARRAY,
           "unknown master: null array (*-1)")


def test_config_get(conn):
    reply = conn.call("SENTINEL", "CONFIG", "GET", "*")
    expect(reply, array(*(bulk(x) for kv in CONFIG_GET_ALL for x in kv)), "SENTINEL CONFIG GET *")
    expect(conn.call("SENTINEL", "CONFIG", "GET", "resolve-hostnames"),
           array(bulk("resolve-hostnames"), bulk("no")), "CONFIG GET one parameter")
    expect(conn.call("SENTINEL", "CONFIG", "GET", "ANNOUNCE-*"),
           array(*(bulk(x) for kv in CONFIG_GET_ALL[1:4] for x in kv)), "CONFIG GET is a case-insensitive glob")
    expect(conn.call("SENTINEL", "CONFIG", "GET", "nosuch"), array(), "CONFIG GET of an unknown parameter")


def test_hello_and_resp3(conn, module_master):
    client_id = conn.call("CLIENT", "ID")
    reply = conn.call("HELLO", "3")
    assert reply.type == "map", f"HELLO 3 must answer a RESP3 map:\n{render(reply)}"
    assert reply.field_names() == ["server", "version", "proto", "id", "mode", "modules"], reply.field_names()
    fields = dict(reply.pairs())
    expect(fields[bulk("server")], bulk("redis"), "HELLO server")
    expect(fields[bulk("version")], bulk("7.0.15"), "HELLO version")
    expect(fields[bulk("proto")], Reply("int", 3), "HELLO proto")
    expect(fields[bulk("id")], client_id, "HELLO id is the CLIENT ID")
    expect(fields[bulk("mode")], bulk("sentinel"), "HELLO mode")
    expect(fields[bulk("modules")], array(), "HELLO modules")

    master = conn.call("SENTINEL", "MASTER", MASTER)
    check_master_entry(master, module_master.port, proto=3)
    masters = conn.call("SENTINEL", "MASTERS")
    assert masters.type == "array" and [m.type for m in masters.value] == ["map"], render(masters)
    expect(conn.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "nosuch"), RESP3_NULL, "RESP3 null for unknown master")
    expect(conn.call("SENTINEL", "CONFIG", "GET", "*"),
           Reply("map", tuple((bulk(k), bulk(v)) for k, v in CONFIG_GET_ALL)), "RESP3 CONFIG GET map")
    expect(conn.call("CLIENT", "GETNAME"), RESP3_NULL, "RESP3 CLIENT GETNAME without a name")
    assert conn.call("INFO", "sentinel").type == "bulk", "INFO stays a plain bulk string in RESP3"
    expect(conn.call("ROLE"), array(bulk("sentinel"), array(bulk(MASTER))), "ROLE in RESP3")
    expect(conn.call("PING"), PONG, "PING in RESP3")

    back = conn.call("HELLO", "2")
    assert back.type == "array" and len(back.value) == 12, f"HELLO 2 answers a flat array:\n{render(back)}"
    assert conn.call("SENTINEL", "MASTER", MASTER).type == "array", "back to RESP2 after HELLO 2"


def test_hello_errors(conn):
    expect_error(conn.call("HELLO", "4"), "NOPROTO unsupported protocol version", "HELLO 4")
    expect_error(conn.call("HELLO", "abc"), "ERR Protocol version is not an integer or out of range", "HELLO abc")
    reply = conn.call("HELLO")
    assert reply.type == "array" and reply.as_dict()["proto"] == 2, f"HELLO without version:\n{render(reply)}"


# --------------------------------------------------------------------------- errors

UNKNOWN = "ERR unknown command '{}', with args beginning with: {}"
ERROR_CASES = [
    (["FOO"], UNKNOWN.format("FOO", "")),
    (["FOO", "a"], UNKNOWN.format("FOO", "'a' ")),
    (["foo", "a", "b"], UNKNOWN.format("foo", "'a' 'b' ")),
    (["QUIT"], UNKNOWN.format("QUIT", "")),
    (["SELECT", "0"], UNKNOWN.format("SELECT", "'0' ")),
    (["GET", "k"], UNKNOWN.format("GET", "'k' ")),
    (["SENTINEL"], "ERR wrong number of arguments for 'sentinel' command"),
    (["SENTINEL", "nosuch"], "ERR unknown subcommand 'nosuch'. Try SENTINEL HELP."),
    (["SENTINEL", "MASTER"], "ERR wrong number of arguments for 'sentinel|master' command"),
    (["SENTINEL", "MASTERS", "x"], "ERR wrong number of arguments for 'sentinel|masters' command"),
    (["SENTINEL", "MASTER", "nosuch"], "ERR No such master with that name"),
    (["SENTINEL", "CONFIG"], "ERR wrong number of arguments for 'sentinel|config' command"),
    (["SENTINEL", "CONFIG", "SET", "foo", "bar"], "ERR Invalid argument 'foo' to SENTINEL CONFIG SET"),
    (["SENTINEL", "CONFIG", "SET", "announce-port", "abc"],
     "ERR Invalid value 'abc' to SENTINEL CONFIG SET 'announce-port'"),
    (["SENTINEL", "CONFIG", "GET", "a", "b"],
     "ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported."),
    (["SENTINEL", "SET", MASTER, "nosuch", "1"], "ERR Unknown option or number of arguments for SENTINEL SET 'nosuch'"),
    (["SENTINEL", "SET", MASTER, "quorum", "abc"], "ERR Invalid argument 'abc' for SENTINEL SET 'quorum'"),
    (["SENTINEL", "MONITOR", "x", LOOPBACK, "6379", "abc"], "ERR Invalid quorum"),
    (["SENTINEL", "MONITOR", "x", LOOPBACK, "6379", "0"], "ERR Quorum must be 1 or greater."),
    (["SENTINEL", "IS-MASTER-DOWN-BY-ADDR", LOOPBACK, "abc", "0", "*"],
     "ERR value is not an integer or out of range"),
    (["PUBLISH", "x", "y"], "ERR Only HELLO messages are accepted by Sentinel instances."),
    (["CLIENT", "NOSUCH"], "ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP."),
    (["AUTH", "x"], "ERR AUTH <password> called without any password configured for the default user. "
                    "Are you sure your configuration is correct?"),
    (["HELLO", "4"], "NOPROTO unsupported protocol version"),
]


@pytest.mark.parametrize("args,text", ERROR_CASES, ids=[" ".join(a) for a, _ in ERROR_CASES])
def test_error_replies(conn, args, text):
    expect_error(conn.call(*args), text, " ".join(args))
    expect(conn.call("PING"), PONG, "the connection keeps working after an error")


def test_command_count(conn):
    expect(conn.call("COMMAND", "COUNT"), Reply("int", 15), "COMMAND COUNT")


def test_publish_hello_channel_is_accepted(conn):
    expect(conn.call("PUBLISH", "__sentinel__:hello", "garbage"), Reply("int", 1),
           "PUBLISH to __sentinel__:hello replies :1 (payload processed, not relayed)")


# --------------------------------------------------------------------------- protocol robustness


def test_pipelining_100_pings(conn):
    conn.send_raw(harness.encode_command("PING") * 100)
    replies = conn.read_many(100)
    assert replies == [PONG] * 100, f"got {len([r for r in replies if r == PONG])}/100 PONGs"


def test_pipelining_mixed(conn):
    conn.send_raw(b"PING\r\n" + harness.encode_command("ROLE") + harness.encode_command("PING", "x")
                  + b"FOO\r\n" + harness.encode_command("COMMAND", "COUNT"))
    replies = conn.read_many(5)
    expect(replies[0], PONG, "1st pipelined reply")
    expect(replies[1], array(bulk("sentinel"), array(bulk(MASTER))), "2nd pipelined reply")
    expect(replies[2], bulk("x"), "3rd pipelined reply")
    expect_error(replies[3], UNKNOWN.format("FOO", ""), "4th pipelined reply")
    expect(replies[4], Reply("int", 15), "5th pipelined reply")


def test_request_split_across_writes(conn):
    data = harness.encode_command("PING", "split-payload")
    for i in range(len(data)):
        conn.send_raw(data[i:i + 1])
    expect(conn.read(), bulk("split-payload"), "a request arriving one byte at a time")


def test_empty_requests_are_ignored(conn):
    conn.send_raw(b"\r\n\r\n*0\r\nPING\r\n")
    expect(conn.read(), PONG, "blank lines and *0 produce no reply")


MALFORMED = [
    (b"*abc\r\n", "ERR Protocol error: invalid multibulk length"),
    (b"*1\r\n$abc\r\n", "ERR Protocol error: invalid bulk length"),
    (b"*1\r\n$-5\r\n", "ERR Protocol error: invalid bulk length"),
    (b"*1\r\nfoo\r\n", "ERR Protocol error: expected '$', got 'f'"),
    (b'"unbalanced\r\n', "ERR Protocol error: unbalanced quotes in request"),
    # oversized: bulk above proto-max-bulk-len (512 MiB), multibulk above INT_MAX, 64 KiB line limits
    (b"*1\r\n$536870913\r\n", "ERR Protocol error: invalid bulk length"),
    (b"*2147483648\r\n", "ERR Protocol error: invalid multibulk length"),
    (b"A" * 70000, "ERR Protocol error: too big inline request"),
    (b"*1" + b"1" * 70000, "ERR Protocol error: too big mbulk count string"),
    (b"*1\r\n$" + b"1" * 70000, "ERR Protocol error: too big bulk count string"),
]


@pytest.mark.parametrize("data,text", MALFORMED, ids=[d[:16].decode(errors="replace").replace("\r\n", "|")
                                                      for d, _ in MALFORMED])
def test_malformed_request_closes_only_that_client(sentinel, data, text):
    with sentinel.connect() as bystander, sentinel.connect() as bad:
        expect(bystander.call("PING"), PONG, "bystander before")
        bad.send_raw(data)
        expect_error(bad.read(), text, f"reply to malformed {data[:20]!r}")
        assert bad.wait_closed(), "the server must close the connection after a protocol error"
        expect(bystander.call("PING"), PONG, "another client keeps being served")
        expect(bystander.call("ROLE"), array(bulk("sentinel"), array(bulk(MASTER))), "bystander ROLE")
    wait_until(lambda: harness.is_listening(sentinel.port), what="sentinel still listening")


# --------------------------------------------------------------------------- AUTH


@pytest.fixture
def auth_sentinel(sentinel_factory, dead_port):
    return sentinel_factory("ours", "requirepass secret\n" + monitor_conf(dead_port))


def test_requirepass(auth_sentinel):
    noauth = "NOAUTH Authentication required."
    wrongpass = "WRONGPASS invalid username-password pair or user is disabled."
    with auth_sentinel.connect() as c:
        expect_error(c.call("PING"), noauth, "PING before AUTH")
        expect_error(c.call("SENTINEL", "MASTERS"), noauth, "SENTINEL before AUTH")
        expect_error(c.call("CLIENT", "ID"), noauth, "CLIENT before AUTH")
        expect_error(c.call("HELLO", "3"),
                     "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
                     "HELLO AUTH <user> <pass> option can be used to authenticate the client and select "
                     "the RESP protocol version at the same time", "HELLO 3 before AUTH")
        expect_error(c.call("AUTH", "wrong"), wrongpass, "AUTH wrong")
        expect_error(c.call("AUTH", "default", "wrong"), wrongpass, "AUTH default wrong")
        expect_error(c.call("HELLO", "3", "AUTH", "default", "wrong"), wrongpass, "HELLO 3 AUTH wrong")
        expect(c.call("AUTH", "secret"), OK, "AUTH secret")
        expect(c.call("PING"), PONG, "PING after AUTH")
        expect(c.call("ROLE"), array(bulk("sentinel"), array(bulk(MASTER))), "ROLE after AUTH")
    with auth_sentinel.connect() as c:
        expect(c.call("AUTH", "default", "secret"), OK, "AUTH default secret")
        expect(c.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "nosuch"), NULL_ARRAY, "command after AUTH")
    with auth_sentinel.connect() as c:
        reply = c.call("HELLO", "3", "AUTH", "default", "secret")
        assert reply.type == "map" and reply.as_dict()["proto"] == 3, f"HELLO 3 AUTH:\n{render(reply)}"
        expect(c.call("PING"), PONG, "PING after HELLO AUTH")


@pytest.mark.parametrize("data,text", [
    (b"*20\r\n", "ERR Protocol error: unauthenticated multibulk length"),
    (b"*1\r\n$20000\r\n", "ERR Protocol error: unauthenticated bulk length"),
], ids=["multibulk", "bulk"])
def test_unauthenticated_request_limits(auth_sentinel, data, text):
    with auth_sentinel.connect() as c:
        c.send_raw(data)
        expect_error(c.read(), text, "oversized request before AUTH")
        assert c.wait_closed(), "connection must be closed"


# --------------------------------------------------------------------------- CLIENT


def test_client_setname_getname(conn):
    expect(conn.call("CLIENT", "GETNAME"), NULL_BULK, "GETNAME without a name is a null bulk")
    expect(conn.call("CLIENT", "SETNAME", "itest-name"), OK, "SETNAME")
    expect(conn.call("CLIENT", "GETNAME"), bulk("itest-name"), "GETNAME after SETNAME")
    expect_error(conn.call("CLIENT", "SETNAME", "a b"),
                 "ERR Client names cannot contain spaces, newlines or special characters.", "SETNAME with a space")


def test_client_id_info_list(sentinel, conn):
    first = conn.call("CLIENT", "ID")
    assert first.type == "int" and first.value > 0, f"CLIENT ID: {first}"
    with sentinel.connect() as other:
        second = other.call("CLIENT", "ID")
        assert second.type == "int" and second.value > first.value, "client ids increase"
    conn.call("CLIENT", "SETNAME", "itest-list")

    info = conn.call("CLIENT", "INFO")
    assert info.type == "bulk" and info.value.endswith("\n") and info.value.count("\n") == 1, repr(info)
    fields = client_fields(info.value.strip())
    assert fields["id"] == str(first.value), fields
    assert fields["addr"].startswith(f"{LOOPBACK}:"), fields
    assert fields["laddr"] == f"{LOOPBACK}:{sentinel.port}", fields
    assert fields["name"] == "itest-list" and fields["cmd"] == "client|info", fields

    listing = conn.call("CLIENT", "LIST")
    assert listing.type == "bulk", f"CLIENT LIST is a bulk string: {listing.type}"
    mine = [client_fields(line) for line in listing.value.splitlines() if line.startswith(f"id={first.value} ")]
    assert len(mine) == 1, f"own connection not in CLIENT LIST:\n{listing.value}"
    assert mine[0]["name"] == "itest-list" and mine[0]["cmd"] == "client|list", mine[0]


def test_client_kill(sentinel, conn):
    with sentinel.connect() as victim:
        victim_id = victim.call("CLIENT", "ID").value
        expect(conn.call("CLIENT", "KILL", "ID", str(victim_id)), Reply("int", 1), "CLIENT KILL ID <id>")
        assert victim.wait_closed(), "killed client must be disconnected"
    with sentinel.connect() as victim:
        addr = client_fields(victim.call("CLIENT", "INFO").value.strip())["addr"]
        expect(conn.call("CLIENT", "KILL", addr), OK, "old-style CLIENT KILL <addr>")
        assert victim.wait_closed(), "killed client must be disconnected"
    expect(conn.call("CLIENT", "KILL", "ID", "999999999"), Reply("int", 0), "CLIENT KILL ID of nobody")
    expect_error(conn.call("CLIENT", "KILL", "1.2.3.4:5"), "ERR No such client", "old-style kill of nobody")
    expect(conn.call("PING"), PONG, "the killer keeps working")


# --------------------------------------------------------------------------- pub/sub


def test_subscribe_and_psubscribe_receive_events(own_sentinel, dead_port):
    other_port = free_port()
    with own_sentinel.connect() as sub, own_sentinel.connect() as ctl:
        expect(sub.call("SUBSCRIBE", "+set"), array(bulk("subscribe"), bulk("+set"), Reply("int", 1)), "SUBSCRIBE")
        expect(sub.call("PSUBSCRIBE", "*monitor*"),
               array(bulk("psubscribe"), bulk("*monitor*"), Reply("int", 2)), "PSUBSCRIBE")
        expect(sub.call("PING"), array(bulk("pong"), bulk("")), "PING in RESP2 subscribed mode")
        err = sub.call("SENTINEL", "MASTERS")
        assert err.is_error and err.value.startswith("ERR Can't execute 'sentinel|masters'"), render(err)

        expect(ctl.call("SENTINEL", "SET", MASTER, "quorum", "3"), OK, "SENTINEL SET quorum")
        expect(sub.read(), array(bulk("message"), bulk("+set"),
                                 bulk(f"master {MASTER} {LOOPBACK} {dead_port} quorum 3")), "+set event")
        expect(ctl.call("SENTINEL", "MONITOR", "other", LOOPBACK, str(other_port), "1"), OK, "SENTINEL MONITOR")
        expect(sub.read(), array(bulk("pmessage"), bulk("*monitor*"), bulk("+monitor"),
                                 bulk(f"master other {LOOPBACK} {other_port} quorum 1")), "+monitor event")
        expect(ctl.call("SENTINEL", "REMOVE", "other"), OK, "SENTINEL REMOVE")
        expect(sub.read(), array(bulk("pmessage"), bulk("*monitor*"), bulk("-monitor"),
                                 bulk(f"master other {LOOPBACK} {other_port}")), "-monitor event")

        expect(sub.call("UNSUBSCRIBE"), array(bulk("unsubscribe"), bulk("+set"), Reply("int", 1)), "UNSUBSCRIBE")
        expect(sub.call("PUNSUBSCRIBE"), array(bulk("punsubscribe"), bulk("*monitor*"), Reply("int", 0)),
               "PUNSUBSCRIBE")
        expect(sub.call("PING"), PONG, "normal mode again")


def test_subscribe_resp3_push(own_sentinel, dead_port):
    with own_sentinel.connect() as sub, own_sentinel.connect() as ctl:
        sub.hello3()
        expect(sub.call("SUBSCRIBE", "+set"), push(bulk("subscribe"), bulk("+set"), Reply("int", 1)),
               "RESP3 SUBSCRIBE confirmation is a push")
        expect(sub.call("PING"), PONG, "PING in RESP3 subscribed mode")
        expect(ctl.call("SENTINEL", "SET", MASTER, "quorum", "1"), OK, "SENTINEL SET")
        expect(sub.read(), push(bulk("message"), bulk("+set"),
                                bulk(f"master {MASTER} {LOOPBACK} {dead_port} quorum 1")), "+set push")


def test_sentinel_set_rewrites_config(own_sentinel, dead_port):
    expect(own_sentinel.call("SENTINEL", "SET", MASTER, "quorum", "5"), OK, "SENTINEL SET quorum 5")
    text = own_sentinel.conf_path.read_text()
    assert f"sentinel monitor {MASTER} {LOOPBACK} {dead_port} 5" in text, f"config after SET:\n{text}"


# --------------------------------------------------------------------------- lifecycle


def test_shutdown_command(own_sentinel):
    with own_sentinel.connect() as c:
        c.send("SHUTDOWN")
        assert c.wait_closed(), "SHUTDOWN closes the connection"
        assert not c.buf, f"SHUTDOWN sends no reply, got {bytes(c.buf)!r}"
    assert wait_exit(own_sentinel.proc) == 0, f"exit code after SHUTDOWN\n{own_sentinel.proc.tail()}"


def test_sigterm_exits_zero(own_sentinel):
    own_sentinel.proc.signal(signal.SIGTERM)
    assert wait_exit(own_sentinel.proc) == 0, f"exit code after SIGTERM\n{own_sentinel.proc.tail()}"


def test_busy_port(sentinel_factory, dead_port):
    first = sentinel_factory("ours", monitor_conf(dead_port))
    second = sentinel_factory("ours", monitor_conf(dead_port), port=first.port, wait=False)
    rc = wait_exit(second.proc)
    assert rc != 0, f"second instance on a busy port must exit non-zero\n{second.proc.tail()}"
    expect(first.call("PING"), PONG, "the first instance keeps working")
    expect(first.call("ROLE"), array(bulk("sentinel"), array(bulk(MASTER))), "first instance ROLE")


def run_ours(procs, name, args, **kw):
    return procs.run(name, [harness.sentinel_bin(), *args], **kw)


@pytest.mark.parametrize("bad_line,reason", [
    ("bogus line here", "Bad directive or wrong number of arguments"),
    ("sentinel nosuchdirective a b", "Unrecognized sentinel configuration statement."),
])
def test_bad_config_line(procs, dead_port, bad_line, reason):
    workdir = procs.new_dir("badconf")
    conf = workdir / "sentinel.conf"
    conf.write_text(f"bind {LOOPBACK}\nsentinel monitor {MASTER} {LOOPBACK} {dead_port} 2\n{bad_line}\n")
    rc, out = run_ours(procs, "badconf", [str(conf), "--port", str(free_port())], cwd=workdir)
    assert rc != 0, f"must exit non-zero on a bad config line\n{out}"
    assert "*** FATAL CONFIG FILE ERROR" in out, out
    assert "at line 3" in out, f"line number missing:\n{out}"
    assert f">>> '{bad_line}'" in out, f"offending line missing:\n{out}"
    assert reason in out, f"reason missing:\n{out}"


def test_no_config_file_argument(procs):
    rc, out = run_ours(procs, "noconf", ["--port", str(free_port())])
    assert rc != 0, f"must exit non-zero without a config file\n{out}"
    assert "Sentinel needs config file on disk to save state. Exiting..." in out, out


def test_nonexistent_config_file(procs):
    workdir = procs.new_dir("missingconf")
    path = workdir / "does-not-exist.conf"
    rc, out = run_ours(procs, "missingconf", [str(path), "--port", str(free_port())], cwd=workdir)
    assert rc != 0, f"must exit non-zero when the config file does not exist\n{out}"
    assert f"Fatal error, can't open config file '{path}'" in out, out


def test_unwritable_config_file(procs, dead_port):
    as_user = harness.drop_privileges_user()
    if os.geteuid() == 0 and as_user is None:
        pytest.skip("running as root and no unprivileged account to make the config unwritable")
    workdir = tempfile.mkdtemp(prefix="sentinel-it-ro-")
    try:
        os.chmod(workdir, 0o755)
        conf = os.path.join(workdir, "sentinel.conf")
        with open(conf, "w") as f:
            f.write(f"bind {LOOPBACK}\nsentinel monitor {MASTER} {LOOPBACK} {dead_port} 2\n")
        os.chmod(conf, 0o444)
        kw = {}
        if as_user is not None:  # root can write anything: run the binary unprivileged instead
            kw = {"user": as_user[0], "group": as_user[1]}
        try:
            rc, out = run_ours(procs, "roconf", [conf, "--port", str(free_port())],
                               cwd=harness.Path(workdir), **kw)
        except PermissionError as exc:
            pytest.skip(f"cannot run SENTINEL_BIN as an unprivileged user: {exc}")
        assert rc != 0, f"must exit non-zero when the config file is not writable\n{out}"
        assert "not writable" in out, f"expected 'Sentinel config file ... is not writable', got:\n{out}"
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def test_sentinel_flag_accepted(sentinel_factory, dead_port):
    inst = sentinel_factory("ours", monitor_conf(dead_port), extra_args=["--sentinel"])
    info = parse_info(inst.call("INFO", "server").value)["Server"]
    assert info["redis_mode"] == "sentinel", info


def test_port_override(sentinel_factory, dead_port):
    conf_port = free_port()
    inst = sentinel_factory("ours", f"port {conf_port}\n" + monitor_conf(dead_port))
    info = parse_info(inst.call("INFO", "server").value)["Server"]
    assert info["tcp_port"] == str(inst.port), f"--port {inst.port} must override 'port {conf_port}'"
    assert not harness.is_listening(conf_port), "nothing must listen on the config file's port"


def test_version_flag(procs):
    rc, out = run_ours(procs, "version", ["--version"])
    assert rc == 0, f"--version exit code {rc}\n{out}"
    assert out.strip(), "--version prints something"


# --------------------------------------------------------------------------- real client: redis-py


def test_redis_py_discover_master(sentinel, module_master):
    client = Sentinel([(LOOPBACK, sentinel.port)], socket_timeout=5)
    assert client.discover_master(MASTER) == (LOOPBACK, module_master.port)
    assert client.discover_slaves(MASTER) == []
    with pytest.raises(MasterNotFoundError):
        client.discover_master("nosuch")

    master = client.master_for(MASTER, socket_timeout=5)
    assert master.set("itest:key", "value") is True
    assert master.get("itest:key") == b"value"
    direct = redis.Redis(host=LOOPBACK, port=module_master.port, socket_timeout=5)
    assert direct.get("itest:key") == b"value", "the write went to the real master"


def test_redis_py_sentinel_commands(sentinel, module_master):
    r = redis.Redis(host=LOOPBACK, port=sentinel.port, socket_timeout=5, decode_responses=True)
    assert r.ping() is True
    state = r.sentinel_master(MASTER)
    assert state["ip"] == LOOPBACK and state["port"] == module_master.port, state
    assert state["is_master"] and not state["is_sdown"] and not state["is_odown"], state
    assert state["quorum"] == 2 and state["down-after-milliseconds"] == DOWN_AFTER, state
    masters = r.sentinel_masters()
    assert list(masters) == [MASTER], masters
    assert r.sentinel_get_master_addr_by_name(MASTER) == (LOOPBACK, module_master.port)
    assert r.sentinel_slaves(MASTER) == [] and r.sentinel_sentinels(MASTER) == []
    assert r.client_setname("redis-py") is True and r.client_getname() == "redis-py"
