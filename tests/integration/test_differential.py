"""Differential tests: the real redis-sentinel 7.0.15 and OUR sentinel answer the same questions.

Both sentinels get the SAME config text (each in its own directory, on its own port) and
monitor the same live redis-server master (no replicas).  The shared config carries a fixed
`sentinel myid`, so the two never discover each other through hello messages (a sentinel drops
hellos that contain its own id): every peer-dependent answer (SENTINELS, num-other-sentinels,
INFO sentinels=N, CKQUORUM) stays deterministic.

Every question is asked on a fresh connection, in RESP2 and again after `HELLO 3`, and ends with
a PING to prove the connection is still in sync (or, for protocol errors, checks that the server
closed it).  Replies keep their wire type (see harness.Reply) and are compared after a small
per-question normaliser replaces ids, times, pids and other values that legitimately differ.

Questions marked `live` need working master monitoring (links, PING/INFO, hellos): both
sentinels must have connected to the master before they are asked.
"""

from __future__ import annotations

import difflib
import re
import secrets
import time
from dataclasses import dataclass
from typing import Callable

import pytest

import harness
from harness import LOOPBACK, Reply, render, wait_until, with_pairs

if harness.sentinel_bin() is None:
    pytest.skip("SENTINEL_BIN is not set: the differential suite compares OUR sentinel binary with "
                "/usr/bin/redis-sentinel (run via ctest, or export SENTINEL_BIN=/path/to/sentinel)",
                allow_module_level=True)

MASTER = "mymaster"
CONFIG_TEMPLATE = """\
sentinel myid {myid}
sentinel monitor {name} 127.0.0.1 {mport} 2
sentinel down-after-milliseconds {name} 10000
sentinel failover-timeout {name} 60000
sentinel parallel-syncs {name} 2
"""


# --------------------------------------------------------------------------- fixture


@dataclass
class Pair:
    real: harness.SentinelInstance
    ours: harness.SentinelInstance
    master: harness.RedisServer
    myid: str
    master_runid: str
    ours_live: bool

    def fmt(self) -> dict:
        return {"mport": self.master.port, "myid": self.myid, "name": MASTER}


def master_runid(master: harness.RedisServer) -> str:
    with master.connect() as conn:
        return harness.parse_info(conn.call("INFO", "server").value)["Server"]["run_id"]


def monitoring_state(inst: harness.SentinelInstance) -> dict:
    return inst.call("SENTINEL", "MASTER", MASTER).as_dict()


def is_monitoring(inst: harness.SentinelInstance, runid: str) -> bool:
    """Connected to the master (no 'disconnected' flag) and has parsed its INFO (runid known)."""
    state = monitoring_state(inst)
    return "disconnected" not in state["flags"].split(",") and state["runid"] == runid


@pytest.fixture(scope="module")
def pair(module_procs, module_master) -> Pair:
    myid = secrets.token_hex(20)
    config = CONFIG_TEMPLATE.format(myid=myid, name=MASTER, mport=module_master.port)
    real = module_procs.start_sentinel("real", config)
    ours = module_procs.start_sentinel("ours", config)
    runid = master_runid(module_master)
    wait_until(lambda: is_monitoring(real, runid),
               what="the real sentinel to connect to the master (flags without 'disconnected', runid known)")
    try:  # ours may not monitor yet: give it a short grace period, never fail here
        wait_until(lambda: is_monitoring(ours, runid), timeout=3.0, what="our sentinel to connect")
        ours_live = True
    except TimeoutError:
        ours_live = False
    return Pair(real, ours, module_master, myid, runid, ours_live)


# --------------------------------------------------------------------------- normalisers
#
# A normaliser maps (replies, instance, pair) -> replies.  They never raise on unexpected
# input: anything that does not have the expected shape is returned unchanged so that the
# comparison fails with a readable diff instead.


def placeholder(text: str) -> Reply:
    return Reply("norm", text)


def int_like(reply: Reply, label: str = "<int>") -> Reply:
    if reply.type == "int" or (reply.type == "bulk" and re.fullmatch(r"-?\d+", reply.value)):
        return placeholder(f"{reply.type} {label}")
    return reply


def map_fields(reply: Reply, fn: Callable[[str, Reply], Reply]) -> Reply:
    """Apply fn(name, value) to each field of a RESP3 map / RESP2 flat field array."""
    try:
        pairs = reply.pairs()
    except AssertionError:
        return reply
    return with_pairs(reply, [(k, fn(k.value if isinstance(k.value, str) else str(k.value), v))
                              for k, v in pairs])


VOLATILE_INSTANCE_FIELDS = {"link-pending-commands", "last-ping-sent", "last-ok-ping-reply",
                            "last-ping-reply", "info-refresh", "role-reported-time"}


def instance_list(live: bool) -> Callable[[Reply, harness.SentinelInstance, Pair], Reply]:
    """Normaliser for one instance list (SENTINEL MASTER): timing values compared by type only.

    Not live: runid may be "" or a 40-hex id and a 'disconnected' flag is ignored.
    Live: runid must be the master's run_id and flags must match exactly.
    """
    def norm(reply: Reply, inst, pair: Pair) -> Reply:
        def normalise_field(name: str, value: Reply) -> Reply:
            if value.type != "bulk":
                return value
            if name in VOLATILE_INSTANCE_FIELDS:
                return int_like(value)
            if name == "runid" and not live and (value.value == "" or harness.HEX40.match(value.value)):
                return placeholder("bulk <runid or empty>")
            if name == "flags" and not live:
                return Reply("bulk", ",".join(f for f in value.value.split(",") if f != "disconnected"))
            return value
        return map_fields(reply, normalise_field)
    return norm


def each_element(fn):
    def norm(reply: Reply, inst, pair) -> Reply:
        if reply.type != "array":
            return reply
        return Reply("array", tuple(fn(x, inst, pair) for x in reply.value))
    return norm


def hello_map(reply: Reply, inst, pair) -> Reply:
    return map_fields(reply, lambda name, v: int_like(v, "<client id>") if name == "id" else v)


def client_id(reply: Reply, inst, pair) -> Reply:
    return int_like(reply, "<client id>")


def text_of(reply: Reply) -> tuple[str, str]:
    """(label, text) of a bulk or RESP3 verbatim string (whose value starts with its 'txt:' format)."""
    if reply.type == "verbatim":
        return f"verbatim {reply.value[:4]}", reply.value[4:]
    return reply.type, reply.value


INFO_KEEP_VALUES = {
    "redis_version", "redis_mode", "arch_bits", "process_supervised", "configured_hz", "io_threads_active",
    "maxclients", "cluster_connections", "blocked_clients", "tracking_clients",
    "clients_in_timeout_table", "sentinel_masters", "sentinel_tilt", "sentinel_tilt_since_seconds",
    "sentinel_running_scripts", "sentinel_scripts_queue_length", "sentinel_simulate_failure_flags",
}


def info_text(keep_all: bool = False):
    """INFO: headers, blank lines and key names exactly; values only for stable keys.

    Values that must equal the instance's own port/pid/config path become <own ...>.
    With keep_all, every value is kept (used for the Sentinel section, which is stable).
    """
    def norm(reply: Reply, inst: harness.SentinelInstance, pair) -> Reply:
        if reply.type not in ("bulk", "verbatim"):
            return reply
        label, text = text_of(reply)
        own = {"tcp_port": str(inst.port), "process_id": str(inst.proc.pid),
               "config_file": str(inst.conf_path)}
        lines = []
        for line in text.split("\r\n"):
            if not line or line.startswith("#") or ":" not in line:
                lines.append(line)
                continue
            key, _, value = line.partition(":")
            if key in own:
                value = f"<own {key}>" if value == own[key] else f"<NOT own {key}: {value}>"
            elif not (keep_all or key in INFO_KEEP_VALUES or key.startswith("master")):
                value = "<value>"
            lines.append(f"{key}:{value}")
        return placeholder(f"{label}\n" + "\n".join(lines))
    return norm


CLIENT_KEEP_VALUES = {"name", "db", "flags", "sub", "psub", "ssub", "multi", "obl", "oll", "omem",
                      "events", "cmd", "user", "redir", "resp"}


def client_line(line: str, inst: harness.SentinelInstance) -> str:
    out = []
    for item in line.split(" "):
        key, sep, value = item.partition("=")
        if not sep:
            out.append(item)
        elif key == "laddr":
            out.append(f"laddr={'<own>' if value == f'{LOOPBACK}:{inst.port}' else value}")
        elif key == "addr":
            out.append("addr=" + re.sub(r":\d+$", ":<port>", value))
        elif key in CLIENT_KEEP_VALUES:
            out.append(item)
        else:
            out.append(f"{key}=" + ("<int>" if re.fullmatch(r"-?\d+", value) else value))
    return " ".join(out)


def client_info(reply: Reply, inst, pair) -> Reply:
    if reply.type not in ("bulk", "verbatim"):
        return reply
    label, text = text_of(reply)
    return placeholder(f"{label}\n" + "\n".join(client_line(l, inst) for l in text.split("\n")))


def sorted_array(reply: Reply, inst, pair) -> Reply:
    if reply.type not in ("array", "set"):
        return reply
    return Reply(reply.type, tuple(sorted(reply.value, key=lambda r: str(r.value))))


def info_cache(reply: Reply, inst, pair) -> Reply:
    """[name, [[age-ms, INFO text or null], ...]]: age by type, INFO text by presence of run_id."""
    if reply.type != "array" or len(reply.value) != 2 or reply.value[1].type != "array":
        return reply
    entries = []
    for entry in reply.value[1].value:
        if entry.type == "array" and len(entry.value) == 2:
            age, text = entry.value
            if text.type == "bulk":
                ok = f"run_id:{pair.master_runid}\r\n" in text.value
                text = placeholder("bulk <master INFO text>" if ok else "bulk <INFO text without master run_id>")
            entry = Reply("array", (int_like(age), text))
        entries.append(entry)
    return Reply("array", (reply.value[0], Reply("array", tuple(entries))))


def on(index: int, fn):
    """Normaliser applying fn(reply, inst, pair) to the reply at `index` of the question."""
    def norm(replies: list[Reply], inst, pair) -> list[Reply]:
        out = list(replies)
        if index < len(out):
            out[index] = fn(out[index], inst, pair)
        return out
    return norm


def client_list_own_line(replies: list[Reply], inst, pair) -> list[Reply]:
    """[CLIENT ID, CLIENT LIST]: keep only this connection's line (others may be closing)."""
    out = list(replies)
    if len(out) >= 2 and out[0].type == "int" and out[1].type in ("bulk", "verbatim"):
        label, text = text_of(out[1])
        mine = [l for l in text.split("\n") if l.startswith(f"id={out[0].value} ")]
        out[1] = placeholder(f"{label}, own lines: {len(mine)}\n" + "\n".join(client_line(l, inst) for l in mine))
        out[0] = client_id(out[0], inst, pair)
    return out


# --------------------------------------------------------------------------- questions


@dataclass
class Raw:
    data: bytes
    replies: int = 1


@dataclass
class Cmd:
    args: tuple
    replies: int = 1


@dataclass
class Q:
    id: str
    steps: list
    norm: Callable | None = None
    closes: bool = False  # the server must close the connection after the replies
    live: bool = False    # needs live monitoring: both sentinels connected to the master


def q(id_, *commands, norm=None, live=False):
    """A question made of commands (each a whitespace-separated string or a tuple), one reply each."""
    steps = [Cmd(tuple(c.split()) if isinstance(c, str) else tuple(c)) for c in commands]
    return Q(id_, steps, norm=norm, live=live)


def raw(id_, data: bytes, replies: int = 1, closes: bool = False):
    return Q(id_, [Raw(data, replies)], closes=closes)


MASTER_LIST = instance_list(live=False)
MASTER_LIST_LIVE = instance_list(live=True)
LONG = "x" * 200

QUESTIONS = [
    # --- basics
    q("ping", "PING"),
    q("ping-arg", "PING hello"),
    q("ping-arity", "PING a b"),
    raw("ping-inline", b"PING\r\n"),
    raw("ping-inline-quoted", b'PING "a b" \r\n'),
    raw("empty-requests", b"\r\n\r\n*0\r\nPING\r\n"),
    raw("pipeline-100-pings", harness.encode_command("PING") * 100, replies=100),
    q("ping-1mib", ("PING", "y" * (1024 * 1024))),
    q("role", "ROLE"),
    q("echo", "ECHO hi"),
    q("quit", "QUIT"),
    q("select", "SELECT 0"),
    q("multi", "MULTI"),
    q("config", "CONFIG GET port"),
    q("get", "GET k"),
    q("monitor-command", "MONITOR"),
    # --- unknown commands
    q("unknown-0-args", "NOSUCHCMD"),
    q("unknown-1-arg", "nosuchcmd a"),
    q("unknown-2-args", "NoSuchCmd a b"),
    q("unknown-long-args", ("NOSUCHCMD", LONG, "y" * 50, "z")),
    q("unknown-long-name", ("N" * 300, "a")),
    # --- SENTINEL
    q("sentinel-bare", "SENTINEL"),
    q("sentinel-unknown-sub", "SENTINEL nosuch"),
    q("sentinel-help", "SENTINEL HELP"),
    q("sentinel-help-lower", "sentinel help"),
    q("sentinel-myid", "SENTINEL MYID"),
    q("sentinel-myid-arity", "SENTINEL MYID x"),
    q("sentinel-masters", "SENTINEL MASTERS", norm=on(0, each_element(MASTER_LIST))),
    q("sentinel-masters-live", "SENTINEL MASTERS", norm=on(0, each_element(MASTER_LIST_LIVE)), live=True),
    q("sentinel-masters-arity", "SENTINEL MASTERS x"),
    q("sentinel-master", "SENTINEL MASTER {name}", norm=on(0, MASTER_LIST)),
    q("sentinel-master-live", "SENTINEL MASTER {name}", norm=on(0, MASTER_LIST_LIVE), live=True),
    q("sentinel-master-arity", "SENTINEL MASTER"),
    q("sentinel-master-unknown", "SENTINEL MASTER nosuch"),
    q("sentinel-replicas", "SENTINEL REPLICAS {name}"),
    q("sentinel-slaves", "SENTINEL SLAVES {name}"),
    q("sentinel-sentinels", "SENTINEL SENTINELS {name}"),
    q("sentinel-replicas-unknown", "SENTINEL REPLICAS nosuch"),
    q("sentinel-sentinels-unknown", "SENTINEL SENTINELS nosuch"),
    q("sentinel-replicas-arity", "SENTINEL REPLICAS"),
    q("get-master-addr", "SENTINEL GET-MASTER-ADDR-BY-NAME {name}"),
    q("get-master-addr-unknown", "SENTINEL get-master-addr-by-name nosuch"),
    q("get-master-addr-arity", "SENTINEL GET-MASTER-ADDR-BY-NAME"),
    q("config-get-all", "SENTINEL CONFIG GET *"),
    q("config-get-one", "SENTINEL CONFIG GET resolve-hostnames"),
    q("config-get-glob-upper", "SENTINEL CONFIG GET ANNOUNCE-*"),
    q("config-get-port", "SENTINEL CONFIG GET announce-port"),
    q("config-get-unknown", "SENTINEL CONFIG GET nosuch"),
    q("config-get-two-params", "SENTINEL CONFIG GET resolve-hostnames announce-ip"),
    q("config-get-no-param", "SENTINEL CONFIG GET"),
    q("config-bare", "SENTINEL CONFIG"),
    q("config-set-unknown", "SENTINEL CONFIG SET foo bar"),
    q("config-set-bad-port", "SENTINEL CONFIG SET announce-port abc"),
    q("config-set-bad-bool", "SENTINEL CONFIG SET resolve-hostnames maybe"),
    q("config-bad-verb", "SENTINEL CONFIG FOO bar"),
    q("debug", "SENTINEL DEBUG"),
    q("debug-unknown", "SENTINEL DEBUG nosuch 1"),
    q("ckquorum", "SENTINEL CKQUORUM {name}"),
    q("ckquorum-unknown", "SENTINEL CKQUORUM nosuch"),
    q("is-master-down-by-addr", "SENTINEL IS-MASTER-DOWN-BY-ADDR 127.0.0.1 {mport} 0 *"),
    q("is-master-down-bad-int", "SENTINEL IS-MASTER-DOWN-BY-ADDR 127.0.0.1 abc 0 *"),
    q("is-master-down-arity", "SENTINEL IS-MASTER-DOWN-BY-ADDR 127.0.0.1"),
    q("pending-scripts", "SENTINEL PENDING-SCRIPTS"),
    q("simulate-failure-help", "SENTINEL SIMULATE-FAILURE HELP"),
    q("simulate-failure-unknown", "SENTINEL SIMULATE-FAILURE nosuch"),
    q("info-cache-unknown", "SENTINEL INFO-CACHE nosuch"),
    q("info-cache", "SENTINEL INFO-CACHE {name}", norm=on(0, info_cache), live=True),
    q("reset-no-match", "SENTINEL RESET nosuch*"),
    q("reset-arity", "SENTINEL RESET"),
    q("failover-unknown", "SENTINEL FAILOVER nosuch"),
    q("remove-unknown", "SENTINEL REMOVE nosuch"),
    q("set-arity", "SENTINEL SET {name}"),
    q("set-unknown-option", "SENTINEL SET {name} nosuch 1"),
    q("set-bad-value", "SENTINEL SET {name} quorum abc"),
    q("set-unknown-master", "SENTINEL SET nosuch quorum 1"),
    q("monitor-bad-quorum", "SENTINEL MONITOR x 127.0.0.1 6379 abc"),
    q("monitor-bad-port", "SENTINEL MONITOR x 127.0.0.1 abc 1"),
    q("monitor-zero-quorum", "SENTINEL MONITOR x 127.0.0.1 6379 0"),
    q("monitor-bad-ip", "SENTINEL MONITOR x not-an-ip 6379 1"),
    q("monitor-port-range", "SENTINEL MONITOR x 127.0.0.1 70000 1"),
    q("monitor-duplicate", "SENTINEL MONITOR {name} 127.0.0.1 {mport} 2"),
    q("monitor-arity", "SENTINEL MONITOR x 127.0.0.1 6379"),
    # --- INFO
    q("info", "INFO", norm=on(0, info_text())),
    q("info-all", "INFO all", norm=on(0, info_text())),
    q("info-everything", "INFO everything", norm=on(0, info_text())),
    q("info-server", "INFO server", norm=on(0, info_text())),
    q("info-clients", "INFO clients", norm=on(0, info_text())),
    q("info-stats", "INFO stats", norm=on(0, info_text())),
    q("info-cpu", "INFO cpu", norm=on(0, info_text())),
    q("info-sentinel", "INFO sentinel", norm=on(0, info_text(keep_all=True))),
    q("info-two-sections", "INFO sentinel SERVER", norm=on(0, info_text())),
    q("info-unknown", "INFO nosuch"),
    q("info-replication", "INFO replication"),
    # --- pub/sub
    q("publish-other", "PUBLISH x y"),
    q("publish-hello-garbage", "PUBLISH __sentinel__:hello garbage"),
    q("publish-arity", "PUBLISH x"),
    q("subscribe-arity", "SUBSCRIBE"),
    Q("subscribe-flow", [Cmd(("SUBSCRIBE", "a", "b"), 2), Cmd(("PING",)), Cmd(("PING", "x")),
                         Cmd(("SENTINEL", "MYID")), Cmd(("UNSUBSCRIBE", "b", "a"), 2)]),
    # (UNSUBSCRIBE without arguments walks a hash table: only deterministic with one channel)
    Q("unsubscribe-all", [Cmd(("SUBSCRIBE", "a")), Cmd(("UNSUBSCRIBE",))]),
    Q("psubscribe-flow", [Cmd(("PSUBSCRIBE", "a*", "b*"), 2), Cmd(("PUNSUBSCRIBE", "a*")), Cmd(("ROLE",)),
                          Cmd(("PUNSUBSCRIBE",))]),
    q("unsubscribe-none", "UNSUBSCRIBE"),
    q("punsubscribe-none", "PUNSUBSCRIBE"),
    # --- CLIENT
    q("client-unknown", "CLIENT NOSUCH"),
    q("client-help", "CLIENT HELP"),
    q("client-id", "CLIENT ID", norm=on(0, client_id)),
    q("client-getname-none", "CLIENT GETNAME"),
    q("client-setname-getname", "CLIENT SETNAME difftest", "CLIENT GETNAME"),
    q("client-setname-bad", ("CLIENT", "SETNAME", "a b")),
    q("client-info", "CLIENT SETNAME difftest", "CLIENT INFO", norm=on(1, client_info)),
    q("client-list", "CLIENT ID", "CLIENT LIST", norm=client_list_own_line),
    q("client-kill-nobody", "CLIENT KILL ID 999999999"),
    q("client-kill-bad-addr", "CLIENT KILL 1.2.3.4:5"),
    q("client-kill-bad-id", "CLIENT KILL ID abc"),
    q("client-getredir", "CLIENT GETREDIR"),
    # --- AUTH / HELLO / ACL
    q("auth-no-password", "AUTH x"),
    q("auth-default-user", "AUTH default anything"),
    q("auth-arity", "AUTH a b c"),
    q("hello", "HELLO", norm=on(0, hello_map)),
    q("hello-2", "HELLO 2", norm=on(0, hello_map)),
    q("hello-3", "HELLO 3", norm=on(0, hello_map)),
    q("hello-4", "HELLO 4"),
    q("hello-not-int", "HELLO abc"),
    q("hello-setname", "HELLO 3 SETNAME difftest", "CLIENT GETNAME", norm=on(0, hello_map)),
    q("acl-whoami", "ACL WHOAMI"),
    q("acl-unknown", "ACL NOSUCH"),
    # --- COMMAND
    q("command-count", "COMMAND COUNT"),
    q("command-list", "COMMAND LIST", norm=on(0, sorted_array)),
    q("command-unknown", "COMMAND NOSUCH"),
    q("command-info-ping", "COMMAND INFO ping"),
    q("command-docs-ping", "COMMAND DOCS ping"),
    # --- protocol errors (the server must reply and close the connection)
    raw("malformed-multibulk-len", b"*abc\r\n", closes=True),
    raw("malformed-bulk-len", b"*1\r\n$abc\r\n", closes=True),
    raw("malformed-negative-bulk", b"*1\r\n$-5\r\n", closes=True),
    raw("malformed-expected-dollar", b"*1\r\nfoo\r\n", closes=True),
    raw("malformed-unbalanced-quotes", b'"unbalanced\r\n', closes=True),
    raw("oversized-bulk", b"*1\r\n$536870913\r\n", closes=True),
    raw("oversized-multibulk", b"*2147483648\r\n", closes=True),
    raw("oversized-inline", b"A" * 70000, closes=True),
    raw("oversized-mbulk-count-line", b"*1" + b"1" * 70000, closes=True),
    raw("oversized-bulk-count-line", b"*1\r\n$" + b"1" * 70000, closes=True),
]


def question_params():
    params = []
    for proto in (2, 3):
        for question in QUESTIONS:
            params.append(pytest.param(proto, question, id=f"resp{proto}-{question.id}"))
    return params


# --------------------------------------------------------------------------- asking


def ask(inst: harness.SentinelInstance, question: Q, proto: int, pair: Pair) -> list[Reply]:
    """Ask one question on a fresh connection; transport failures become placeholder replies."""
    fmt = pair.fmt()
    out: list[Reply] = []
    with inst.connect() as conn:
        try:
            if proto == 3:
                hello = conn.call("HELLO", "3")
                if hello.type != "map":
                    return [placeholder(f"<HELLO 3 failed: {hello.type} {hello.value!r}>")]
            for step in question.steps:
                if isinstance(step, Raw):
                    conn.send_raw(step.data)
                else:
                    conn.send(*(a.format(**fmt) if isinstance(a, str) and "{" in a else a for a in step.args))
                out.extend(conn.read() for _ in range(step.replies))
            if question.closes:
                out.append(placeholder("connection closed" if conn.wait_closed() else "connection left open"))
            else:
                out.append(conn.call("PING"))  # still in sync, no stray replies
        except harness.ConnectionClosed:
            out.append(placeholder("<connection closed unexpectedly>"))
        except TimeoutError:
            out.append(placeholder("<timed out waiting for a reply>"))
        except harness.RespProtocolError as exc:
            out.append(placeholder(f"<unparsable reply: {exc}>"))
        except OSError as exc:
            out.append(placeholder(f"<socket error: {exc!r}>"))
    if question.norm is not None:
        out = question.norm(out, inst, pair)
    return out


def render_lines(replies: list[Reply]) -> list[str]:
    lines = []
    for i, reply in enumerate(replies):
        lines.append(f"reply #{i}:")
        lines.extend(render(reply, 1).split("\n"))
    return lines


def assert_same(question: Q, proto: int, real: list[Reply], ours: list[Reply]) -> None:
    if real == ours:
        return
    diff = "\n".join(difflib.unified_diff(render_lines(real), render_lines(ours), "real redis-sentinel",
                                          "ours", lineterm="", n=3))
    raws = "\n".join(f"  real #{i}: {r.raw[:300]!r}" for i, r in enumerate(real) if r.raw) + "\n" + \
        "\n".join(f"  ours #{i}: {r.raw[:300]!r}" for i, r in enumerate(ours) if r.raw)
    pytest.fail(f"RESP{proto} question {question.id!r} differs (after normalisation):\n{diff}\n"
                f"raw bytes:\n{raws}", pytrace=False)


@pytest.mark.parametrize("proto,question", question_params())
def test_same_answer(pair, proto, question):
    real = ask(pair.real, question, proto, pair)
    ours = ask(pair.ours, question, proto, pair)
    assert_same(question, proto, real, ours)


def test_myid_is_the_configured_one(pair):
    for inst in (pair.real, pair.ours):
        reply = inst.call("SENTINEL", "MYID")
        assert reply == Reply("bulk", pair.myid), f"{inst.kind}: MYID {reply} != configured {pair.myid}"


# --------------------------------------------------------------------------- live monitoring

KINDS = ["real", "ours"]


def instance(pair: Pair, kind: str) -> harness.SentinelInstance:
    return pair.real if kind == "real" else pair.ours


@pytest.mark.parametrize("kind", KINDS)
def test_live_master_state(pair, kind):
    """Connected to the master, runid learnt from INFO, role reported as master."""
    inst = instance(pair, kind)

    def healthy():
        state = monitoring_state(inst)
        return state if (state["flags"] == "master" and state["runid"] == pair.master_runid
                         and state["role-reported"] == "master") else None
    wait_until(healthy, what=f"{kind} sentinel to report flags=master and the master's runid")


@pytest.mark.parametrize("kind", KINDS)
def test_live_links_to_master(pair, kind):
    """A command link and a pub/sub link to the master, named sentinel-<id8>-cmd / -pubsub."""
    inst = instance(pair, kind)
    want = {f"sentinel-{pair.myid[:8]}-cmd", f"sentinel-{pair.myid[:8]}-pubsub"}

    def link_names():
        local_addrs = {f"{ip}:{port}" for (ip, port), (rip, rport) in harness.tcp_connections_of(inst.proc.pid)
                       if rport == pair.master.port}
        with pair.master.connect() as conn:
            listing = conn.call("CLIENT", "LIST").value
        names = {fields.get("name") for fields in
                 (dict(i.split("=", 1) for i in line.split(" ") if "=" in i) for line in listing.splitlines())
                 if fields.get("addr") in local_addrs}
        return names if want <= names else None
    wait_until(link_names, what=f"{kind} sentinel's links to the master named {sorted(want)}")


@pytest.mark.parametrize("kind", KINDS)
def test_live_hello_published_on_master(pair, kind):
    """The sentinel publishes its 8-field hello on the master's __sentinel__:hello channel."""
    inst = instance(pair, kind)
    expected = f"{LOOPBACK},{inst.port},{pair.myid},0,{MASTER},{LOOPBACK},{pair.master.port},0"
    with pair.master.connect() as sub:
        sub.call("SUBSCRIBE", "__sentinel__:hello")
        deadline = time.monotonic() + harness.DEADLINE
        seen = []
        while time.monotonic() < deadline:
            try:
                message = sub.read(timeout=max(0.01, deadline - time.monotonic())).py()
            except TimeoutError:
                break
            if message[:3] == ["message", "__sentinel__:hello", expected]:
                return
            seen.append(message[2] if len(message) > 2 else message)
        raise AssertionError(f"no hello {expected!r} from the {kind} sentinel within {harness.DEADLINE}s; "
                             f"saw {seen[-6:]}")
